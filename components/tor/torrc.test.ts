import fc from "fast-check";
import { renderTorrc, testNetworkTorrcLines } from "./torrc";

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

    describe("a private test network", () => {
        const hex40 = fc.stringMatching(/^[0-9A-F]{40}$/);
        const authority = fc
            .record({ nick: fc.stringMatching(/^[a-z][a-z0-9]{0,18}$/), orport: fc.integer({ min: 1, max: 65535 }), v3ident: hex40, ip: fc.ipV4(), dirport: fc.integer({ min: 1, max: 65535 }), fp: hex40, spaced: fc.boolean(), prefixed: fc.boolean() })
            .map((a) => {
                const fp = a.spaced ? a.fp.match(/.{4}/g)!.join(" ") : a.fp;
                const bare = `${a.nick} orport=${a.orport} no-v2 v3ident=${a.v3ident} ${a.ip}:${a.dirport} ${fp}`;
                return { line: a.prefixed ? `DirAuthority ${bare}` : bare, bare };
            });

        it("adds the testing lines and every DirAuthority line, and leaves the public torrc as it was", () => {
            fc.assert(
                fc.property(fc.array(authority, { minLength: 1, maxLength: 5 }), fc.boolean(), (authorities, offline) => {
                    const base = { dataDirectory: "/var/lib/tor", socksListen: "0.0.0.0:9050", disableNetwork: offline };
                    const publicTorrc = renderTorrc(base);
                    const lines = renderTorrc({ ...base, testNetworkAuthorities: authorities.map((a) => a.line) }).split("\n");
                    expect(lines.filter((l) => !publicTorrc.split("\n").includes(l))).toEqual([
                        "TestingTorNetwork 1",
                        "UseDefaultFallbackDirs 0",
                        "PathsNeededToBuildCircuits 0.25",
                        ...authorities.map((a) => `DirAuthority ${a.bare}`),
                    ]);
                    expect(renderTorrc({ ...base, testNetworkAuthorities: [] })).toBe(publicTorrc);
                }),
            );
            expect(testNetworkTorrcLines).toEqual(["TestingTorNetwork 1", "UseDefaultFallbackDirs 0", "PathsNeededToBuildCircuits 0.25"]);
        });

        it("renders the public network's torrc exactly as before", () => {
            expect(renderTorrc({ dataDirectory: "/var/lib/tor", socksListen: "0.0.0.0:9050", dnsListen: "0.0.0.0:9053" })).toBe(
                "DataDirectory /var/lib/tor\nLog notice stdout\nSocksPort 0.0.0.0:9050\nDNSPort 0.0.0.0:9053\n",
            );
        });

        it("refuses a line that is not a v3 DirAuthority, or would smuggle in another option", () => {
            const good = `a orport=1 no-v2 v3ident=${"A".repeat(40)} 10.0.0.1:2 ${"B".repeat(40)}`;
            for (const bad of [
                `a orport=1 no-v2 10.0.0.1:2 ${"B".repeat(40)}`, // no v3ident: not a v3 authority
                `${good}\nDisableNetwork 0`,
                `${good}\nDirAuthority moria1 128.31.0.39:9131 ${"C".repeat(40)}`,
                `a orport=1 v3ident=${"A".repeat(40)} example.com:2 ${"B".repeat(40)}`,
                "FallbackDir 1.2.3.4:80 orport=9001",
            ]) {
                expect(() => renderTorrc({ dataDirectory: "/d", testNetworkAuthorities: [good, bad] })).toThrow(/testNetworkAuthorities\[1\]: .* must be a v3 DirAuthority line/);
            }
        });
    });
});
