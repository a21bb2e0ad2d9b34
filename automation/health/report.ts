// `bcm health` and `bcm show --health`: every check of a cluster's data center, read then
// judged (checks.ts), per tier. The readings run side by side where they are independent.
import type { Stack } from "@pulumi/pulumi/automation";
import { networkFlag } from "../../components/bitcoin/chains";
import type { EndpointSpec } from "../../components/datacenter/spec";
import type { Chain } from "../../components/bitcoin/chains";
import { defaultBackupRoot, findBackups } from "../backup/backupDir";
import { ClusterContext, ExportedEndpoint, openCluster } from "../cluster/workspace";
import { backupCheck, BackupThresholds, defaultBackupThresholds, defaultDiskThresholds, diskCheck, DiskThresholds, kafkaCheck, lndCheck, nodeCheck, onionCheck, torCheck } from "./checks";
import { dockerOn, inTask, jsonInTask, probeOnion, readDisks, torLog } from "./read";
import { readTorLog } from "./torLog";
import { onionPorts } from "./torrcPorts";
import { Verdict } from "./verdict";

export interface HealthOptions {
    /** Pools' thresholds and volumes' thresholds (percent used). */
    pools?: DiskThresholds;
    volumes?: DiskThresholds;
    backups?: BackupThresholds;
    /** Where backups are looked for (default $BCM_HOME/backups/<cluster>). */
    backupDir?: string;
    /** Seconds a Tor below 100% is WARN (still starting) before it is FAIL (default 300). */
    torGraceSeconds?: number;
    /** Measure pools and volumes and look for backups (default true). */
    disks?: boolean;
    /** Probe each public onion service through Tor (default true). */
    onions?: boolean;
    now?: Date;
    /** The cluster's stack and endpoints when the caller has them open (no second passphrase from the device). */
    opened?: { stack: Stack; specs: EndpointSpec[]; exported: ExportedEndpoint[] };
}

export interface HealthReport {
    cluster: string;
    checked: string;
    verdicts: Verdict[];
    /** What was not checked, and why. */
    notes: string[];
}

interface Outputs {
    chain?: string;
    torNetwork?: string;
    dockerHost?: string;
    containers?: { name: string }[];
    onions?: Record<string, { address: string; clientAuthLines?: Record<string, string> }>;
    workloads?: { bitcoin?: { implementation?: string; node?: string; lnd?: string }; kafka?: { bootstrapServers?: string } };
}

const tierOf = (container: string) => /^bcm-([a-z][a-z0-9]*)-\d+$/.exec(container)?.[1] ?? "cluster";
const isError = (x: unknown): x is { error: string } => typeof x === "object" && x !== null && "error" in x && typeof (x as { error: unknown }).error === "string";

export async function healthReport(cluster: string, ctx: ClusterContext, opts: HealthOptions = {}): Promise<HealthReport> {
    const now = opts.now ?? new Date();
    const { stack, specs, exported } = opts.opened ?? (await openCluster(cluster, ctx));
    const dc = ((await stack.outputs()).dataCenter?.value ?? {}) as Outputs;
    const endpoints = { exported, specs };
    const verdicts: Verdict[] = [];
    const notes: string[] = [];
    const host = dc.dockerHost;
    const chain = (dc.chain ?? "regtest") as Chain;
    if (!host) {
        notes.push(`cluster ${cluster} runs no data center: only its disks and backups are checked`);
    } else {
        const swarm = await dockerOn(host, ["info", "--format", "{{.Swarm.LocalNodeState}}"]);
        if (!swarm.ok) {
            verdicts.push({ tier: "gateway", check: "swarm", level: "FAIL", reason: `the manager ${host} does not answer: ${swarm.stderr.trim().split("\n")[0]}` });
        } else {
            // Tor, then each public onion service through it.
            const log = await torLog(host, endpoints);
            verdicts.push(torCheck(isError(log) ? { error: log.error, network: dc.torNetwork } : { log: readTorLog(log.text), network: dc.torNetwork }, now, opts.torGraceSeconds));
            if (opts.onions !== false && dc.torNetwork !== "offline") {
                const torrc = await inTask(host, endpoints, "tor", ["cat", "/etc/bcm/torrc"]);
                const ports = isError(torrc) ? {} : onionPorts(torrc.stdout);
                const onions = Object.entries(dc.onions ?? {});
                const probes = onions.filter(([, o]) => Object.keys(o.clientAuthLines ?? {}).length === 0);
                const skipped = onions.filter(([, o]) => Object.keys(o.clientAuthLines ?? {}).length > 0).map(([s]) => s);
                if (skipped.length > 0) notes.push(`not probed (client authorization; the gateway's Tor holds no client key): ${skipped.join(", ")}`);
                const results = await Promise.all(
                    probes.map(async ([service, o]) => {
                        const port = ports[service];
                        if (port === undefined) return onionCheck(service, { address: o.address, port: 0, error: isError(torrc) ? torrc.error : "its port is not in Tor's torrc" });
                        return onionCheck(service, { address: o.address, port, ...(await probeOnion(host, endpoints, o.address, port)) });
                    }),
                );
                verdicts.push(...results);
            }
            const bitcoin = dc.workloads?.bitcoin;
            if (bitcoin?.node) {
                const node = bitcoin.node;
                if (bitcoin.implementation === "bitcoind") {
                    const info = await jsonInTask<{ blocks: number; headers: number; verificationprogress: number }>(host, endpoints, node, ["bitcoin-cli", "-conf=/run/secrets/bitcoin.conf", "getblockchaininfo"]);
                    const peers = await inTask(host, endpoints, node, ["bitcoin-cli", "-conf=/run/secrets/bitcoin.conf", "getconnectioncount"]);
                    verdicts.push(
                        nodeCheck(node, chain, isError(info) ? { error: info.error } : { blocks: info.blocks, headers: info.headers, progress: info.verificationprogress, ...(isError(peers) ? {} : { peers: Number(peers.stdout.trim()) }) }),
                    );
                } else {
                    const btcctl = (cmd: string) => ["btcctl", "--configfile=/run/secrets/btcctl.conf", cmd];
                    const info = await jsonInTask<{ blocks: number; headers: number }>(host, endpoints, node, btcctl("getblockchaininfo"));
                    const peers = await jsonInTask<unknown[]>(host, endpoints, node, btcctl("getpeerinfo"));
                    verdicts.push(nodeCheck(node, chain, isError(info) ? { error: info.error } : { blocks: info.blocks, headers: info.headers, ...(isError(peers) ? {} : { peers: peers.length }) }));
                }
            }
            if (bitcoin?.lnd) {
                const info = await jsonInTask<{
                    synced_to_chain: boolean;
                    synced_to_graph: boolean;
                    block_height: number;
                    num_peers: number;
                    num_active_channels: number;
                    num_inactive_channels: number;
                    num_pending_channels: number;
                }>(host, endpoints, bitcoin.lnd, ["lncli", `--network=${networkFlag(chain)}`, "--lnddir=/var/lib/lnd", "getinfo"]);
                verdicts.push(
                    lndCheck(
                        bitcoin.lnd,
                        isError(info)
                            ? { error: info.error }
                            : {
                                  syncedToChain: info.synced_to_chain,
                                  syncedToGraph: info.synced_to_graph,
                                  height: info.block_height,
                                  peers: info.num_peers,
                                  active: info.num_active_channels,
                                  inactive: info.num_inactive_channels,
                                  pending: info.num_pending_channels,
                              },
                    ),
                );
            }
            const kafka = dc.workloads?.kafka?.bootstrapServers;
            if (kafka) {
                const broker = kafka.split(",")[0].split(":")[0];
                const r = await inTask(host, endpoints, broker, ["bcm-kafka", "topics", "--bootstrap-server", kafka, "--describe", "--under-replicated-partitions"], 120);
                verdicts.push(kafkaCheck(isError(r) ? { error: r.error } : { underReplicated: r.stdout.split("\n").map((l) => l.trim()).filter((l) => l !== "") }));
            }
        }
    }
    if (opts.disks === false) return { cluster, checked: now.toISOString(), verdicts, notes };
    for (const d of await readDisks(cluster, endpoints)) {
        for (const p of d.pools) verdicts.push(diskCheck("cluster", `pool ${d.endpoint}/${p.name}`, p, opts.pools ?? defaultDiskThresholds));
        for (const v of d.volumes) verdicts.push(diskCheck(tierOf(v.name.replace(/-(docker|chain-.*)$/, "")), `volume ${v.pool}/${v.name}`, v, opts.volumes ?? defaultDiskThresholds));
    }
    const where = opts.backupDir ?? defaultBackupRoot(ctx.home, cluster);
    const newest = findBackups(where).backups.filter((b) => b.manifest.cluster === cluster).pop();
    verdicts.push(backupCheck(newest ? new Date(newest.manifest.created) : undefined, now, opts.backups ?? defaultBackupThresholds, where));
    return { cluster, checked: now.toISOString(), verdicts, notes };
}
