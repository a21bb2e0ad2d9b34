import * as net from "node:net";
import { exec } from "../client/exec";
import { deleteInstance } from "../client/instances";
import { diffNetworkAcl } from "../provider/diff";
import { providerHarness } from "../../testing/lxd/providerHarness";

// A network ACL on a bridge of the test's own (a subnet of 10.233/16 by pid; LXD's `auto` finds none here), on the real daemon: instances on it reach
// nothing outside the bridge (here a listener on the host's bridge address) but DNS, except
// the one address the ACL lets out. This is how LXD 5.0 filters a bridge (it takes no ACL on
// a bridged NIC), with its nftables driver.
describe("a network ACL on the real bridge", () => {
    const prefix = `bt${process.pid % 100000}na`;
    const lxd = providerHarness(prefix);
    const { client, provider, urn } = lxd;
    const checked = (type: string, news: Record<string, unknown>) => lxd.checked(type, news);
    let fingerprint = "";
    const bridge = `${prefix}br`.slice(0, 15);
    const acl = `${prefix}-acl`;
    const [shut, open] = [`${prefix}-shut`, `${prefix}-open`];
    let bridgeAddress = "";
    let listener: net.Server;
    let port = 0;

    /** What a connection from inside `name` to the host's listener reads: its greeting, or the shell's error. */
    const dial = async (name: string) => {
        const r = await exec(client, name, ["bash", "-c", `timeout 5 bash -c 'exec 3<>/dev/tcp/${bridgeAddress}/${port} && head -1 <&3' 2>&1 || echo failed`], { timeoutSeconds: 30 });
        return r.stdout.trim();
    };

    beforeAll(async () => {
        await lxd.setUp();
        fingerprint = lxd.fingerprint();
        const made = await provider.create(urn("Network", bridge), await checked("Network", { name: bridge, config: { "ipv4.address": `10.233.${process.pid % 250}.1/24`, "ipv4.nat": "true", "ipv6.address": "none" } }));
        bridgeAddress = String((made.outs!.config as Record<string, string>)["ipv4.address"]).split("/")[0];
        listener = net.createServer((s) => s.end("hello\n"));
        await new Promise<void>((ok) => listener.listen(0, bridgeAddress, ok));
        port = (listener.address() as net.AddressInfo).port;
    }, 600_000);

    afterAll(async () => {
        listener?.close();
        for (const n of [shut, open]) await deleteInstance(client, n).catch(() => undefined);
        await client.run("PUT", `/1.0/networks/${bridge}`, { body: { config: {} } }).catch(() => undefined);
        await client.run("DELETE", `/1.0/network-acls/${acl}`).catch(() => undefined);
        await client.run("DELETE", `/1.0/networks/${bridge}`).catch(() => undefined);
        await lxd.tearDown();
    }, 300_000);

    it("lets out only the allowed address, and DNS from the others", async () => {
        const subnet = bridgeAddress.split(".").slice(0, 3).join(".");
        const allowed = `${subnet}.200`;
        for (const [name, address] of [[shut, undefined], [open, allowed]] as const) {
            const eth0 = { type: "nic", name: "eth0", network: bridge, ...(address ? { "ipv4.address": address } : {}) };
            await provider.create(urn("Instance", name), await checked("Instance", { name, image: fingerprint, devices: { eth0 }, waitForAddress: { interface: "eth0" } }));
        }
        expect([await dial(shut), await dial(open)]).toEqual(["hello", "hello"]);

        const rules = [
            { action: "allow", source: allowed, description: "the gateway: its way out" },
            { action: "allow", destination: bridgeAddress, protocol: "udp", destinationPort: "53,67", description: "DNS and DHCP" },
            { action: "allow", destination: bridgeAddress, protocol: "tcp", destinationPort: "53" },
        ];
        const made = await provider.create(urn("NetworkAcl", acl), await checked("NetworkAcl", { name: acl, egress: rules, config: { "user.bcm.cluster": `${prefix}-c` } }));
        expect((made.outs!.egress as unknown[]).length).toBe(3);
        await client.run("PATCH", `/1.0/networks/${bridge}`, {
            body: { config: { "security.acls": acl, "security.acls.default.egress.action": "reject", "security.acls.default.ingress.action": "allow" } },
        });

        expect(await dial(shut)).toMatch(/refused|failed/);
        expect(await dial(open)).toBe("hello");
        const dns = await exec(client, shut, ["getent", "hosts", `${open}.lxd`], { timeoutSeconds: 30 });
        expect(dns.stdout).toContain(allowed);

        // Read back, the rules compare equal to what was written: no change on the next up.
        const read = await provider.read(acl, urn("NetworkAcl", acl), made.outs!);
        const again = await checked("NetworkAcl", { name: acl, egress: rules, config: { "user.bcm.cluster": `${prefix}-c` } });
        expect(diffNetworkAcl(read.props!, again).updates).toEqual([]);
        expect((await provider.diff(acl, urn("NetworkAcl", acl), read.props!, again)).changes).toBe(false);

        // LXD puts reject and drop rules before every allow, whatever the order written: a
        // reject written last still shuts the allowed address out of the listener.
        const last = { action: "reject", destination: bridgeAddress, protocol: "tcp", destinationPort: String(port) };
        await provider.update(acl, urn("NetworkAcl", acl), read.props!, await checked("NetworkAcl", { name: acl, egress: [...rules, last], config: { "user.bcm.cluster": `${prefix}-c` } }));
        expect(await dial(open)).toMatch(/refused|failed/);
    }, 600_000);
});
