import fc from "fast-check";
import { computed, messages, runResourcePolicy } from "../testing/harness";
import { container, instance, profile, regtest, service } from "../testing/fixtures";
import { noPrivilegedContainers } from "./noPrivilegedContainers";

const run = (r: Parameters<typeof runResourcePolicy>[1]) => runResourcePolicy(noPrivilegedContainers, r, regtest);

describe("no-privileged-containers", () => {
    it("passes unprivileged instances and profiles with nesting", async () => {
        const r1 = await run(instance({ config: { "security.nesting": "true", "security.privileged": "false" } }));
        const r2 = await run(profile({ config: { "security.nesting": "true" }, devices: { root: { type: "disk", path: "/", pool: "default" } } }));
        expect(r1.violations).toEqual([]);
        expect(r2.violations).toEqual([]);
    });

    it("refuses security.privileged in any of the spellings LXD reads as true, naming resource and fix", async () => {
        await fc.assert(
            fc.asyncProperty(
                fc.constantFrom("true", "1", "yes", "on"),
                fc.constantFrom((s: string) => s, (s: string) => s.toUpperCase(), (s: string) => ` ${s} `),
                fc.boolean(),
                async (word, spell, onProfile) => {
                    const config = { "security.privileged": spell(word) };
                    const r = await run(onProfile ? profile({ config }) : instance({ config }));
                    expect(r.violations).toHaveLength(1);
                    expect(r.violations[0].level).toBe("mandatory");
                    expect(r.violations[0].message).toMatch(
                        new RegExp(`^no-privileged-containers: LXD ${onProfile ? "profile docker" : "instance bitcoin-01"} sets config security.privileged=.*fix: remove config "security.privileged"`),
                    );
                },
            ),
        );
    });

    it("refuses a privileged value not known before deploy", async () => {
        const r = await run(instance({ config: { "security.privileged": computed } }));
        expect(messages(r)[0]).toContain("security.privileged=<computed>");
    });

    it("refuses the host's docker socket passed in as a disk device", async () => {
        const r = await run(instance({ devices: { sock: { type: "disk", source: "/var/run/docker.sock", path: "/var/run/docker.sock" } } }));
        expect(messages(r)).toEqual([expect.stringContaining('passes the host\'s Docker socket in (device "sock"')]);
    });

    it("refuses privileged docker containers and passes the rest", async () => {
        expect(messages(await run(container({ privileged: true })))).toEqual([
            expect.stringContaining("no-privileged-containers: container worker sets privileged: true"),
        ]);
        expect((await run(container({ privileged: false }))).violations).toEqual([]);
    });

    const home = "/root/.bcm";
    const withHome = { ...regtest, hostPaths: [home] };
    const runHome = (r: Parameters<typeof runResourcePolicy>[1]) => runResourcePolicy(noPrivilegedContainers, r, withHome);

    it.each([
        ["raw.idmap", "both 0 0", /raw\.idmap.*host root/],
        ["raw.lxc", "lxc.apparmor.profile=unconfined", /raw\.lxc/],
        ["raw.apparmor", "mount,", /raw\.apparmor/],
        ["raw.seccomp", "2\nallowlist", /raw\.seccomp/],
        ["security.idmap.isolated", "false", /security\.idmap\.isolated=false/],
        ["security.idmap.isolated", "0", /security\.idmap\.isolated=0/],
    ])("refuses config %s=%j on profiles and instances", async (key, value, message) => {
        for (const r of [profile({ config: { [key]: value } }), instance({ config: { [key]: value } })]) {
            const found = messages(await runHome(r));
            expect(found).toHaveLength(1);
            expect(found[0]).toMatch(message);
            expect(found[0]).toContain(`fix: `);
        }
    });

    it("passes security.idmap.isolated=true and harmless keys", async () => {
        const r = await runHome(profile({ config: { "security.idmap.isolated": "true", "security.nesting": "true", "limits.memory": "2GiB", "user.bcm.cluster": "c" } }));
        expect(r.violations).toEqual([]);
    });

    it("refuses raw.* and isolated values not known before deploy", async () => {
        const r = await runHome(instance({ config: { "raw.lxc": computed, "security.idmap.isolated": computed } }));
        expect(messages(r)).toEqual([expect.stringContaining("raw.lxc"), expect.stringContaining("security.idmap.isolated=<computed>")]);
    });

    it.each(["unix-char", "unix-block", "unix-hotplug", "usb", "gpu", "pci"])("refuses a %s device, and passes a nic", async (type) => {
        expect(messages(await runHome(instance({ devices: { d: { type, path: "/dev/x" } } })))).toEqual([expect.stringContaining(`passes host device "d" (type ${type})`)]);
        expect((await runHome(instance({ devices: { eth0: { type: "nic", network: "lxdbr0", name: "eth0" } } }))).violations).toEqual([]);
    });

    it("refuses a disk from a host path outside the project's own, and passes volumes and the project's paths", async () => {
        const refused = await runHome(instance({ devices: { etc: { type: "disk", source: "/etc", path: "/mnt/etc" }, esc: { type: "disk", source: `${home}/../../etc`, path: "/mnt" } } }));
        expect(messages(refused)).toEqual([expect.stringContaining("passes host path /etc in (disk \"etc\")"), expect.stringContaining(`passes host path ${home}/../../etc`)]);
        const passed = await runHome(
            instance({
                devices: {
                    root: { type: "disk", path: "/", pool: "default" },
                    dockerdisk: { type: "disk", pool: "default", source: "bcm-gateway-01-docker", path: "/var/lib/docker" },
                    mine: { type: "disk", source: `${home}/shared`, path: "/mnt/shared" },
                },
            }),
        );
        expect(passed.violations).toEqual([]);
        // Without hostPaths no host path is the project's own.
        expect(messages(await run(instance({ devices: { mine: { type: "disk", source: `${home}/shared`, path: "/mnt" } } })))).toHaveLength(1);
    });

    it("refuses proxies into host sockets and the host's loopback; passes BCM's own socket and forwards", async () => {
        const refused = await runHome(
            instance({
                devices: {
                    lxd: { type: "proxy", listen: "unix:/run/x.sock", connect: "unix:/var/lib/lxd/unix.socket", bind: "instance" },
                    dockerd: { type: "proxy", listen: "tcp:127.0.0.1:2375", connect: "unix:/var/run/docker.sock", bind: "instance" },
                    abstract: { type: "proxy", listen: "tcp:127.0.0.1:1", connect: "unix:@/tmp/.X11-unix/X0", bind: "instance" },
                    loop: { type: "proxy", listen: "tcp:127.0.0.1:22", connect: "tcp:127.0.0.1:22", bind: "instance" },
                    hijack: { type: "proxy", listen: "unix:/var/run/docker.sock", connect: "unix:/var/run/docker.sock" },
                },
            }),
        );
        expect(messages(refused)).toEqual([
            expect.stringContaining('connects into host socket /var/lib/lxd/unix.socket (proxy "lxd")'),
            expect.stringContaining('connects into host socket /var/run/docker.sock (proxy "dockerd")'),
            expect.stringContaining('connects into host socket @/tmp/.X11-unix/X0'),
            expect.stringContaining('connects into the host\'s loopback (tcp:127.0.0.1:22, proxy "loop")'),
            expect.stringContaining('listens on host socket /var/run/docker.sock (proxy "hijack")'),
        ]);
        const passed = await runHome(
            instance({
                devices: {
                    dockersock: { type: "proxy", listen: `unix:${home}/sockets/c/bcm-gateway-01.sock`, connect: "unix:/var/run/docker.sock", bind: "host", mode: "0600" },
                    forward5010: { type: "proxy", listen: "tcp:127.0.0.1:5010", connect: "tcp:10.218.0.20:5010", bind: "instance" },
                },
            }),
        );
        expect(passed.violations).toEqual([]);
    });

    it("leaves a proxy whose host side is not known in a preview to the update, where the same address is judged", async () => {
        // A tier container's forward to the gateway's address: unknown before the gateway exists.
        expect(messages(await runHome(instance({ devices: { p: { type: "proxy", listen: "tcp:127.0.0.1:1", connect: computed, bind: "instance" } } })))).toEqual([]);
        // At the update the engine has the value: into the host's loopback is refused then.
        expect(messages(await runHome(instance({ devices: { p: { type: "proxy", listen: "tcp:127.0.0.1:1", connect: "tcp:127.0.0.1:22", bind: "instance" } } })))).toEqual([
            expect.stringContaining("connects into the host's loopback"),
        ]);
    });

    it("never passes a random config map that holds a forbidden key", async () => {
        const forbidden = fc.oneof(
            fc.tuple(fc.constantFrom("raw.idmap", "raw.lxc", "raw.apparmor", "raw.seccomp", "raw.qemu", "RAW.LXC", "raw."), fc.string()),
            fc.tuple(fc.constant("security.privileged"), fc.constantFrom("1", "true", "yes", "on", "TRUE", " On ")),
            fc.tuple(fc.constant("security.idmap.isolated"), fc.string().filter((v) => !["1", "true", "yes", "on"].includes(v.trim().toLowerCase()))),
        );
        const harmless = fc.dictionary(
            fc.string().filter((k) => !/^\s*(raw\.|security\.privileged\s*$|security\.idmap\.isolated\s*$)/i.test(k) && k !== "__proto__"),
            fc.string(),
        );
        await fc.assert(
            fc.asyncProperty(harmless, forbidden, fc.boolean(), async (rest, [key, value], onProfile) => {
                const config = { ...rest, [key]: value };
                const r = await runHome(onProfile ? profile({ config }) : instance({ config }));
                expect(r.violations.length).toBeGreaterThanOrEqual(1);
                expect(r.violations.every((v) => v.level === "mandatory")).toBe(true);
                expect(messages(r).some((m) => m.includes(key))).toBe(true);
            }),
        );
        // ... and the harmless part alone passes.
        await fc.assert(fc.asyncProperty(harmless, async (config) => expect((await runHome(profile({ config }))).violations).toEqual([])));
    });

    it("does not apply to other resource types", async () => {
        expect((await run(service())).notApplicable).toMatch(/applies to/);
    });

    it("stays mandatory even if the config downgrades it", async () => {
        const policy = { ...noPrivilegedContainers, enforcementLevel: "advisory" as const };
        const r = await runResourcePolicy(policy, instance({ config: { "security.privileged": "true" } }), regtest);
        expect(r.violations[0].level).toBe("mandatory");
    });
});
