import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import { clearStaleLocks, heldLockLine, judgeLock, lockDirs, processStart, probeHolder, readLocks, startSlackMs } from "./stackLock";

const at = "2025-01-02T03:04:05.678901234Z";
const lockedAt = Date.parse(at);

describe("judging a stack lock", () => {
    it("never clears a lock held on another host, whatever this host knows of the pid", () => {
        fc.assert(
            fc.property(fc.string(), fc.string(), fc.integer(), fc.boolean(), fc.option(fc.integer()), (host, here, pid, exists, started) => {
                fc.pre(host !== here);
                const v = judgeLock({ pid, hostname: host, timestamp: at }, here, { exists, startedAtMs: started ?? undefined });
                expect(v.kind).toBe("elsewhere");
            }),
        );
    });

    it("clears a lock whose process is gone", () => {
        expect(judgeLock({ pid: 4242, hostname: "h", timestamp: at }, "h", { exists: false })).toEqual({ kind: "stale", why: "its process 4242 no longer exists" });
    });

    it("keeps a lock whose process exists and may have written it (started before the lock, or start unknown)", () => {
        fc.assert(
            fc.property(fc.integer({ min: 1, max: 4_000_000 }), fc.option(fc.integer({ min: -1e12, max: startSlackMs })), (pid, offset) => {
                const probe = { exists: true, startedAtMs: offset === null ? undefined : lockedAt + offset };
                expect(judgeLock({ pid, hostname: "h", timestamp: at }, "h", probe)).toEqual({ kind: "live" });
            }),
        );
    });

    it("clears a lock whose pid now belongs to a process started after the lock was written", () => {
        fc.assert(
            fc.property(fc.integer({ min: 1, max: 4_000_000 }), fc.integer({ min: startSlackMs + 1, max: 1e10 }), (pid, later) => {
                const v = judgeLock({ pid, hostname: "h", timestamp: at }, "h", { exists: true, startedAtMs: lockedAt + later });
                expect(v).toMatchObject({ kind: "stale", why: expect.stringMatching(/started after the lock/) });
            }),
        );
    });

    it("treats a lock naming no process as stale (kill(0) would mean the process group)", () => {
        expect(judgeLock({ pid: 0, hostname: "h", timestamp: at }, "h", { exists: true }).kind).toBe("stale");
        expect(judgeLock({ pid: -5, hostname: "h", timestamp: at }, "h", { exists: true }).kind).toBe("stale");
    });
});

describe("this host's processes", () => {
    it("knows this process exists and started before now, and a free pid does not exist", () => {
        const me = probeHolder(process.pid);
        expect(me.exists).toBe(true);
        expect(me.startedAtMs).toBeLessThanOrEqual(Date.now() + startSlackMs);
        expect(me.startedAtMs).toBeGreaterThan(Date.now() - 24 * 3600_000 * 365);
        // pid_max is at most 4194304: a larger pid never exists.
        expect(probeHolder(4_194_305 + 17)).toEqual({ exists: false });
        expect(probeHolder(0)).toEqual({ exists: false });
    });

    it("counts a zombie as gone: killed with its parent and not yet reaped, it holds nothing", () => {
        const proc = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-proc-"));
        try {
            // This process exists (signal 0 reaches it); the fake /proc says it is a zombie.
            fs.mkdirSync(path.join(proc, String(process.pid)));
            fs.writeFileSync(path.join(proc, String(process.pid), "stat"), `${process.pid} (pulumi) Z 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 100 0 0\n`);
            fs.writeFileSync(path.join(proc, "stat"), "btime 1700000000\n");
            expect(probeHolder(process.pid, proc)).toEqual({ exists: false });
            fs.writeFileSync(path.join(proc, String(process.pid), "stat"), `${process.pid} (pulumi) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 100 0 0\n`);
            expect(probeHolder(process.pid, proc)).toEqual({ exists: true, startedAtMs: (1700000000 + 1) * 1000 });
        } finally {
            fs.rmSync(proc, { recursive: true, force: true });
        }
    });

    it("reads the start time from a stat line whose command name has spaces and parentheses", () => {
        const proc = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-proc-"));
        try {
            fs.mkdirSync(path.join(proc, "77"));
            const after = ["S", ...Array.from({ length: 18 }, (_, i) => String(i + 4)), "1234500", "0"];
            fs.writeFileSync(path.join(proc, "77", "stat"), `77 (a b) (c)) ${after.join(" ")}\n`);
            fs.writeFileSync(path.join(proc, "stat"), "cpu 1 2 3\nbtime 1700000000\nprocesses 5\n");
            const start = processStart(77, proc)!;
            // 1234500 ticks at 100 Hz (getconf CLK_TCK on Linux) = 12345 s after boot.
            expect(start).toBe((1700000000 + 12345) * 1000);
        } finally {
            fs.rmSync(proc, { recursive: true, force: true });
        }
    });
});

describe("clearing stale locks in a state directory", () => {
    const state = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-locks-"));
    const dir = lockDirs(state, "bcm", "standalone")[0];
    const write = (id: string, content: object | string) => {
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(path.join(dir, `${id}.json`), typeof content === "string" ? content : JSON.stringify(content));
    };
    afterAll(() => fs.rmSync(state, { recursive: true, force: true }));

    it("finds the engine's layout (organization/<project>/<stack>) and removes only provably stale locks", () => {
        expect(dir).toBe(path.join(state, ".pulumi", "locks", "organization", "bcm", "standalone"));
        write("gone", { pid: 111, username: "root", hostname: "here", timestamp: at });
        write("live", { pid: 222, username: "root", hostname: "here", timestamp: at });
        write("far", { pid: 111, username: "root", hostname: "there", timestamp: at });
        write("torn", "{\"pid\": 1");
        const report = clearStaleLocks(state, "bcm", "standalone", (pid) => ({ exists: pid === 222, startedAtMs: lockedAt - 1000 }), "here");
        expect(report.cleared.map((c) => path.basename(c.lock.file))).toEqual(["gone.json"]);
        expect(report.held.map((h) => [path.basename(h.lock.file), h.verdict.kind]).sort()).toEqual([
            ["far.json", "elsewhere"],
            ["live.json", "live"],
            ["torn.json", "elsewhere"],
        ]);
        expect(fs.readdirSync(dir).sort()).toEqual(["far.json", "live.json", "torn.json"]);
        expect(readLocks(state, "bcm", "other")).toEqual([]);
    });

    it("says in one line what holds a lock it leaves, and the way out", () => {
        for (const h of clearStaleLocks(state, "bcm", "standalone", () => ({ exists: true }), "here").held) {
            const line = heldLockLine("standalone", h);
            expect(line).not.toContain("\n");
            expect(line).toMatch(/wait for it to end|delete /);
        }
    });
});
