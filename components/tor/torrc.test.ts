import fc from "fast-check";
import { renderTorrc } from "./torrc";

describe("torrc rendering", () => {
    it("renders the gateway's proxies and onion services", () => {
        const torrc = renderTorrc({
            dataDirectory: "/var/lib/tor",
            socksListen: "0.0.0.0:9050",
            dnsListen: "0.0.0.0:9053",
            onionServices: [{ name: "registry", ports: [{ virtualPort: 80, target: "registry:5010" }] }],
            disableNetwork: true,
        });
        expect(torrc.split("\n")).toEqual([
            "DataDirectory /var/lib/tor",
            "Log notice stdout",
            "SocksPort 0.0.0.0:9050",
            "DNSPort 0.0.0.0:9053",
            "HiddenServiceDir /var/lib/tor/hs-registry",
            "HiddenServiceVersion 3",
            "HiddenServicePort 80 registry:5010",
            "DisableNetwork 1",
            "",
        ]);
    });

    it("turns proxies off unless asked for, and never emits a line Tor would read as two", () => {
        fc.assert(
            fc.property(fc.array(fc.integer({ min: 1, max: 65535 }), { minLength: 1, maxLength: 4 }), (ports) => {
                const torrc = renderTorrc({
                    dataDirectory: "/d",
                    onionServices: [{ name: "s", ports: ports.map((p) => ({ virtualPort: p, target: `svc:${p}` })) }],
                });
                expect(torrc).toContain("SocksPort 0\nDNSPort 0\n");
                expect(torrc.match(/^HiddenServicePort /gm)).toHaveLength(ports.length);
            }),
        );
    });

    it("names the field and the fix for bad input", () => {
        const base = { dataDirectory: "/d" };
        expect(() => renderTorrc({ dataDirectory: "d" })).toThrow(/dataDirectory: "d" must be an absolute path/);
        expect(() => renderTorrc({ ...base, socksListen: "9050" })).toThrow(/socksListen: "9050" must be address:port/);
        expect(() => renderTorrc({ ...base, onionServices: [{ name: "A", ports: [] }] })).toThrow(/onionServices\[0\].name/);
        expect(() => renderTorrc({ ...base, onionServices: [{ name: "a", ports: [] }] })).toThrow(/onionServices\[0\].ports: a service needs/);
        expect(() => renderTorrc({ ...base, onionServices: [{ name: "a", ports: [{ virtualPort: 80, target: "x y:1" }] }] })).toThrow(/ports\[0\].target/);
        expect(() =>
            renderTorrc({ ...base, onionServices: [{ name: "a", ports: [{ virtualPort: 1, target: "a:1" }] }, { name: "a", ports: [{ virtualPort: 1, target: "a:1" }] }] }),
        ).toThrow(/"a" is used twice/);
    });
});
