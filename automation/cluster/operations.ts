// `bcm cluster create|destroy|list|verify` and `bcm show`: a cluster is a stack (named
// after the cluster) of the cluster program stacks/cluster, on the project's engine with
// the file backend under BCM_HOME. Every deploy previews with the policy pack first and
// stops before `up` when a mandatory policy fails.
import * as fs from "node:fs";
import * as path from "node:path";
import { EngineEvent, LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import { execa } from "execa";
import { probeLocalDaemon, verifyHttpsEndpoint } from "../../components/cluster";
import { LxdClient } from "../../components/lxd/client";
import { policyPackConfig, PolicySettingsInput } from "../../policy/settings";
import { engineEnv, findEngine, installPlugins, Progress, repoRoot, stackPassphrase, stripColor, urnName } from "../../engine";
import { homeLayout } from "../../engine/paths";
import { ExitCode } from "../cli/exitCodes";
import { CliError } from "../cli/errors";
import { EndpointSpec, imageNames, ImageSpec, validateEndpoints } from "./spec";
import { clusterWorkDir } from "./workdir";
import { dataCenterPolicySettings, readDataCenterSpec } from "./dataCenter";

export const policyDir = path.join(repoRoot, "policy");

/** What every cluster operation needs: the BCM home, the environment (device), a way out. */
export interface ClusterContext {
    home: string;
    env: NodeJS.ProcessEnv;
    /** Aborts a running engine operation (Ctrl-C). */
    signal?: AbortSignal;
    /** Progress and report lines (stderr). */
    say: (line: string) => void;
}

/** The workspace of every cluster stack in a BCM home; `passphrase` is the one of the stack used next. */
export async function clusterWorkspace(home: string, passphrase: string): Promise<LocalWorkspace> {
    const engine = await findEngine();
    const { stateDir, pulumiHome } = homeLayout(home);
    fs.mkdirSync(stateDir, { recursive: true });
    fs.mkdirSync(pulumiHome, { recursive: true });
    const envVars = engineEnv(engine, home, passphrase);
    await installPlugins(engine, envVars);
    const pulumiCommand = await PulumiCommand.get({ root: engine.dir });
    return LocalWorkspace.create({ workDir: clusterWorkDir(home), pulumiCommand, envVars });
}

export async function clusterNames(ws: LocalWorkspace): Promise<string[]> {
    return (await ws.listStacks()).map((s) => s.name).sort();
}

/** The policy settings of a cluster stack, and the config file the pack reads them from. */
export function policySettings(env: NodeJS.ProcessEnv): PolicySettingsInput {
    const device = env.BCM_DEVICE === "trezor" || env.BCM_DEVICE === "mnemonic" ? env.BCM_DEVICE : undefined;
    return { chain: "regtest", ...(device ? { device } : {}), privateRegistry: "127.0.0.1:5010" };
}

/**
 * Writes the pack's config for a cluster stack: a bare cluster's settings, or, once the stack
 * describes a data center (`bcm:tiers`), what its gateway publishes and lets out.
 */
export function writePolicyConfig(home: string, name: string, env: NodeJS.ProcessEnv, stackConfig: Record<string, string> = {}): string {
    const file = path.join(home, "clusters", `${name}.policy.json`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const spec = readDataCenterSpec((k) => stackConfig[`bcm:${k}`]);
    const device = env.BCM_DEVICE === "trezor" || env.BCM_DEVICE === "mnemonic" ? env.BCM_DEVICE : undefined;
    const settings = spec ? dataCenterPolicySettings(spec, device) : policySettings(env);
    fs.writeFileSync(file, JSON.stringify(policyPackConfig(settings), null, 2) + "\n", { mode: 0o600 });
    return file;
}

/** The split images' paths, from `bash images/build.sh --print <name>` (built ones only). */
export async function imagePaths(): Promise<Record<string, ImageSpec>> {
    const out: Record<string, ImageSpec> = {};
    for (const n of imageNames) {
        const r = await execa("bash", [path.join(repoRoot, "images", "build.sh"), "--print", n], { reject: false });
        const dir = r.stdout.trim().split("\n").pop() ?? "";
        if (r.exitCode !== 0 || dir === "") {
            throw new CliError(`image ${n} is not built; fix: run \`bash images/build.sh ${imageNames.join(" ")}\` (about 10 minutes the first time)`);
        }
        out[n] = { metadataPath: path.join(dir, "metadata.tar.gz"), rootfsPath: path.join(dir, "rootfs.tar.gz") };
    }
    return out;
}

/** A mandatory policy violation seen during a preview. */
export interface Violation {
    policy: string;
    resource: string;
    message: string;
}

/** Collects mandatory policy violations from engine events. */
export function violationCollector(): { onEvent: (e: EngineEvent) => void; violations: Violation[] } {
    const violations: Violation[] = [];
    return {
        violations,
        onEvent: (e) => {
            const p = e.policyEvent;
            if (p && p.enforcementLevel === "mandatory") {
                const urn = p.resourceUrn ?? "";
                const type = urn ? urn.split("::")[2]?.split("$").pop() : "stack";
                violations.push({ policy: p.policyName, resource: urn ? `${type} ${urnName(urn)}` : "the stack", message: stripColor(p.message).trim() });
            }
        },
    };
}

/** A failure of the engine as one line: the first error diagnostic, else the message's first useful line. */
export function engineFailure(err: unknown): string {
    const text = err instanceof Error ? err.message : String(err);
    const line = text
        .split("\n")
        .map((l) => l.trim())
        .find((l) => /^error: /.test(l) && !/preview failed|update failed/.test(l));
    return stripColor(line ?? text.split("\n").find((l) => l.trim() !== "") ?? text).replace(/^error: /, "");
}

export function interrupted(ctx: ClusterContext, what: string): CliError {
    return new CliError(`interrupted: ${what} cancelled (the engine stopped cleanly; run the command again to finish)`, ExitCode.interrupted);
}

/** Previews with the pack; throws exit 3 naming each violation when a mandatory policy fails. */
export async function previewWithPolicy(stack: Stack, policyConfig: string, ctx: ClusterContext, extra: { expectNoChanges?: boolean } = {}) {
    const collector = violationCollector();
    let changes = 0;
    try {
        await stack.preview({
            policyPacks: [policyDir],
            policyPackConfigs: [policyConfig],
            signal: ctx.signal,
            ...extra,
            onEvent: (e) => {
                collector.onEvent(e);
                if (e.summaryEvent) {
                    changes = Object.entries(e.summaryEvent.resourceChanges)
                        .filter(([op]) => op !== "same")
                        .reduce((n, [, c]) => n + c, 0);
                }
            },
        });
    } catch (err) {
        if (ctx.signal?.aborted) throw interrupted(ctx, "preview");
        if (collector.violations.length > 0) return { violations: collector.violations, changes, error: undefined };
        return { violations: [], changes, error: engineFailure(err) };
    }
    return { violations: collector.violations, changes, error: undefined };
}

export function refusal(name: string, violations: Violation[], ctx: ClusterContext, created: string): CliError {
    for (const v of violations) {
        ctx.say(`policy ${v.policy} refused ${v.resource}: ${v.message}`);
    }
    const v = violations[0];
    const more = violations.length > 1 ? ` (and ${violations.length - 1} more, above)` : "";
    return new CliError(
        `cluster ${name}: deploy refused by mandatory policy ${v.policy} on ${v.resource}${more}; ${created}; ${v.message.replace(/^[^:]*: /, "")}`,
        ExitCode.policy,
    );
}

/** `bcm cluster create`: a new stack, previewed with the pack, then `up` with the pack. */
export async function createCluster(name: string, endpoints: EndpointSpec[], ctx: ClusterContext): Promise<Record<string, unknown>> {
    validateEndpoints(endpoints, "endpoints");
    const images = await imagePaths();
    const passphrase = await stackPassphrase(name, ctx.env);
    const ws = await clusterWorkspace(ctx.home, passphrase);
    if ((await clusterNames(ws)).includes(name)) {
        throw new CliError(`cluster ${name} exists already; fix: \`bcm cluster verify ${name}\` checks it, \`bcm cluster destroy ${name}\` removes it first`);
    }
    const stack = await Stack.create(name, ws);
    const removeStack = async () => {
        await ws.removeStack(name);
        fs.rmSync(path.join(ctx.home, "clusters", `${name}.policy.json`), { force: true });
    };
    try {
        await stack.setAllConfig({
            "bcm:endpoints": { value: JSON.stringify(endpoints) },
            "bcm:images": { value: JSON.stringify(images) },
        });
        const policyConfig = writePolicyConfig(ctx.home, name, ctx.env);
        ctx.say(`[bcm cluster create] previewing ${name} with the policy pack`);
        const preview = await previewWithPolicy(stack, policyConfig, ctx);
        if (preview.violations.length > 0) {
            await removeStack();
            throw refusal(name, preview.violations, ctx, "nothing was created (the stack was removed)");
        }
        if (preview.error !== undefined) {
            await removeStack();
            throw new CliError(`cluster ${name}: preview failed: ${preview.error}; nothing was created`);
        }
    } catch (err) {
        if (err instanceof CliError && err.exitCode === ExitCode.interrupted) await removeStack();
        throw err;
    }
    const collector = violationCollector();
    const progress = new Progress("cluster create");
    try {
        await stack.up({
            policyPacks: [policyDir],
            policyPackConfigs: [writePolicyConfig(ctx.home, name, ctx.env)],
            signal: ctx.signal,
            onEvent: (e) => {
                collector.onEvent(e);
                progress.onEvent(e);
            },
        });
    } catch (err) {
        if (ctx.signal?.aborted) throw interrupted(ctx, `create of ${name}`);
        if (collector.violations.length > 0) throw refusal(name, collector.violations, ctx, "some resources may exist");
        throw new CliError(`cluster ${name}: up failed: ${engineFailure(err)}; fix the cause and run \`bcm cluster destroy ${name}\`, then create again`);
    }
    const outputs = await stack.outputs();
    return Object.fromEntries(Object.entries(outputs).map(([k, o]) => [k, o.value]));
}

/** `bcm cluster destroy`: destroys every resource and removes the stack. */
export async function destroyCluster(name: string, ctx: ClusterContext): Promise<void> {
    const ws = await clusterWorkspace(ctx.home, await stackPassphrase(name, ctx.env));
    if (!(await clusterNames(ws)).includes(name)) {
        throw new CliError(`no cluster ${name} in ${ctx.home}; fix: \`bcm cluster list\` shows the clusters`);
    }
    const stack = await Stack.select(name, ws);
    try {
        await stack.destroy({ onEvent: new Progress("cluster destroy").onEvent, signal: ctx.signal });
    } catch (err) {
        if (ctx.signal?.aborted) throw interrupted(ctx, `destroy of ${name}`);
        throw new CliError(`cluster ${name}: destroy failed: ${engineFailure(err)}; fix the cause and run \`bcm cluster destroy ${name}\` again`);
    }
    await ws.removeStack(name);
    fs.rmSync(path.join(ctx.home, "clusters", `${name}.policy.json`), { force: true });
}

/** A cluster in `bcm cluster list`: its name and endpoints (from its config). */
export interface ClusterSummary {
    name: string;
    endpoints: EndpointSpec[];
}

/** `bcm cluster list`: every cluster stack of this BCM home with its configured endpoints. */
export async function listClusters(ctx: ClusterContext): Promise<ClusterSummary[]> {
    const ws = await clusterWorkspace(ctx.home, "");
    const out: ClusterSummary[] = [];
    for (const name of await clusterNames(ws)) {
        ws.envVars.PULUMI_CONFIG_PASSPHRASE = await stackPassphrase(name, ctx.env);
        const config = await ws.getAllConfig(name);
        let endpoints: EndpointSpec[] = [];
        try {
            endpoints = validateEndpoints(JSON.parse(config["bcm:endpoints"]?.value ?? "[]"));
        } catch {
            endpoints = [];
        }
        out.push({ name, endpoints });
    }
    return out;
}

/** One endpoint as the stack exported it. */
interface ExportedEndpoint {
    name: string;
    mode: "local" | "ssh";
    url: string;
    serverFingerprint?: string;
}

export async function openCluster(name: string, ctx: ClusterContext): Promise<{ stack: Stack; specs: EndpointSpec[]; exported: ExportedEndpoint[] }> {
    const ws = await clusterWorkspace(ctx.home, await stackPassphrase(name, ctx.env));
    if (!(await clusterNames(ws)).includes(name)) {
        throw new CliError(`no cluster ${name} in ${ctx.home}; fix: \`bcm cluster list\` shows the clusters, \`bcm cluster create ${name}\` makes it`);
    }
    const stack = await Stack.select(name, ws);
    const config = await stack.getAllConfig();
    const specs = validateEndpoints(JSON.parse(config["bcm:endpoints"]?.value ?? "[]"));
    const outputs = await stack.outputs();
    const exported = (outputs.endpoints?.value ?? []) as ExportedEndpoint[];
    return { stack, specs, exported };
}

/** The LXD client of an exported endpoint (HTTPS credentials from the spec's files). */
export function clientFor(e: ExportedEndpoint, spec: EndpointSpec | undefined): LxdClient {
    if (e.url.startsWith("unix://")) return new LxdClient({ url: e.url });
    return new LxdClient({
        url: e.url,
        clientCertificate: fs.readFileSync(spec?.clientCertificatePath ?? "", "utf8"),
        clientKey: fs.readFileSync(spec?.clientKeyPath ?? "", "utf8"),
        serverFingerprint: e.serverFingerprint,
    });
}

/**
 * `bcm cluster verify`: every endpoint answers (the local socket; HTTPS with the pinned
 * fingerprint and our certificate trusted), and a preview with the pack finds no change.
 * Returns the lines to print; throws a one-line reason otherwise.
 */
export async function verifyCluster(name: string, ctx: ClusterContext): Promise<string[]> {
    const { stack, specs, exported } = await openCluster(name, ctx);
    if (exported.length === 0) {
        throw new CliError(`cluster ${name} has no deployed endpoints; fix: \`bcm cluster destroy ${name}\` and create it again`);
    }
    const lines: string[] = [];
    for (const e of exported) {
        const spec = specs.find((s) => s.name === e.name);
        try {
            if (e.url.startsWith("unix://")) {
                await probeLocalDaemon(e.url.slice("unix://".length));
            } else {
                await verifyHttpsEndpoint({
                    url: e.url,
                    clientCertificate: fs.readFileSync(spec?.clientCertificatePath ?? "", "utf8"),
                    clientKey: fs.readFileSync(spec?.clientKeyPath ?? "", "utf8"),
                    serverFingerprint: e.serverFingerprint ?? "",
                });
            }
        } catch (err) {
            throw new CliError(`cluster ${name}: endpoint ${e.name} (${e.url}) does not answer: ${(err as Error).message.split("\n")[0]}`);
        }
        lines.push(`endpoint ${e.name} (${e.mode}, ${e.url}) answers${e.serverFingerprint ? `, fingerprint ${e.serverFingerprint} pinned` : ""}`);
    }
    const policyConfig = writePolicyConfig(ctx.home, name, ctx.env);
    const preview = await previewWithPolicy(stack, policyConfig, ctx, { expectNoChanges: true });
    if (preview.violations.length > 0) throw refusal(name, preview.violations, ctx, "nothing was changed");
    if (preview.error !== undefined || preview.changes > 0) {
        const why = preview.changes > 0 ? `${preview.changes} pending change(s)` : preview.error;
        throw new CliError(`cluster ${name}: the stack is not in step with its endpoints: ${why}; fix: \`bcm cluster destroy ${name}\` and create it again`);
    }
    lines.push(`stack ${name}: no pending changes (preview with the policy pack)`);
    return lines;
}

/** An instance as `bcm show` prints it. */
export interface InstanceRow {
    endpoint: string;
    instance: string;
    status: string;
    address: string;
}

interface LxdInstance {
    name: string;
    status: string;
    state?: { network?: Record<string, { addresses?: { family: string; address: string; scope: string }[] }> } | null;
}

/** `bcm show [cluster]`: the instances on each endpoint of the cluster(s), with state and address. */
export async function showClusters(names: string[], ctx: ClusterContext): Promise<{ cluster: string; endpoint: string; url: string; rows: InstanceRow[]; error?: string }[]> {
    const out: { cluster: string; endpoint: string; url: string; rows: InstanceRow[]; error?: string }[] = [];
    for (const name of names) {
        const { specs, exported } = await openCluster(name, ctx);
        for (const e of exported) {
            const client = clientFor(e, specs.find((s) => s.name === e.name));
            try {
                const instances = await client.get<LxdInstance[]>("/1.0/instances?recursion=2");
                const rows = instances.map((i) => {
                    // eth0 is the instance's own address; dockerd's bridges (docker0, docker_gwbridge)
                    // inside a tier container are not, so they are shown only when there is no eth0.
                    const network = i.state?.network ?? {};
                    const addrs = Object.entries(network)
                        .filter(([dev]) => ("eth0" in network ? dev === "eth0" : dev !== "lo"))
                        .flatMap(([, n]) => n.addresses ?? [])
                        .filter((a) => a.family === "inet" && a.scope === "global")
                        .map((a) => a.address);
                    return { endpoint: e.name, instance: i.name, status: i.status, address: addrs.join(",") || "-" };
                });
                out.push({ cluster: name, endpoint: e.name, url: e.url, rows });
            } catch (err) {
                out.push({ cluster: name, endpoint: e.name, url: e.url, rows: [], error: (err as Error).message.split("\n")[0] });
            } finally {
                client.close();
            }
        }
    }
    return out;
}

/** The swarm of a cluster's data center, as `bcm show` prints it. */
export interface SwarmStatus {
    cluster: string;
    /** `docker node ls`: hostname, status, manager status. */
    nodes: string[];
    /** `docker service ls`: name, replicas, image. */
    services: string[];
    error?: string;
}

/** The swarm status of a cluster with tiers, through the manager's socket; undefined for a bare cluster. */
export async function swarmStatus(name: string, ctx: ClusterContext): Promise<SwarmStatus | undefined> {
    const { stack } = await openCluster(name, ctx);
    const dc = (await stack.outputs()).dataCenter?.value as { dockerHost?: string } | undefined;
    if (!dc?.dockerHost) return undefined;
    const docker = (args: string[]) => execa("docker", ["-H", dc.dockerHost!, ...args], { reject: false, stdin: "ignore", timeout: 30_000 });
    const nodes = await docker(["node", "ls", "--format", "{{.Hostname}} {{.Status}} {{.ManagerStatus}}"]);
    const services = await docker(["service", "ls", "--format", "{{.Name}} {{.Replicas}} {{.Image}}"]);
    const failed = [nodes, services].find((r) => r.exitCode !== 0);
    const lines = (s: string) => s.split("\n").map((l) => l.trim()).filter((l) => l !== "").sort();
    return {
        cluster: name,
        nodes: lines(nodes.stdout),
        services: lines(services.stdout),
        ...(failed ? { error: `${dc.dockerHost}: ${failed.stderr.split("\n")[0]}` } : {}),
    };
}
