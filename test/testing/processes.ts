// The processes of one engine run, found by a marker in their environment: a test puts
// `BCM_RUN_MARKER=<unique>` into the environment of the run it starts, every process the
// run starts inherits it (the engine, its plugins, their children), and nothing else has it.
import * as fs from "node:fs";

export const markerVariable = "BCM_RUN_MARKER";

/** A process of the run. */
export interface RunProcess {
    pid: number;
    ppid: number;
    /** Single-letter state (R, S, D, Z, …). */
    state: string;
    /** The command line, spaces between arguments. */
    cmdline: string;
}

/** What kind of process this is in an engine run, for reports. */
export function roleOf(p: Pick<RunProcess, "cmdline">): string {
    const c = p.cmdline;
    const roles: [RegExp, string][] = [
        [/pulumi-language-nodejs/, "language host"],
        [/lxd\/provider\/main|pulumi-resource-lxd/, "LXD provider"],
        [/pulumi-resource-command/, "command plugin"],
        [/pulumi-resource-random/, "random plugin"],
        [/pulumi-resource-docker/, "docker plugin"],
        [/run-policy-pack/, "policy pack"],
        [/@pulumi\/pulumi\/cmd\/run\b|cmd\/run\/index/, "program"],
        [/(^|\/)pulumi (up|preview|destroy|refresh|stack)/, "engine"],
    ];
    return roles.find(([re]) => re.test(c))?.[1] ?? c.split(" ")[0];
}

/** Every live (not zombie) process whose environment holds `BCM_RUN_MARKER=<marker>`. */
export function processesWithMarker(marker: string, procRoot = "/proc"): RunProcess[] {
    const needle = `${markerVariable}=${marker}\0`;
    const out: RunProcess[] = [];
    for (const entry of fs.readdirSync(procRoot)) {
        if (!/^\d+$/.test(entry)) continue;
        try {
            const environ = fs.readFileSync(`${procRoot}/${entry}/environ`, "latin1");
            if (!environ.includes(needle) && !environ.endsWith(needle.slice(0, -1))) continue;
            const stat = fs.readFileSync(`${procRoot}/${entry}/stat`, "utf8");
            const after = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
            if (after[0] === "Z") continue;
            const cmdline = fs.readFileSync(`${procRoot}/${entry}/cmdline`, "utf8").split("\0").filter((s) => s !== "").join(" ");
            out.push({ pid: Number(entry), ppid: Number(after[1]), state: after[0], cmdline });
        } catch {
            // gone meanwhile, or not ours to read
        }
    }
    return out;
}

/** Waits until no process of the run is left, up to `seconds`; returns those still there. */
export async function waitForNoProcesses(marker: string, seconds: number, exclude: number[] = []): Promise<RunProcess[]> {
    const deadline = Date.now() + seconds * 1000;
    for (;;) {
        const left = processesWithMarker(marker).filter((p) => !exclude.includes(p.pid));
        if (left.length === 0 || Date.now() > deadline) return left;
        await new Promise((r) => setTimeout(r, 250));
    }
}
