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

    it("does not apply to other resource types", async () => {
        expect((await run(service())).notApplicable).toMatch(/applies to/);
    });

    it("stays mandatory even if the config downgrades it", async () => {
        const policy = { ...noPrivilegedContainers, enforcementLevel: "advisory" as const };
        const r = await runResourcePolicy(policy, instance({ config: { "security.privileged": "true" } }), regtest);
        expect(r.violations[0].level).toBe("mandatory");
    });
});
