// The process behind an lxd:index:InstanceSocket: `bcm-docker-forward` (toolchain/
// dockerforward), started detached in a session of its own so that it outlives the engine
// run that made it, with nothing of the run's environment (no passphrase, no marker) but
// PATH. Its pid is kept beside the socket (`<socket>.pid`), its log too (`<socket>.log`).
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export const forwarderBinary = "bcm-docker-forward";

/** What a forwarder serves. */
export interface ForwarderSpec {
    /** The socket on this host. */
    path: string;
    instance: string;
    /** The socket inside the instance. */
    target: string;
    /** The local LXD daemon's socket. */
    lxdSocket: string;
}

export const pidFile = (socket: string): string => `${socket}.pid`;
export const logFile = (socket: string): string => `${socket}.log`;

/** The forwarder's command line (pure: tested directly). */
export function forwarderArgs(s: ForwarderSpec): string[] {
    return ["-listen", s.path, "-instance", s.instance, "-connect", s.target, "-lxd", s.lxdSocket];
}

/** Whether a process's command line (NUL-separated, as in /proc) is a forwarder serving this spec. */
export function servesSpec(cmdline: string, s: ForwarderSpec): boolean {
    const args = cmdline.split("\0").filter((a) => a !== "");
    return path.basename(args[0] ?? "") === forwarderBinary && args.slice(1).join("\0") === forwarderArgs(s).join("\0");
}

/** The pid of the live forwarder serving this spec, if any. */
export function runningForwarder(s: ForwarderSpec, procRoot = "/proc"): number | undefined {
    let pid: number;
    try {
        pid = Number(fs.readFileSync(pidFile(s.path), "utf8").trim());
    } catch {
        return undefined;
    }
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    try {
        const stat = fs.readFileSync(path.join(procRoot, String(pid), "stat"), "utf8");
        if (stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z")) return undefined;
        return servesSpec(fs.readFileSync(path.join(procRoot, String(pid), "cmdline"), "utf8"), s) ? pid : undefined;
    } catch {
        return undefined;
    }
}

/** The forwarder binary on PATH (the engine's bin/ comes first there). */
export function findForwarder(pathVar = process.env.PATH ?? ""): string {
    for (const dir of pathVar.split(path.delimiter).filter((d) => d !== "")) {
        const file = path.join(dir, forwarderBinary);
        try {
            fs.accessSync(file, fs.constants.X_OK);
            return file;
        } catch {
            // not here
        }
    }
    throw new Error(`${forwarderBinary} is not on PATH: the engine built by toolchain/build.sh has it in its bin/; run \`npm run setup\``);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts a forwarder and waits until its socket is there; an error quotes its log. */
export async function startForwarder(s: ForwarderSpec, timeoutMs = 10_000): Promise<number> {
    const bin = findForwarder();
    fs.mkdirSync(path.dirname(s.path), { recursive: true, mode: 0o700 });
    const log = fs.openSync(logFile(s.path), "a", 0o600);
    const child = spawn(bin, forwarderArgs(s), { detached: true, stdio: ["ignore", log, log], env: { PATH: process.env.PATH ?? "/usr/bin:/bin" } });
    fs.closeSync(log);
    child.unref();
    const pid = child.pid;
    if (pid === undefined) throw new Error(`${forwarderBinary} did not start`);
    fs.writeFileSync(pidFile(s.path), `${pid}\n`, { mode: 0o600 });
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
        if (fs.statSync(s.path, { throwIfNoEntry: false })?.isSocket() && runningForwarder(s) === pid) return pid;
        if (child.exitCode !== null) break;
        await sleep(50);
    }
    const last = fs.readFileSync(logFile(s.path), "utf8").trim().split("\n").pop() ?? "";
    throw new Error(`${forwarderBinary} for ${s.path} did not come up${last ? `: ${last}` : ""}`);
}

/** Stops a forwarder (SIGTERM, then SIGKILL after `timeoutMs`) and removes its files. */
export async function stopForwarder(s: ForwarderSpec, timeoutMs = 5000): Promise<void> {
    const pid = runningForwarder(s);
    if (pid !== undefined) {
        process.kill(pid, "SIGTERM");
        const deadline = Date.now() + timeoutMs;
        while (runningForwarder(s) === pid && Date.now() < deadline) await sleep(50);
        if (runningForwarder(s) === pid) process.kill(pid, "SIGKILL");
    }
    for (const f of [s.path, pidFile(s.path), logFile(s.path)]) fs.rmSync(f, { force: true });
}
