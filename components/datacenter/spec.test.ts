import fc from "fast-check";
import { checkClusterName, endpointNameForHost, parseSshTarget, SpecError, validateEndpoints, validateImages } from "./spec";

const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/);
const hostName = fc.array(label, { minLength: 1, maxLength: 4 }).map((ls) => ls.join("."));
const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join("."));
const user = fc.stringMatching(/^[a-z_][a-z0-9_-]{0,15}$/);
const port = fc.integer({ min: 1, max: 65535 });

const hostKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";

describe("parseSshTarget", () => {
    it("round-trips user@host:port for host names and IPv4 addresses", () => {
        fc.assert(
            fc.property(user, fc.oneof(hostName, ipv4), port, (u, h, p) => {
                expect(parseSshTarget(`${u}@${h}:${p}`)).toEqual({ user: u, host: h, port: p });
            }),
        );
    });

    it("defaults the user to root and the port to 22", () => {
        fc.assert(
            fc.property(fc.oneof(hostName, ipv4), (h) => {
                expect(parseSshTarget(h)).toEqual({ user: "root", host: h, port: 22 });
                expect(parseSshTarget(`admin@${h}`)).toEqual({ user: "admin", host: h, port: 22 });
            }),
        );
    });

    it("takes IPv6 addresses in brackets", () => {
        expect(parseSshTarget("root@[fd00::1]:2222")).toEqual({ user: "root", host: "fd00::1", port: 2222 });
        expect(parseSshTarget("[::1]")).toEqual({ user: "root", host: "::1", port: 22 });
    });

    it("refuses ports out of range, naming --ssh and the fix", () => {
        fc.assert(
            fc.property(fc.oneof(fc.integer({ min: 65536, max: 10 ** 6 }), fc.constant(0)), (p) => {
                expect(() => parseSshTarget(`root@host:${p}`)).toThrow(/^--ssh "root@host:\d+": port "\d+" must be a number from 1 to 65535; give user@host/);
            }),
        );
    });

    it("refuses malformed targets with a SpecError and never anything else", () => {
        for (const bad of ["", "@", "root@", "root@:22", "root@host:", "root@host:x", "Root Name@host", "root@fd00::1", "root@[fd00::1", "root@ho st"]) {
            expect(() => parseSshTarget(bad)).toThrow(SpecError);
        }
        fc.assert(
            fc.property(fc.string(), (s) => {
                try {
                    const r = parseSshTarget(s);
                    expect(r.port).toBeGreaterThanOrEqual(1);
                    expect(r.host).not.toBe("");
                } catch (err) {
                    expect(err).toBeInstanceOf(SpecError);
                    expect((err as Error).message).toMatch(/^--ssh /);
                }
            }),
        );
    });

    it("names every host with a valid endpoint name", () => {
        fc.assert(
            fc.property(fc.oneof(hostName, ipv4), (h) => {
                expect(() => validateEndpoints([{ name: endpointNameForHost(h), mode: "local" }])).not.toThrow();
            }),
        );
        expect(endpointNameForHost("node1.example.org")).toBe("node1");
        expect(endpointNameForHost("192.168.1.20")).toBe("192-168-1-20");
    });
});

describe("validateEndpoints", () => {
    it("accepts a local endpoint and a full ssh endpoint", () => {
        const specs = validateEndpoints([
            { name: "local", mode: "local" },
            { name: "host2", mode: "ssh", host: "10.0.0.2", port: 22, user: "root", hostKey, clientCertificatePath: "/c.pem", clientKeyPath: "/k.pem" },
        ]);
        expect(specs.map((s) => s.name)).toEqual(["local", "host2"]);
    });

    it("names the key and the fix for each problem", () => {
        expect(() => validateEndpoints({})).toThrow(/^bcm:endpoints: must be a list of endpoints, e\.g\./);
        expect(() => validateEndpoints([])).toThrow(/^bcm:endpoints: is empty; give at least one endpoint/);
        expect(() => validateEndpoints([{ name: "a", mode: "ftp" }])).toThrow('bcm:endpoints[0].mode: must be "local" or "ssh", got "ftp"');
        expect(() => validateEndpoints([{ name: "a", mode: "ssh" }])).toThrow("bcm:endpoints[0].host: missing; set it");
        expect(() => validateEndpoints([{ name: "a", mode: "local", host: "x" }])).toThrow('bcm:endpoints[0].host: only for mode "ssh"; remove it or set mode "ssh"');
        expect(() => validateEndpoints([{ name: "a", mode: "local", colour: 1 }])).toThrow("bcm:endpoints[0].colour: unknown key; remove it");
        expect(() => validateEndpoints([{ name: "a", mode: "local", profileConfig: { x: 1 } }])).toThrow("bcm:endpoints[0].profileConfig: must be an object");
        expect(() => validateEndpoints([{ name: "a", mode: "local" }, { name: "a", mode: "local" }])).toThrow(
            'bcm:endpoints[1].name: "a" is also bcm:endpoints[0]; endpoint names must be unique',
        );
    });

    it("requires an ssh endpoint's host key, pinned, and refuses one that is no key", () => {
        const ssh = { name: "h", mode: "ssh", host: "h", clientCertificatePath: "/c", clientKeyPath: "/k" };
        expect(() => validateEndpoints([ssh])).toThrow(/^bcm:endpoints\[0\]\.hostKey: missing; pin the host's SSH key/);
        expect(() => validateEndpoints([{ ...ssh, hostKey: "not a key" }])).toThrow(/^bcm:endpoints\[0\]\.hostKey: is not an SSH public key/);
        expect(validateEndpoints([{ ...ssh, hostKey }])[0].hostKey).toBe(hostKey);
    });

    it("refuses profileConfig keys that open the host (raw.*, privileged, a shared id map) before anything is registered", () => {
        for (const [k, v] of [["raw.idmap", "both 0 0"], ["raw.lxc", "lxc.cap.drop="], ["raw.apparmor", "mount,"], ["security.privileged", "true"], ["security.idmap.isolated", "false"]]) {
            expect(() => validateEndpoints([{ name: "a", mode: "local", profileConfig: { "limits.cpu": "2", [k]: v } }])).toThrow(
                new RegExp(`^bcm:endpoints\\[0\\]\\.profileConfig\\["${k.replace(/\./g, "\\.")}"\\]: .*; (remove config|remove config "security)`),
            );
        }
        expect(validateEndpoints([{ name: "a", mode: "local", profileConfig: { "limits.cpu": "2", "security.idmap.isolated": "true" } }])[0].profileConfig).toEqual({
            "limits.cpu": "2",
            "security.idmap.isolated": "true",
        });
    });

    it("takes an ssh endpoint's LXD_DIR and bridge, and names what is wrong with them", () => {
        const ssh = { name: "h", mode: "ssh", host: "h", hostKey, clientCertificatePath: "/c", clientKeyPath: "/k" };
        expect(validateEndpoints([{ ...ssh, lxdDir: "/var/snap/lxd/common/lxd", bridge: { ipv4Address: "10.78.0.1/24", ipv4Nat: false } }])[0]).toMatchObject({
            lxdDir: "/var/snap/lxd/common/lxd",
            bridge: { ipv4Address: "10.78.0.1/24", ipv4Nat: false },
        });
        expect(() => validateEndpoints([{ ...ssh, lxdDir: "var/lib/lxd" }])).toThrow('bcm:endpoints[0].lxdDir: "var/lib/lxd" must be an absolute path');
        expect(() => validateEndpoints([{ ...ssh, bridge: { ipv4Address: "10.78.0.0" } }])).toThrow("bcm:endpoints[0].bridge.ipv4Address: must be");
        expect(() => validateEndpoints([{ ...ssh, bridge: { ipv4Nat: "no" } }])).toThrow("bcm:endpoints[0].bridge.ipv4Nat: must be true or false");
        expect(() => validateEndpoints([{ ...ssh, bridge: { mtu: 1400 } }])).toThrow("bcm:endpoints[0].bridge.mtu: unknown key");
        expect(() => validateEndpoints([{ name: "a", mode: "local", lxdDir: "/x" }])).toThrow('bcm:endpoints[0].lxdDir: only for mode "ssh"');
    });

    it("refuses every port outside 1-65535 and every name that is not a host name", () => {
        fc.assert(
            fc.property(fc.oneof(fc.integer({ max: 0 }), fc.integer({ min: 65536 }), fc.double({ min: 1.1, max: 2, noInteger: true })), (p) => {
                expect(() =>
                    validateEndpoints([{ name: "h", mode: "ssh", host: "h", port: p, hostKey, clientCertificatePath: "/c", clientKeyPath: "/k" }]),
                ).toThrow("bcm:endpoints[0].port: must be a whole number from 1 to 65535");
            }),
        );
        fc.assert(
            fc.property(fc.string().filter((s) => !/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(s)), (n) => {
                expect(() => validateEndpoints([{ name: n, mode: "local" }])).toThrow(SpecError);
            }),
        );
    });

    it("keeps a valid spec as it is", () => {
        fc.assert(
            fc.property(fc.uniqueArray(label, { minLength: 1, maxLength: 5 }), (names) => {
                const specs = names.map((name) => ({ name, mode: "local" as const }));
                expect(validateEndpoints(specs)).toEqual(specs);
            }),
        );
    });

    it("checks bcm:images and cluster names", () => {
        expect(() => validateImages({ "bcm-base": { metadataPath: "/m", rootfsPath: "/r" } })).toThrow(/bcm:images\.bcm-template: missing.*images\/build\.sh/);
        expect(() => checkClusterName("Bad_Name")).toThrow(/cluster name "Bad_Name": use lower-case letters/);
        expect(checkClusterName("test123")).toBe("test123");
    });
});
