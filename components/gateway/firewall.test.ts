import { checkAllowed, firewallInstallScript, firewallRules, guardedPorts } from "./firewall";

describe("the gateway's firewall", () => {
    it("drops the registry, mirror and Tor ports for every source but the endpoint host and the allowed hosts, on the bridge only", () => {
        const rules = firewallRules();
        expect(guardedPorts).toEqual({ tcp: [5000, 5010, 5011, 9050], udp: [9053] });
        expect(rules).toContain("ipt -A BCM-GATEWAY ! -i eth+ -j RETURN");
        expect(rules).toContain("ipt -A BCM-GATEWAY -p tcp -m multiport --dports 5000,5010,5011,9050 -j DROP");
        expect(rules).toContain("ipt -A BCM-GATEWAY -p udp -m multiport --dports 9053 -j DROP");
        // The allow rules come before the drops, the chain is rebuilt from scratch every run.
        expect(rules.indexOf("-s \"$src\" -j RETURN")).toBeLessThan(rules.indexOf("-j DROP"));
        expect(rules).toContain("ipt -F BCM-GATEWAY");
        expect(firewallInstallScript()).toContain("systemctl enable bcm-gateway-firewall.service");
        expect(firewallInstallScript()).toContain("Before=docker.service");
    });

    it("takes IPv4 addresses and CIDRs only", () => {
        expect(checkAllowed(["10.77.1.2", "10.78.2.0/24"])).toEqual(["10.77.1.2", "10.78.2.0/24"]);
        for (const bad of ["host.lan", "10.0.0.1; rm -rf /", "$(id)", "::1"]) expect(() => checkAllowed([bad])).toThrow(/is not an IPv4 address or CIDR/);
    });
});
