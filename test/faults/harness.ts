// Fault injection on the standalone data center: runs the same entry point as `npm run up`
// (automation/standalone.ts, after the setup `npm run up` does once), kills the engine's
// process group with SIGKILL at planned points of an up or a destroy, then reruns the same
// command plainly and checks what the acceptance asks: the rerun succeeds, no process of
// the killed run survives, a following up changes nothing, `bcm cluster cull` finds
// nothing, and after the destroy no LXD object of the stack is left.
//
// Each pass uses a fresh BCM home (its own state, development device and sockets) and
// starts from a daemon without data-center containers; the caller holds
// /tmp/bcm-datacenter.lock for the whole run.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as readline from "node:readline";
import { execa } from "execa";
import { developmentDeviceEnv, openStack, repoRoot, stackPassphrase } from "../../engine";
import { standaloneConfig } from "../../automation/standalone";
import { clusterWorkDir } from "../../automation/cluster/workdir";
import { prepareDeploy } from "../../automation/cluster/deviceValues";
import { changesIn, DriftPoint, FaultRow, isComponent, killTarget, KillPoint, Scenario, StepTracker } from "./faultPlan";
import { markerVariable, roleOf, waitForNoProcesses } from "../testing/processes";

const stackName = "standalone";
/** The data center's settings: all three tiers, bitcoin on regtest, Tor offline. */
const dataCenterEnv = { BCM_TIERS: "gateway,kafka,bitcoin", BCM_CHAIN: "regtest", BCM_TOR_NETWORK: "offline" };

export interface HarnessOptions {
    /** Progress of the harness itself. */
    say: (line: string) => void;
    /** Where each run's output goes (one file per run). */
    logDir: string;
    /** Seconds the killed run's processes get to end by themselves. */
    graceSeconds?: number;
}

interface RunResult {
    exitCode: number | null;
    seconds: number;
    /** The summary line ("finished in …"), if any. */
    summary?: string;
    /** The first error line the run printed, if any. */
    error?: string;
    killed?: { line: number; of: number; seconds: number; running: string; marker: string };
    /** The kill point was never reached: the run ended first. */
    unreached?: { lines: number; of: number };
}

let runCount = 0;

/**
 * One run of the standalone entry point (`--destroy` for a destroy), in its own process
 * group, with a marker in its environment; killed (the whole group, SIGKILL) when its
 * progress reaches `killAt` lines.
 */
function runStandalone(home: string, args: string[], o: HarnessOptions, label: string, killAt?: { line: number; of: number }): Promise<RunResult> {
    const marker = `faults-${process.pid}-${++runCount}-${Date.now()}`;
    const log = fs.createWriteStream(path.join(o.logDir, `${String(runCount).padStart(2, "0")}-${label}.log`));
    const started = Date.now();
    const child = spawn(process.execPath, ["-r", "ts-node/register", path.join(repoRoot, "automation", "standalone.ts"), ...args], {
        cwd: repoRoot,
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, ...dataCenterEnv, BCM_HOME: home, [markerVariable]: marker, TS_NODE_TRANSPILE_ONLY: "true" },
    });
    const tracker = new StepTracker();
    const result: RunResult = { exitCode: null, seconds: 0 };
    const onLine = (line: string) => {
        log.write(line + "\n");
        if (/finished in [\d.]+s:/.test(line)) result.summary = line;
        if (result.error === undefined && /\berror: /.test(line)) result.error = line.replace(/^.*?error: /, "");
        if (!tracker.feed(line) || killAt === undefined || result.killed || tracker.lines < killAt.line) return;
        result.killed = { line: tracker.lines, of: killAt.of, seconds: (Date.now() - started) / 1000, running: tracker.underWay(), marker };
        process.kill(-child.pid!, "SIGKILL");
    };
    readline.createInterface({ input: child.stdout! }).on("line", onLine);
    readline.createInterface({ input: child.stderr! }).on("line", onLine);
    return new Promise((resolve) => {
        child.on("close", (code) => {
            result.exitCode = code;
            result.seconds = (Date.now() - started) / 1000;
            if (killAt !== undefined && !result.killed) result.unreached = { lines: tracker.lines, of: killAt.of };
            log.end();
            resolve(result);
        });
    });
}

/** Custom-resource steps a cold up of the full data center plans (a preview of a fresh stack in `home`). */
async function plannedSteps(home: string): Promise<number> {
    // The same device the runs will use: the development one made in this home, unless BCM_DEVICE says otherwise.
    const env = developmentDeviceEnv(home, process.env, () => undefined);
    const stack = await openStack({ workDir: clusterWorkDir(home), stackName, passphrase: await stackPassphrase(stackName, env), home });
    // As `npm run up` does: the controller's key (the bitcoin tier encrypts to it), the
    // first-deploy settings and the device's values; without them the preview fails
    // ("bcm:controllerKey: missing") and no pass runs. The runs then find them in this home.
    const prepared = await prepareDeploy(stack, standaloneConfig(dataCenterEnv), { home, env, say: () => undefined, createControllerKey: true });
    await stack.setAllConfig(Object.fromEntries(Object.entries(prepared).map(([k, value]) => [k, { value }])));
    let steps = 0;
    await stack.preview({
        onEvent: (e) => {
            const m = e.resourcePreEvent?.metadata;
            if (m && m.op !== "same" && !isComponent(m.type)) steps++;
        },
    });
    return steps;
}

/** The stack's LXD objects on the local daemon: containers and volumes it labelled, its profile, the operator's socket. */
async function lxdObjects(home: string): Promise<string[]> {
    const found: string[] = [];
    const instances = JSON.parse((await execa("lxc", ["list", "--format", "json"], { stdin: "ignore" })).stdout) as { name: string; config: Record<string, string> }[];
    for (const i of instances) if (i.config["user.bcm.cluster"] === stackName) found.push(`container ${i.name}`);
    const volumes = JSON.parse((await execa("lxc", ["storage", "volume", "list", "default", "--format", "json"], { stdin: "ignore" })).stdout) as { name: string; type: string; config: Record<string, string> }[];
    for (const v of volumes) if (v.type === "custom" && v.config["user.bcm.cluster"] === stackName) found.push(`volume ${v.name}`);
    const profiles = JSON.parse((await execa("lxc", ["profile", "list", "--format", "json"], { stdin: "ignore" })).stdout) as { name: string; description: string }[];
    for (const p of profiles) if (p.description.endsWith(`cluster ${stackName}`)) found.push(`profile ${p.name}`);
    const sockets = path.join(home, "sockets", stackName);
    if (fs.existsSync(sockets)) for (const s of fs.readdirSync(sockets).filter((f) => f.endsWith(".sock"))) found.push(`socket ${s}`);
    for (const pid of forwardersOf(home)) found.push(`forwarder ${pid}`);
    return found;
}

/** Socket forwarders (bcm-docker-forward) serving a socket of this home. */
function forwardersOf(home: string): number[] {
    return fs
        .readdirSync("/proc")
        .filter((e) => /^\d+$/.test(e))
        .filter((pid) => {
            try {
                const args = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
                return path.basename(args[0]) === "bcm-docker-forward" && (args[args.indexOf("-listen") + 1] ?? "").startsWith(home + path.sep);
            } catch {
                return false;
            }
        })
        .map(Number);
}

/** After a failed pass: deletes what the stack left, so the next pass starts from nothing. Only objects this stack labelled. */
async function forceClean(home: string, say: (l: string) => void): Promise<void> {
    for (const o of await lxdObjects(home)) {
        const [kind, name] = o.split(" ");
        say(`force-cleaning ${o}`);
        if (kind === "container") await execa("lxc", ["delete", "--force", name], { reject: false, stdin: "ignore" });
        if (kind === "volume") await execa("lxc", ["storage", "volume", "delete", "default", name], { reject: false, stdin: "ignore" });
        if (kind === "profile") await execa("lxc", ["profile", "delete", name], { reject: false, stdin: "ignore" });
        if (kind === "forwarder") process.kill(Number(name), "SIGTERM");
    }
}

/** Whether any data-center container exists on the daemon (the names are fixed: one data center per daemon). */
export async function dataCenterPresent(): Promise<string[]> {
    const out = await execa("lxc", ["list", "--format", "csv", "-c", "n", "^bcm-"], { stdin: "ignore" });
    return out.stdout.split("\n").filter((l) => l.trim() !== "");
}

function resultText(r: RunResult): string {
    return r.exitCode === 0 ? "ok" : `FAILED (exit ${r.exitCode}): ${r.error ?? "no error line"}`;
}

/** Waits for a killed run's processes to end by themselves; names what is left (and then kills it, so the next run is clean). */
async function leftProcesses(marker: string, graceSeconds: number): Promise<string> {
    const left = await waitForNoProcesses(marker, graceSeconds);
    for (const p of left) {
        try {
            process.kill(p.pid, "SIGKILL");
        } catch {
            // gone meanwhile
        }
    }
    return left.length === 0 ? "none" : [...new Set(left.map(roleOf))].join(", ");
}

/** Polls a drift point's check until its output shows the object back; returns what it printed last. */
async function backAgain(d: DriftPoint, seconds: number): Promise<{ back: boolean; seen: string }> {
    const deadline = Date.now() + seconds * 1000;
    for (;;) {
        const r = await execa(d.check[0]!, d.check.slice(1), { reject: false, stdin: "ignore" });
        const seen = r.stdout.trim();
        if (r.exitCode === 0 && d.back.test(seen)) return { back: true, seen };
        if (Date.now() > deadline) return { back: false, seen: seen.replace(/\n/g, "; ") || r.stderr.trim().split("\n")[0] || "nothing" };
        await new Promise((res) => setTimeout(res, 3000));
    }
}

/**
 * The deletions by hand: a plain up of the whole data center, then for each point its object
 * deleted and one plain up, which must succeed and make it again; then the next up must
 * change nothing, and so must an up with --refresh; cull must find nothing and the destroy
 * leave nothing. A row per point.
 */
async function runDriftPass(points: DriftPoint[], o: HarnessOptions): Promise<FaultRow[]> {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-faults-home-"));
    const rows: FaultRow[] = [];
    let clean = true;
    try {
        await plannedSteps(home);
        o.say(`pass ${points.map((d) => d.id).join(", ")}: a plain up, then each deletion by hand and a plain up`);
        const up = await runStandalone(home, [], o, "up");
        if (up.exitCode !== 0) throw new Error(`the plain up before ${points[0]?.id} failed: ${resultText(up)}`);
        for (const d of points) {
            const removed = await execa(d.remove[0]!, d.remove.slice(1), { reject: false, stdin: "ignore" });
            const row: FaultRow = { point: d.id, killedAt: `deleted ${d.what}`, running: "-", leftProcesses: "none", rerun: "-", rerunSeconds: 0, nextUp: "-", cull: "-", leftObjects: "-" };
            rows.push(row);
            if (removed.exitCode !== 0) {
                row.killedAt = `not reached (deleting ${d.what} failed: ${removed.stderr.trim().split("\n")[0]})`;
                continue;
            }
            const rerun = await runStandalone(home, [], o, `${d.id}-rerun`);
            row.rerunSeconds = rerun.seconds;
            const again = rerun.exitCode === 0 ? await backAgain(d, 180) : undefined;
            row.rerun = rerun.exitCode !== 0 ? resultText(rerun) : again!.back ? "ok" : `FAILED: not back (${again!.seen})`;
            o.say(`${d.id}: rerun ${row.rerun} in ${rerun.seconds.toFixed(0)}s`);
        }
        const upChanges = (r: RunResult) => {
            const changes = r.exitCode === 0 && r.summary ? changesIn(r.summary) : undefined;
            return changes === undefined ? resultText(r) : `${changes} changes`;
        };
        const plainUp = upChanges(await runStandalone(home, [], o, "next-up"));
        // Then every resource read back from the daemons (`up --refresh`): nothing the providers
        // read differs from what the program declares, so that up changes nothing either.
        const refreshedUp = upChanges(await runStandalone(home, ["--refresh"], o, "refresh-up"));
        const nextUp = plainUp === "0 changes" && refreshedUp === "0 changes" ? plainUp : `${plainUp}; with --refresh: ${refreshedUp}`;
        const culled = await cullFinds(home);
        for (const r of rows) Object.assign(r, { nextUp, cull: culled });
        const destroy = await runStandalone(home, ["--destroy"], o, "destroy");
        if (destroy.exitCode !== 0) {
            o.say(`destroy after ${points.map((d) => d.id).join(", ")}: ${resultText(destroy)}`);
            clean = false;
        }
        const left = await lxdObjects(home);
        for (const r of rows) r.leftObjects = left.length === 0 ? "none" : left.join(", ");
        if (left.length > 0) clean = false;
    } finally {
        if (!clean || (await lxdObjects(home)).length > 0) await forceClean(home, o.say);
        fs.rmSync(home, { recursive: true, force: true });
    }
    return rows;
}

/** What `bcm cluster cull` finds on the stack of `home`: "nothing", the orphans, or its failure. */
async function cullFinds(home: string): Promise<string> {
    const cull = await execa(process.execPath, [path.join(repoRoot, "automation", "bin", "bcm.js"), "cluster", "cull", stackName], {
        cwd: repoRoot,
        reject: false,
        // The device `npm run up` used: its development device in this home (bcm itself never falls back to one).
        env: developmentDeviceEnv(home, { ...process.env, BCM_HOME: home }, () => undefined),
    });
    if (cull.exitCode !== 0) return `FAILED: ${cull.stderr.trim().split("\n").pop()}`;
    return /nothing to cull/.test(cull.stdout) ? "nothing" : cull.stdout.split("\n").filter((l) => l.startsWith("orphan")).join("; ");
}

/** Runs one pass (an up, then a destroy, either killed at its point; or the deletions by hand) and returns a row per point. */
export async function runScenario(s: Scenario, o: HarnessOptions): Promise<FaultRow[]> {
    if (s.drift) return runDriftPass(s.drift, o);
    const grace = o.graceSeconds ?? 10;
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-faults-home-"));
    const rows: FaultRow[] = [];
    let clean = true;
    let upFailed = false;
    try {
        const steps = await plannedSteps(home);
        o.say(`pass ${s.up?.id ?? "up"} → ${s.destroy?.id ?? "destroy"}: a cold up plans ${steps} steps`);
        const killed = async (point: KillPoint, args: string[]): Promise<FaultRow> => {
            const target = { line: killTarget(point, steps), of: 2 * steps };
            o.say(`${point.id}: ${point.phase}, killed at progress line ${target.line}/${target.of}`);
            const run = await runStandalone(home, args, o, `${point.id}-killed`, target);
            const row: FaultRow = { point: point.id, killedAt: "", running: "-", leftProcesses: "-", rerun: "-", rerunSeconds: 0, nextUp: "-", cull: "-", leftObjects: "-" };
            if (run.killed) {
                row.killedAt = `line ${run.killed.line}/${run.killed.of} at ${run.killed.seconds.toFixed(1)}s`;
                row.running = run.killed.running;
                row.leftProcesses = await leftProcesses(run.killed.marker, grace);
            } else {
                row.killedAt = `not reached (the run ${resultText(run)} after ${run.unreached?.lines} lines)`;
            }
            const rerun = await runStandalone(home, args, o, `${point.id}-rerun`);
            row.rerun = resultText(rerun);
            row.rerunSeconds = rerun.seconds;
            o.say(`${point.id}: rerun ${row.rerun} in ${rerun.seconds.toFixed(0)}s`);
            return row;
        };

        let upRow: FaultRow | undefined;
        if (s.up) {
            upRow = await killed(s.up, []);
            rows.push(upRow);
        } else {
            const up = await runStandalone(home, [], o, "up");
            if (up.exitCode !== 0) throw new Error(`the plain up before ${s.destroy?.id} failed: ${resultText(up)}`);
        }
        if (!upRow || upRow.rerun === "ok") {
            const again = await runStandalone(home, [], o, "next-up");
            const changes = again.exitCode === 0 && again.summary ? changesIn(again.summary) : undefined;
            const nextUp = changes === undefined ? resultText(again) : `${changes} changes`;
            const culled = await cullFinds(home);
            if (upRow) {
                upRow.nextUp = nextUp;
                upRow.cull = culled;
            } else if (nextUp !== "0 changes" || culled !== "nothing") {
                o.say(`before ${s.destroy?.id}: next up ${nextUp}, cull ${culled}`);
            }
        } else {
            clean = false;
        }

        // A destroy point is judged on a data center that came up whole: after a failed up it
        // gets a pass of its own (below), and this pass ends with a plain destroy.
        upFailed = upRow !== undefined && upRow.rerun !== "ok";
        if (s.destroy && !upFailed) {
            rows.push(await killed(s.destroy, ["--destroy"]));
        } else {
            const destroy = await runStandalone(home, ["--destroy"], o, "destroy");
            if (destroy.exitCode !== 0) {
                o.say(`destroy after ${s.up?.id}: ${resultText(destroy)}`);
                clean = false;
            }
        }
        const left = await lxdObjects(home);
        const leftText = left.length === 0 ? "none" : left.join(", ");
        for (const r of rows) r.leftObjects = leftText;
        if (left.length > 0) clean = false;
    } finally {
        if (!clean || (await lxdObjects(home)).length > 0) await forceClean(home, o.say);
        fs.rmSync(home, { recursive: true, force: true });
    }
    if (s.up && s.destroy && upFailed) {
        o.say(`${s.destroy.id}: the up of this pass failed, so it gets a pass of its own`);
        rows.push(...(await runScenario({ destroy: s.destroy }, o)));
    }
    return rows;
}

/** Runs passes one after the other; a pass that throws becomes rows saying why. */
export async function runFaults(plan: Scenario[], o: HarnessOptions): Promise<FaultRow[]> {
    const present = await dataCenterPresent();
    if (present.length > 0) throw new Error(`data-center containers exist on this LXD (${present.join(", ")}): destroy that data center first (npm run up -- --destroy)`);
    fs.mkdirSync(o.logDir, { recursive: true });
    const rows: FaultRow[] = [];
    for (const s of plan) {
        try {
            rows.push(...(await runScenario(s, o)));
        } catch (err) {
            const why = (err as Error).message.split("\n")[0];
            for (const p of [s.up, s.destroy, ...(s.drift ?? [])].filter((x): x is KillPoint | DriftPoint => x !== undefined)) {
                rows.push({ point: p.id, killedAt: "-", running: "-", leftProcesses: "-", rerun: `FAILED: pass did not run: ${why}`, rerunSeconds: 0, nextUp: "-", cull: "-", leftObjects: "-" });
            }
        }
    }
    return rows;
}
