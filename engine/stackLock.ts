// Stack locks of the file backend, and which of them a killed run left behind.
//
// The pinned engine (pkg/v3 v3.248.0, backend/diy/lock.go) takes a lock for every update,
// refresh, destroy and import: a file `<state>/.pulumi/locks/organization/<project>/<stack>/
// <backend uuid>.json` holding the holder's pid, user name, host name and the time it was
// written, and deletes it when the operation ends. A SIGKILL skips the delete, and every
// later run then stops at "the stack is currently locked … `pulumi cancel`". BCM clears such
// a lock itself, but only when it can prove the holder is gone: the lock names this host,
// and the pid is free or now belongs to a process that started after the lock was written.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** One lock file as the engine wrote it. */
export interface StackLock {
    file: string;
    pid: number;
    username: string;
    hostname: string;
    /** When the holder wrote the lock (RFC 3339 from Go). */
    timestamp: string;
}

/** What is known about the process a lock names, on this host. */
export interface HolderProbe {
    exists: boolean;
    /** When that process started (ms since the epoch), if known. */
    startedAtMs?: number;
}

export type LockVerdict =
    | { kind: "live" }
    | { kind: "stale"; why: string }
    /** Held on another host: nothing here can tell whether its run is still going. */
    | { kind: "elsewhere" };

/**
 * A process whose start time is this far after the lock's time cannot have written it; the
 * slack covers the boot time's one-second resolution in /proc/stat and clock rounding.
 */
export const startSlackMs = 2000;

/** Decides whether a lock's holder is provably gone (pure: tested directly). */
export function judgeLock(lock: Pick<StackLock, "pid" | "hostname" | "timestamp">, thisHost: string, holder: HolderProbe): LockVerdict {
    if (lock.hostname !== thisHost) return { kind: "elsewhere" };
    if (!Number.isInteger(lock.pid) || lock.pid <= 0) return { kind: "stale", why: `it names no process (pid ${lock.pid})` };
    if (!holder.exists) return { kind: "stale", why: `its process ${lock.pid} no longer exists` };
    const lockedAt = Date.parse(lock.timestamp);
    if (holder.startedAtMs !== undefined && !Number.isNaN(lockedAt) && holder.startedAtMs > lockedAt + startSlackMs) {
        return { kind: "stale", why: `pid ${lock.pid} now belongs to a process started after the lock was taken` };
    }
    return { kind: "live" };
}

/** The lock directory of a stack: the project-scoped layout, else the legacy one (stack name only). */
export function lockDirs(stateDir: string, project: string, stack: string): string[] {
    const root = path.join(stateDir, ".pulumi", "locks");
    return [path.join(root, "organization", project, stack), path.join(root, stack)];
}

/** Reads a stack's lock files; an unreadable one is returned with pid 0 (never judged gone by its content alone). */
export function readLocks(stateDir: string, project: string, stack: string): StackLock[] {
    const out: StackLock[] = [];
    for (const dir of lockDirs(stateDir, project, stack)) {
        let names: string[];
        try {
            names = fs.readdirSync(dir).filter((n) => n.endsWith(".json"));
        } catch {
            continue;
        }
        for (const name of names) {
            const file = path.join(dir, name);
            try {
                const c = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<StackLock>;
                out.push({ file, pid: Number(c.pid), username: String(c.username ?? ""), hostname: String(c.hostname ?? ""), timestamp: String(c.timestamp ?? "") });
            } catch {
                out.push({ file, pid: 0, username: "", hostname: "?", timestamp: "" });
            }
        }
    }
    return out;
}

let clockTicks: number | undefined;

/** Clock ticks per second of /proc/<pid>/stat's start time (100 on every common Linux). */
function ticksPerSecond(): number {
    if (clockTicks === undefined) {
        try {
            clockTicks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
        } catch {
            clockTicks = 100;
        }
    }
    return clockTicks;
}

/** The fields of /proc/<pid>/stat after the parenthesised name (state first), if readable. */
function statFields(pid: number, procRoot: string): string[] | undefined {
    try {
        const stat = fs.readFileSync(path.join(procRoot, String(pid), "stat"), "utf8");
        return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    } catch {
        return undefined;
    }
}

/** Start time of a process from /proc (field 22 of stat, after the parenthesised name), if readable. */
export function processStart(pid: number, procRoot = "/proc"): number | undefined {
    try {
        const fields = statFields(pid, procRoot);
        if (!fields) return undefined;
        const ticks = Number(fields[19]);
        const btime = Number(/^btime (\d+)$/m.exec(fs.readFileSync(path.join(procRoot, "stat"), "utf8"))?.[1]);
        if (!Number.isFinite(ticks) || !Number.isFinite(btime)) return undefined;
        return (btime + ticks / ticksPerSecond()) * 1000;
    } catch {
        return undefined;
    }
}

/**
 * Whether a pid is a living process on this host (signal 0), and when it started. A zombie
 * (killed, not yet reaped: its parent was killed with it) holds nothing and counts as gone.
 */
export function probeHolder(pid: number, procRoot = "/proc"): HolderProbe {
    if (!Number.isInteger(pid) || pid <= 0) return { exists: false };
    try {
        process.kill(pid, 0);
    } catch (err) {
        // EPERM: it exists but belongs to another user.
        if ((err as NodeJS.ErrnoException).code === "ESRCH") return { exists: false };
    }
    if (statFields(pid, procRoot)?.[0] === "Z") return { exists: false };
    return { exists: true, startedAtMs: processStart(pid, procRoot) };
}

/** What clearing found: locks removed (with the reason) and locks left in place. */
export interface LockReport {
    cleared: { lock: StackLock; why: string }[];
    held: { lock: StackLock; verdict: LockVerdict }[];
}

/**
 * Removes the stack's locks whose holder is provably gone and reports the rest. A lock whose
 * file was unreadable is never removed: its holder is unknown.
 */
export function clearStaleLocks(stateDir: string, project: string, stack: string, probe: (pid: number) => HolderProbe = probeHolder, thisHost = os.hostname()): LockReport {
    const report: LockReport = { cleared: [], held: [] };
    for (const lock of readLocks(stateDir, project, stack)) {
        const verdict = lock.hostname === "?" ? ({ kind: "elsewhere" } as const) : judgeLock(lock, thisHost, probe(lock.pid));
        if (verdict.kind === "stale") {
            fs.rmSync(lock.file, { force: true });
            report.cleared.push({ lock, why: verdict.why });
        } else {
            report.held.push({ lock, verdict });
        }
    }
    return report;
}

/** One line about a lock left in place, naming the way out. */
export function heldLockLine(stack: string, h: LockReport["held"][number]): string {
    const l = h.lock;
    if (l.hostname === "?") return `stack ${stack} has an unreadable lock file ${l.file}; if no run of this stack is going, delete that file`;
    if (h.verdict.kind === "elsewhere") {
        return `stack ${stack} is locked by a run on host ${l.hostname} (pid ${l.pid}, since ${l.timestamp}), which this host cannot check; if no run is going there, delete ${l.file}`;
    }
    return `stack ${stack} is being changed by another run (pid ${l.pid}, since ${l.timestamp}); wait for it to end, then run the command again`;
}
