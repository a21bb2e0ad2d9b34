// Peak memory of a process tree, from /proc: every `intervalMs` the tree under a root pid is
// walked and each process's VmHWM (the kernel's own peak RSS of that process) and VmRSS are
// read. VmHWM is exact up to the last sample before a process exits; the tree total is the
// sum of VmRSS at one sample, so it is the peak of what ran at the same time.
import * as fs from "node:fs";

/** What the sampler saw of one process. */
export interface ProcessPeak {
    pid: number;
    /** The role of the process (see {@link classify}). */
    role: string;
    /** Its peak RSS in kB (VmHWM at the last sample that saw it). */
    hwmKiB: number;
}

export interface TreePeaks {
    /** Every process seen under the root. */
    processes: ProcessPeak[];
    /** The largest sum of VmRSS over the tree at one sample, kB. */
    treeKiB: number;
    /** Samples taken. */
    samples: number;
}

/** The role of a process in an engine run, from its command line. */
export function classify(argv: string[]): string {
    const exe = (argv[0] ?? "").split("/").pop() ?? "";
    const rest = argv.slice(1).join(" ");
    if (exe === "pulumi") return "pulumi CLI";
    if (exe === "pulumi-language-nodejs") return "language host";
    const plugin = /^pulumi-resource-(.+)$/.exec(exe);
    if (plugin) return `provider ${plugin[1]}`;
    if (exe === "node" || exe === "nodejs") {
        if (/@pulumi\/pulumi\/cmd\/run\b/.test(rest)) return "program (node)";
        if (/components\/lxd\/provider\/main/.test(rest)) return "provider lxd (node)";
        if (/@pulumi\/pulumi\/cmd\/dynamic-provider\b/.test(rest)) return "provider dynamic (node)";
        return "node (other)";
    }
    return exe || "?";
}

function readText(file: string): string | undefined {
    try {
        return fs.readFileSync(file, "utf8");
    } catch {
        return undefined; // the process exited between listing and reading
    }
}

/** Parent of every process: the 4th field of /proc/<pid>/stat, after the command in parentheses. */
function parents(): Map<number, number[]> {
    const children = new Map<number, number[]>();
    for (const entry of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) continue;
        const stat = readText(`/proc/${entry}/stat`);
        if (!stat) continue;
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        const ppid = Number(fields[1]);
        const list = children.get(ppid) ?? [];
        list.push(Number(entry));
        children.set(ppid, list);
    }
    return children;
}

function kib(status: string, key: string): number {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status);
    return m ? Number(m[1]) : 0;
}

/** Samples the tree under `root` (the root itself unless `includeRoot` is false) until stopped. */
export class TreeSampler {
    private readonly seen = new Map<number, ProcessPeak>();
    private treeKiB = 0;
    private samples = 0;
    private timer?: NodeJS.Timeout;

    constructor(
        private readonly root: number,
        private readonly opts: { includeRoot: boolean; intervalMs?: number } = { includeRoot: true },
    ) {}

    public start(): this {
        this.sample();
        this.timer = setInterval(() => this.sample(), this.opts.intervalMs ?? 200);
        return this;
    }

    public stop(): TreePeaks {
        if (this.timer) clearInterval(this.timer);
        this.timer = undefined;
        return { processes: [...this.seen.values()], treeKiB: this.treeKiB, samples: this.samples };
    }

    private sample(): void {
        const children = parents();
        const pids: number[] = this.opts.includeRoot ? [this.root] : [];
        const queue = [...(children.get(this.root) ?? [])];
        while (queue.length > 0) {
            const pid = queue.shift()!;
            pids.push(pid);
            queue.push(...(children.get(pid) ?? []));
        }
        let total = 0;
        for (const pid of pids) {
            const status = readText(`/proc/${pid}/status`);
            if (!status) continue;
            const rss = kib(status, "VmRSS");
            const hwm = kib(status, "VmHWM");
            total += rss;
            // Read every time: a plugin started through a shell wrapper execs into its real program.
            const argv = (readText(`/proc/${pid}/cmdline`) ?? "").split("\0").filter((a) => a !== "");
            const known = this.seen.get(pid);
            if (known) {
                known.hwmKiB = Math.max(known.hwmKiB, hwm);
                if (argv.length > 0) known.role = classify(argv);
            } else if (argv.length > 0) {
                // (An empty command line is a process that has just exited: nothing to count.)
                this.seen.set(pid, { pid, role: classify(argv), hwmKiB: hwm });
            }
        }
        this.treeKiB = Math.max(this.treeKiB, total);
        this.samples++;
    }
}

/** Peaks by role: the largest single process of each role, and how many processes had it. */
export function peaksByRole(peaks: TreePeaks): Map<string, { maxKiB: number; count: number }> {
    const byRole = new Map<string, { maxKiB: number; count: number }>();
    for (const p of peaks.processes) {
        const r = byRole.get(p.role) ?? { maxKiB: 0, count: 0 };
        r.maxKiB = Math.max(r.maxKiB, p.hwmKiB);
        r.count++;
        byRole.set(p.role, r);
    }
    return byRole;
}
