// `bcm cluster create|destroy|list|verify` and `bcm show`: automation/cluster on the command
// line. Endpoint flags are checked before any engine starts (exit 2 naming the flag); a
// deploy refused by a mandatory policy exits 3; Ctrl-C cancels the engine and exits 130.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Command } from "commander";
import { endpointsFromFlags, rawEndpointsFromFile } from "../../cluster/flags";
import { pinHostKey } from "../../cluster/hostKeys";
import { ClusterContext } from "../../cluster/workspace";
import { createCluster, destroyCluster, listClusters, refreshCluster } from "../../cluster/lifecycle";
import { showClusters, swarmStatus, verifyCluster } from "../../cluster/inspect";
import { checkClusterName, parseSshTarget, SpecError, validateEndpoints } from "../../../components/datacenter/spec";
import { cullCluster, startCluster, stopCluster } from "../../cluster/maintenance";
import { ensureClientCertificate } from "../../cluster/clientCertificate";
import { bcmHome } from "../../../engine";
import { CliError } from "../errors";
import { ExitCode } from "../exitCodes";
import { addHealthOptions, HealthFlags, printHealth, runHealth } from "./healthShared";

const say = (line: string): void => {
    process.stderr.write(line + "\n");
};

/** A spec problem from the command line is a usage error (exit 2), with its message. */
export function usage<T>(f: () => T): T {
    try {
        return f();
    } catch (err) {
        if (err instanceof SpecError) throw new CliError(err.message, ExitCode.usage);
        throw err;
    }
}

/**
 * Runs an operation with the BCM home, the environment, and Ctrl-C wired to the engine. The
 * device is the Trezor unless BCM_DEVICE=mnemonic says otherwise: no development key is
 * made up here (only `npm run up` does that).
 */
export async function withContext<T>(run: (ctx: ClusterContext) => Promise<T>): Promise<T> {
    const home = bcmHome();
    const env = process.env;
    const abort = new AbortController();
    const onSigint = (): void => {
        say("bcm: interrupted; cancelling the engine operation (wait for it to stop)");
        abort.abort();
    };
    process.on("SIGINT", onSigint);
    try {
        return await run({ home, env, signal: abort.signal, say });
    } finally {
        process.off("SIGINT", onSigint);
    }
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function registerCluster(program: Command): void {
    const cluster = program
        .command("cluster")
        .description("LXD clusters: one Pulumi stack (named after the cluster) of the cluster program stacks/cluster");

    cluster
        .command("create <name>")
        .description("create a cluster: preview with the policy pack, then deploy its endpoints, the bcm-docker profile and the bcm-base and bcm-template images")
        .option("--local", "a standalone endpoint on this machine's LXD (unix socket)")
        .option("--ssh <user@host[:port]>", "a host bootstrapped over SSH (repeat for more hosts)", collect, [])
        .option("--ssh-key <file>", "the SSH private key for --ssh hosts (default: the ssh-agent)")
        .option("--client-cert <file>", "the controller's client certificate (PEM) the --ssh hosts trust (default: $BCM_HOME/client.crt, made on first use)")
        .option("--client-key <file>", "the client certificate's private key (PEM) (default: $BCM_HOME/client.key)")
        .option("--host-key <key>", 'the pinned SSH host key of each --ssh host, in order ("ssh-ed25519 AAAA…"; default: from --known-hosts)', collect, [])
        .option("--known-hosts <file>", "where hosts without --host-key are looked up (default ~/.ssh/known_hosts)")
        .option("--file <cluster.json>", 'the endpoints from a file: {"endpoints": [{"name", "mode": "local"|"ssh", "host", "hostKey", ...}]}')
        .addHelpText(
            "after",
            "\nA cluster that exists already is refused (exit 1): destroy it first.\n" +
                "Every --ssh host is pinned: it must offer the key --host-key (or known_hosts, or the file's hostKey) names;\n" +
                "an unknown or changed key is refused (exit 1) with the fingerprint the host offered.\n" +
                "The policy pack (policy/) runs with chain regtest, the device that answered and the private\n" +
                "registry 127.0.0.1:5010; a mandatory violation stops before anything is created (exit 3).",
        )
        .action(async (name: string, o: { local?: boolean; ssh: string[]; sshKey?: string; clientCert?: string; clientKey?: string; file?: string; hostKey: string[]; knownHosts?: string }) => {
            usage(() => checkClusterName(name));
            const knownHosts = o.knownHosts ?? path.join(os.homedir(), ".ssh", "known_hosts");
            if (o.hostKey.length > o.ssh.length) throw new CliError(`--host-key: ${o.hostKey.length} given for ${o.ssh.length} --ssh host(s); give one per --ssh, in order`, ExitCode.usage);
            if (o.ssh.length > 0 && o.clientCert === undefined && o.clientKey === undefined && o.file === undefined) {
                // No certificate given: the BCM home's own, made on first use.
                const own = await ensureClientCertificate(bcmHome());
                o.clientCert = own.certPath;
                o.clientKey = own.keyPath;
            }
            const parsed = usage((): unknown => {
                if (o.file !== undefined) {
                    if (o.local || o.ssh.length > 0) throw new SpecError("--file: give the endpoints either in the file or with --local/--ssh, not both");
                    let text: string;
                    try {
                        text = fs.readFileSync(o.file, "utf8");
                    } catch (err) {
                        throw new SpecError(`--file ${o.file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
                    }
                    return rawEndpointsFromFile(text, o.file);
                }
                return o.ssh.map((t) => parseSshTarget(t));
            });
            // Every SSH host is reached with its key pinned; an unknown or changed one stops here.
            const pinned = async (t: { user: string; host: string; port: number }, given: string | undefined) => {
                try {
                    return await pinHostKey(t, given, knownHosts);
                } catch (err) {
                    throw err instanceof SpecError ? new CliError(err.message) : err;
                }
            };
            let endpoints;
            if (o.file !== undefined) {
                const list = Array.isArray(parsed) ? (parsed as Record<string, unknown>[]) : parsed;
                if (Array.isArray(list)) {
                    for (const e of list) {
                        if (typeof e === "object" && e !== null && e.mode === "ssh" && typeof e.host === "string") {
                            e.hostKey = await pinned({ user: typeof e.user === "string" ? e.user : "root", host: e.host, port: typeof e.port === "number" ? e.port : 22 }, typeof e.hostKey === "string" ? e.hostKey : undefined);
                        }
                    }
                }
                endpoints = usage(() => validateEndpoints(list, `${o.file}: endpoints`));
            } else {
                const targets = parsed as { user: string; host: string; port: number }[];
                const hostKeys: string[] = [];
                for (const [i, t] of targets.entries()) hostKeys.push(await pinned(t, o.hostKey[i]));
                endpoints = usage(() => endpointsFromFlags({ ...o, hostKeys }));
            }
            const outputs = await withContext((ctx) => createCluster(name, endpoints, ctx));
            console.log(`cluster ${name} is up`);
            for (const e of (outputs.endpoints ?? []) as { name: string; url: string; images: Record<string, string> }[]) {
                console.log(`  ${e.name}  ${e.url}  ${Object.entries(e.images).map(([n, f]) => `${n} ${f.slice(0, 12)}`).join("  ")}`);
            }
        });

    cluster
        .command("destroy <name>")
        .description("destroy a cluster's resources and remove its stack (imported images another user holds stay)")
        .action(async (name: string) => {
            usage(() => checkClusterName(name));
            await withContext((ctx) => destroyCluster(name, ctx));
            console.log(`cluster ${name} destroyed and removed`);
        });

    cluster
        .command("refresh <name>")
        .description("read every resource back from the cluster's endpoints (drift: objects changed or deleted behind BCM's back), then deploy the stack as configured, which puts them right")
        .addHelpText(
            "after",
            "\nThe deploy after the refresh is previewed with the policy pack like any other (exit 3 on a\n" +
                "mandatory violation). A run interrupted earlier is finished first (stale lock, pending operations).",
        )
        .action(async (name: string) => {
            usage(() => checkClusterName(name));
            await withContext((ctx) => refreshCluster(name, ctx));
            console.log(`cluster ${name} refreshed and in step with its configuration`);
        });

    cluster
        .command("list")
        .description("list the clusters of this BCM home with their endpoints")
        .option("--json", "print JSON")
        .action(async (o: { json?: boolean }) => {
            const clusters = await withContext((ctx) => listClusters(ctx));
            if (o.json) {
                console.log(JSON.stringify(clusters, null, 2));
                return;
            }
            if (clusters.length === 0) console.log("no clusters (create one with `bcm cluster create <name> --local`)");
            for (const c of clusters) {
                const eps = c.endpoints.map((e) => (e.mode === "local" ? `${e.name} (local)` : `${e.name} (ssh ${e.user ?? "root"}@${e.host}:${e.port ?? 22})`));
                console.log(`${c.name}  ${eps.join(", ")}`);
            }
        });

    cluster
        .command("stop <name>")
        .description("stop the cluster's system containers; their data stays on their volumes (`bcm cluster start` starts them again)")
        .action(async (name: string) => {
            usage(() => checkClusterName(name));
            const lines = await withContext((ctx) => stopCluster(name, ctx));
            for (const l of lines) console.log(l);
            console.log(lines.length === 0 ? `cluster ${name} has no system containers` : `cluster ${name} stopped`);
        });

    cluster
        .command("start <name>")
        .description("start the cluster's stopped system containers; dockerd and the swarm come back with them")
        .action(async (name: string) => {
            usage(() => checkClusterName(name));
            const lines = await withContext((ctx) => startCluster(name, ctx));
            for (const l of lines) console.log(l);
            console.log(lines.length === 0 ? `cluster ${name} has no system containers` : `cluster ${name} started`);
        });

    cluster
        .command("cull <name>")
        .description("find containers and volumes this cluster made, and Docker services, secrets, configs, networks and volumes in its swarm, that its stack no longer holds (left by an interrupted run); delete them with --yes")
        .option("--yes", "delete what was found (without it, only list)")
        .addHelpText(
            "after",
            "\nOwnership is read from each object: user.bcm.cluster=<name> on LXD containers and volumes,\n" +
                "the label bcm.cluster=<name> on Docker objects. Another cluster's objects are never listed.",
        )
        .action(async (name: string, o: { yes?: boolean }) => {
            usage(() => checkClusterName(name));
            const found = await withContext((ctx) => cullCluster(name, ctx, o.yes === true));
            for (const f of found) console.log(`${o.yes ? "deleted" : "orphan"}  ${f.endpoint}  ${f.kind}  ${f.pool ? `${f.pool}/` : ""}${f.name}${f.container ? `  (in ${f.container})` : ""}`);
            if (found.length === 0) console.log(`cluster ${name}: nothing to cull`);
            else if (!o.yes) console.log(`run \`bcm cluster cull ${name} --yes\` to delete them`);
        });

    cluster
        .command("verify <name>")
        .description("check every endpoint answers (pinned fingerprint for HTTPS) and the stack has no pending changes; exit 1 with the reason otherwise")
        .action(async (name: string) => {
            usage(() => checkClusterName(name));
            const lines = await withContext((ctx) => verifyCluster(name, ctx));
            for (const l of lines) console.log(l);
            console.log(`cluster ${name} verified`);
        });
}

export function registerShow(program: Command): void {
    addHealthOptions(
        program
            .command("show [cluster]")
            .description("LXD and Swarm status of a cluster (every cluster when none is named): instances with state and address, swarm nodes and services, and how far the Electrum server has indexed")
            .option("--health", "also run every health check (`bcm health`) and exit 1 when one FAILs"),
    ).action(async (name: string | undefined, o: HealthFlags & { health?: boolean }) => {
            if (name !== undefined) usage(() => checkClusterName(name));
            const { result, swarms } = await withContext(async (ctx) => {
                const names = name !== undefined ? [name] : (await listClusters(ctx)).map((c) => c.name);
                const swarms = [];
                for (const n of names) swarms.push(await swarmStatus(n, ctx));
                return { result: await showClusters(names, ctx), swarms };
            });
            if (result.length === 0) console.log("no clusters");
            for (const r of result) {
                console.log(`${r.cluster}/${r.endpoint}  ${r.url}${r.error ? `  UNREACHABLE: ${r.error}` : `  ${r.rows.length} instance(s)`}`);
                for (const row of r.rows) console.log(`  ${row.instance.padEnd(24)} ${row.status.padEnd(8)} ${row.address}`);
            }
            for (const s of swarms) {
                if (!s) continue;
                console.log(`${s.cluster} swarm${s.error ? `  UNREACHABLE: ${s.error}` : ""}`);
                for (const n of s.nodes) console.log(`  node     ${n}`);
                for (const v of s.services) console.log(`  service  ${v}`);
                if (s.electrum) console.log(`  electrum ${s.electrum.service}  ${s.electrum.line}`);
            }
            if (o.health) {
                const reports = await withContext(async (ctx) => {
                    const out = [];
                    for (const r of result.filter((x, i, all) => all.findIndex((y) => y.cluster === x.cluster) === i)) out.push(await runHealth(r.cluster, o, ctx));
                    return out;
                });
                reports.forEach(printHealth);
                const failed = reports.flatMap((r) => r.verdicts.filter((v) => v.level === "FAIL").map((v) => `${r.cluster} ${v.tier} ${v.check}`));
                if (failed.length > 0) throw new CliError(`${failed.length} health check(s) FAIL: ${failed.join(", ")}`);
            }
            if (result.some((r) => r.error) || swarms.some((s) => s?.error)) throw new CliError(`an endpoint or swarm does not answer (above)`);
        });
}
