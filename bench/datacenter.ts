// The data-center benchmark (bench/run.sh runs it, holding /tmp/bcm-datacenter.lock): in one
// run, the standalone data center (gateway tier, Tor offline)
//   1. with the project: `up` of a new stack from nothing, a no-change `up`, `destroy`, on
//      the project's engine with a temporary BCM home, sampling the memory of the engine's
//      processes (pulumi CLI, language host, program, providers) every 200 ms;
//   2. with bench/baseline.sh, the same objects made by hand with lxc and docker: `up`, a
//      second `up` (its no-change run), `down`;
// then a table of both side by side; then
//   3. the full data center (gateway, kafka and bitcoin tiers) with the project, the same
//      three steps, in a second table beside the gateway's figures as its baseline.
// None run at once: their names are fixed (bcm-gateway-01, profile bcm-docker), so each is
// torn down and checked gone first. BCM_BENCH_FULL=0 skips the third.
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { openStack, Progress, repoRoot } from "../engine";
import { standaloneConfig } from "../automation/standalone";
import type { StoredResource } from "../automation/cluster/dockerRecovery";
import { listLive, recordedObjects, vanishedResources } from "../automation/cluster/vanished";
import { writeBaselineFixture } from "./fixture";
import { peaksByRole, TreePeaks, TreeSampler } from "./procmem";

/** What bench/run.sh prints: seconds per step, peaks per role. */
interface Figures {
    seconds: Record<"setup" | "cold" | "noChange" | "teardown" | "driftCheck", number | undefined>;
    memory: Record<"cold" | "noChange", TreePeaks | undefined>;
    /** How many objects the drift check listed on their daemons. */
    driftObjects?: number;
    notes: string[];
}

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const now = () => performance.now() / 1000;

/** The LXD objects both runs create under fixed names; any of them present means someone else's data center. */
function leftovers(): string[] {
    const found: string[] = [];
    const quiet = { stdio: ["ignore", "pipe", "ignore"] as ["ignore", "pipe", "ignore"], encoding: "utf8" as const };
    const containers = execFileSync("lxc", ["list", "--format", "csv", "-c", "n", "^bcm-"], quiet).trim();
    if (containers) found.push(`containers ${containers.split("\n").join(", ")}`);
    const ok = (args: string[]) => {
        try {
            execFileSync("lxc", args, { stdio: "ignore" });
            return true;
        } catch {
            return false;
        }
    };
    if (ok(["profile", "show", "bcm-docker"])) found.push("profile bcm-docker");
    if (ok(["storage", "volume", "show", "default", "bcm-gateway-01-docker"])) found.push("volume default/bcm-gateway-01-docker");
    return found;
}

function requireClean(after: string): void {
    const left = leftovers();
    if (left.length > 0) throw new Error(`after ${after}, still on LXD: ${left.join("; ")}; clean up before benchmarking again`);
}

/** Runs `fn` with the engine's processes (our children) sampled. */
async function sampled<T>(fn: () => Promise<T>): Promise<{ result: T; seconds: number; peaks: TreePeaks }> {
    const sampler = new TreeSampler(process.pid, { includeRoot: false }).start();
    const t = now();
    try {
        const result = await fn();
        return { result, seconds: now() - t, peaks: sampler.stop() };
    } finally {
        sampler.stop();
    }
}

/** The tiers of the full data center (BCM_TIERS of `npm run up`'s default). */
const fullTiers = "gateway,kafka,bitcoin";

async function benchPulumi(tiers = "gateway"): Promise<Figures> {
    const f: Figures = { seconds: { setup: undefined, cold: undefined, noChange: undefined, teardown: undefined, driftCheck: undefined }, memory: { cold: undefined, noChange: undefined }, notes: [] };
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-bench-"));
    const stackName = `bench${process.pid}`;
    // The chain volume is not kept, so destroy leaves nothing behind.
    const config = { ...standaloneConfig({ BCM_TIERS: tiers }), "bcm:dockerSocketDir": path.join(home, "sockets"), "bcm:bitcoin": JSON.stringify({ keepChainData: false }) };
    let t = now();
    const stack = await openStack({ workDir: repoRoot, stackName, passphrase: "bench-passphrase", home });
    await stack.setAllConfig(Object.fromEntries(Object.entries(config).map(([k, value]) => [k, { value }])));
    f.seconds.setup = now() - t;
    log(`pulumi: stack ${stackName} in ${home} (plugins installed, config set) in ${f.seconds.setup.toFixed(1)} s`);
    let upDone = false;
    try {
        const cold = await sampled(() => stack.up({ onEvent: new Progress("bench up").onEvent }));
        f.seconds.cold = cold.seconds;
        f.memory.cold = cold.peaks;
        upDone = true;
        log(`pulumi: cold up ${cold.seconds.toFixed(1)} s: ${JSON.stringify(cold.result.summary.resourceChanges)}`);
        const again = await sampled(() => stack.up({ onEvent: new Progress("bench no-change").onEvent }));
        f.seconds.noChange = again.seconds;
        f.memory.noChange = again.peaks;
        const changes = Object.entries(again.result.summary.resourceChanges ?? {}).filter(([op, n]) => op !== "same" && n > 0);
        if (changes.length > 0) f.notes.push(`the program's no-change up was not empty: ${JSON.stringify(Object.fromEntries(changes))}`);
        log(`pulumi: no-change up ${again.seconds.toFixed(1)} s: ${JSON.stringify(again.result.summary.resourceChanges)}`);
        // What every plain deploy through bcm and npm run up adds before its preview: the state's
        // objects listed on their daemons (automation/cluster/vanished.ts); nothing is gone here.
        const resources = ((await stack.exportStack()).deployment as { resources?: StoredResource[] }).resources ?? [];
        const check = await sampled(() => listLive(resources, log));
        const gone = vanishedResources(resources, check.result).gone;
        if (gone.length > 0) f.notes.push(`the drift check found ${gone.length} object(s) gone on a converged data center`);
        f.seconds.driftCheck = check.seconds;
        f.driftObjects = recordedObjects(resources).length;
        log(`pulumi: drift check ${check.seconds.toFixed(1)} s for ${f.driftObjects} objects`);
    } finally {
        t = now();
        try {
            await stack.destroy({ onEvent: new Progress("bench destroy").onEvent });
            if (upDone) f.seconds.teardown = now() - t;
            log(`pulumi: destroy ${(now() - t).toFixed(1)} s`);
        } finally {
            await stack.workspace.removeStack(stackName).catch((e: unknown) => log(`pulumi: stack rm: ${String(e)}`));
            fs.rmSync(path.join(repoRoot, `Pulumi.${stackName}.yaml`), { force: true });
            fs.rmSync(home, { recursive: true, force: true });
        }
    }
    return f;
}

/** Runs `bench/baseline.sh <step>`, timed, with its process tree sampled; output passes through to stderr. */
function baselineStep(step: "up" | "down", work: string): Promise<{ seconds: number; peaks: TreePeaks }> {
    return new Promise((resolve, reject) => {
        const t = now();
        const child = spawn("bash", [path.join(repoRoot, "bench", "baseline.sh"), step], {
            cwd: repoRoot,
            env: { ...process.env, BCM_BENCH_WORK: work },
            stdio: ["ignore", "inherit", "inherit"],
        });
        const sampler = new TreeSampler(child.pid!, { includeRoot: true }).start();
        child.on("error", (e) => {
            sampler.stop();
            reject(e);
        });
        child.on("exit", (code, signal) => {
            const peaks = sampler.stop();
            if (code === 0) resolve({ seconds: now() - t, peaks });
            else reject(new Error(`bench/baseline.sh ${step} exited with ${code ?? signal}`));
        });
    });
}

async function benchBaseline(): Promise<Figures> {
    const f: Figures = { seconds: { setup: undefined, cold: undefined, noChange: undefined, teardown: undefined, driftCheck: undefined }, memory: { cold: undefined, noChange: undefined }, notes: [] };
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-baseline-"));
    let t = now();
    writeBaselineFixture(work);
    f.seconds.setup = now() - t;
    let upDone = false;
    try {
        const cold = await baselineStep("up", work);
        f.seconds.cold = cold.seconds;
        f.memory.cold = cold.peaks;
        upDone = true;
        log(`baseline: cold up ${cold.seconds.toFixed(1)} s`);
        const again = await baselineStep("up", work);
        f.seconds.noChange = again.seconds;
        f.memory.noChange = again.peaks;
        log(`baseline: no-change up ${again.seconds.toFixed(1)} s`);
    } finally {
        t = now();
        const down = await baselineStep("down", work);
        if (upDone) f.seconds.teardown = down.seconds;
        log(`baseline: down ${(now() - t).toFixed(1)} s`);
        fs.rmSync(work, { recursive: true, force: true });
    }
    return f;
}

/** The full data center beside the gateway tier's figures (its baseline: the same engine, one tier). */
export function fullTable(full: Figures, gateway: Figures, shell: Figures): string {
    const rows: string[][] = [
        ["cold bring-up (empty stack → all tiers running)", fmtS(full.seconds.cold), fmtS(gateway.seconds.cold), fmtS(shell.seconds.cold)],
        ["no-change run (second `up`)", fmtS(full.seconds.noChange), fmtS(gateway.seconds.noChange), fmtS(shell.seconds.noChange)],
        [driftRow(full, gateway), fmtS(full.seconds.driftCheck), fmtS(gateway.seconds.driftCheck), "—"],
        ["teardown (destroy / down)", fmtS(full.seconds.teardown), fmtS(gateway.seconds.teardown), fmtS(shell.seconds.teardown)],
        ["peak RSS, whole process tree at once, cold bring-up", fmtMiB(full.memory.cold?.treeKiB), fmtMiB(gateway.memory.cold?.treeKiB), fmtMiB(shell.memory.cold?.treeKiB)],
        ["peak RSS, whole process tree at once, no-change run", fmtMiB(full.memory.noChange?.treeKiB), fmtMiB(gateway.memory.noChange?.treeKiB), fmtMiB(shell.memory.noChange?.treeKiB)],
    ];
    const head = "| step | full data center (pulumi) | gateway tier (pulumi) | gateway tier (shell baseline) |\n|---|---:|---:|---:|";
    return [head, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}

/** The drift check's row: what every plain deploy through bcm adds to the no-change run above it. */
const driftRow = (...f: Figures[]) => `drift check before a plain deploy (listing ${f.map((x) => x.driftObjects ?? "—").join(" / ")} recorded objects on their daemons)`;
const fmtS = (s: number | undefined) => (s === undefined ? "—" : `${s.toFixed(1)} s`);
const fmtMiB = (k: number | undefined) => (k === undefined ? "—" : `${(k / 1024).toFixed(0)} MiB`);

/** The side-by-side table, as Markdown (it goes into bench/README.md as it is). */
export function table(p: Figures, b: Figures): string {
    const rows: [string, string, string][] = [
        ["cold bring-up (empty stack → gateway tier running)", fmtS(p.seconds.cold), fmtS(b.seconds.cold)],
        ["no-change run (second `up`)", fmtS(p.seconds.noChange), fmtS(b.seconds.noChange)],
        [driftRow(p), fmtS(p.seconds.driftCheck), "—"],
        ["teardown (destroy / down)", fmtS(p.seconds.teardown), fmtS(b.seconds.teardown)],
        ["one-time setup, untimed above (new BCM home: plugins, config / fixture files)", fmtS(p.seconds.setup), fmtS(b.seconds.setup)],
    ];
    const pc = p.memory.cold ? peaksByRole(p.memory.cold) : new Map();
    const bc = b.memory.cold ? peaksByRole(b.memory.cold) : new Map();
    const largest = (m: Map<string, { maxKiB: number; count: number }>) =>
        [...m.entries()].sort((x, y) => y[1].maxKiB - x[1].maxKiB)[0];
    const order = ["pulumi CLI", "language host", "program (node)", "provider lxd (node)"];
    const roles = [...pc.keys()].sort((x, y) => {
        const ix = order.indexOf(x) === -1 ? order.length : order.indexOf(x);
        const iy = order.indexOf(y) === -1 ? order.length : order.indexOf(y);
        return ix - iy || pc.get(y)!.maxKiB - pc.get(x)!.maxKiB;
    });
    rows.push(["peak RSS, whole process tree at once, cold bring-up", fmtMiB(p.memory.cold?.treeKiB), fmtMiB(b.memory.cold?.treeKiB)]);
    rows.push(["peak RSS, whole process tree at once, no-change run", fmtMiB(p.memory.noChange?.treeKiB), fmtMiB(b.memory.noChange?.treeKiB)]);
    const bl = largest(bc);
    rows.push(["peak RSS, largest single process, cold bring-up", pc.size ? fmtMiB(largest(pc)[1].maxKiB) + ` (${largest(pc)[0]})` : "—", bl ? `${fmtMiB(bl[1].maxKiB)} (${bl[0]})` : "—"]);
    // The engine's own processes one by one; the short-lived tools the program and the command
    // provider run (sh, docker CLI, bash of images/docker/build.sh --print) as one row.
    const small = roles.filter((r) => !order.includes(r) && !r.startsWith("provider "));
    for (const role of roles.filter((r) => !small.includes(r))) {
        const r = pc.get(role)!;
        rows.push([`peak RSS, cold bring-up: ${role}${r.count > 1 ? ` (largest of ${r.count})` : ""}`, fmtMiB(r.maxKiB), ""]);
    }
    if (small.length > 0) {
        const max = Math.max(...small.map((r) => pc.get(r)!.maxKiB));
        const count = small.reduce((n, r) => n + pc.get(r)!.count, 0);
        const names = small.slice(0, 4).join(", ") + (small.length > 4 ? ", …" : "");
        rows.push([`peak RSS, cold bring-up: tools run by the program and providers (largest of ${count}: ${names})`, fmtMiB(max), ""]);
    }
    const head = "| step | pulumi | shell baseline |\n|---|---:|---:|";
    return [head, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}

async function main(): Promise<void> {
    const left = leftovers();
    if (left.length > 0) throw new Error(`another data center is on this LXD (${left.join("; ")}); bench/run.sh waits for it to go`);
    const machine = `${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.release()}`;
    log(`machine: ${machine}`);
    const load = () => os.loadavg().map((l) => l.toFixed(2)).join(" ");
    const loadBefore = load();
    const p = await benchPulumi();
    requireClean("pulumi destroy");
    const b = await benchBaseline();
    requireClean("bench/baseline.sh down");
    const full = process.env.BCM_BENCH_FULL === "0" ? undefined : await benchPulumi(fullTiers);
    if (full) requireClean("pulumi destroy of the full data center");
    const out = [
        "",
        `Data-center benchmark, ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC, ${machine}; load average before ${loadBefore}, after ${load()}`,
        "",
        table(p, b),
        ...(full ? ["", `The full data center (${fullTiers}; btcd and lnd on regtest, Tor offline):`, "", fullTable(full, p, b)] : []),
        "",
        ...[...p.notes, ...b.notes, ...(full?.notes ?? [])].map((n) => `note: ${n}`),
    ];
    console.log(out.join("\n"));
    const json = process.env.BCM_BENCH_JSON;
    if (json) fs.writeFileSync(json, JSON.stringify({ machine, pulumi: p, baseline: b, full }, null, 2) + "\n");
}

if (require.main === module) {
    main().catch((err: unknown) => {
        console.error(`[bench] error: ${err instanceof Error ? err.message : String(err)}`);
        process.exit(1);
    });
}
