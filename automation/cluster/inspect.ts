// `bcm cluster verify` and `bcm show`: what a cluster's endpoints and swarm say about it.
import * as fs from "node:fs";
import { execa } from "execa";
import { probeLocalDaemon, verifyHttpsEndpoint } from "../../components/cluster";
import { CliError } from "../cli/errors";
import { previewWithPolicy, refusal } from "./deploy";
import { writePolicyConfig } from "./policyConfig";
import { electrumProgress } from "./electrumStatus";
import { ClusterContext, clientFor, deviceKindOf, openCluster, plainConfig } from "./workspace";

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
    // The pack judges the stack as it is: a data center's settings, not a bare cluster's.
    const policyConfig = writePolicyConfig(ctx.home, name, await deviceKindOf(ctx), await plainConfig(stack));
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
    /** The Electrum server, when the cluster runs one: its service and how far it has indexed. */
    electrum?: { service: string; line: string };
    error?: string;
}

/** The swarm status of a cluster with tiers, through the manager's socket; undefined for a bare cluster. */
export async function swarmStatus(name: string, ctx: ClusterContext): Promise<SwarmStatus | undefined> {
    const { stack, specs, exported } = await openCluster(name, ctx);
    const dc = (await stack.outputs()).dataCenter?.value as { dockerHost?: string; workloads?: { bitcoin?: { electrum?: { service?: string } | string } } } | undefined;
    if (!dc?.dockerHost) return undefined;
    const docker = (args: string[]) => execa("docker", ["-H", dc.dockerHost!, ...args], { reject: false, stdin: "ignore", timeout: 30_000 });
    const nodes = await docker(["node", "ls", "--format", "{{.Hostname}} {{.Status}} {{.ManagerStatus}}"]);
    const services = await docker(["service", "ls", "--format", "{{.Name}} {{.Replicas}} {{.Image}}"]);
    const failed = [nodes, services].find((r) => r.exitCode !== 0);
    const lines = (s: string) => s.split("\n").map((l) => l.trim()).filter((l) => l !== "").sort();
    const electrumService = typeof dc.workloads?.bitcoin?.electrum === "object" ? dc.workloads.bitcoin.electrum.service : undefined;
    let electrum: SwarmStatus["electrum"];
    if (electrumService && !failed) {
        // The tier container its task runs on, then `bcm-electrum status` in that task.
        const ps = await docker(["service", "ps", electrumService, "--filter", "desired-state=running", "--format", "{{.Node}} {{.CurrentState}}"]);
        const running = ps.stdout.split("\n").find((l) => / Running /.test(l));
        const node = running?.split(" ")[0];
        const endpoints = exported.map((e) => ({ exported: e, spec: specs.find((s) => s.name === e.name) }));
        electrum = {
            service: electrumService,
            line: node ? await electrumProgress(electrumService, node, endpoints) : `no running task (${(ps.stderr.trim() || ps.stdout.trim() || "none scheduled").split("\n")[0]})`,
        };
    }
    return {
        cluster: name,
        nodes: lines(nodes.stdout),
        services: lines(services.stdout),
        ...(electrum ? { electrum } : {}),
        ...(failed ? { error: `${dc.dockerHost}: ${failed.stderr.split("\n")[0]}` } : {}),
    };
}
