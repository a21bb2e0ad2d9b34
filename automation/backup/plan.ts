import { kafkaLayout } from "../../components/kafka/layout";
// What a backup takes from each tier of a data center, decided from the stack's outputs alone
// (pure: tested directly). Only what cannot be made again is taken: the stack's state (its
// drawn keys: the onion services', the RPC password and certificate) and config for the
// gateway; lnd's wallet, channel database and the encrypted channel backups for the bitcoin
// tier. The chain and the Electrum index are rebuilt from the network (and the chain volume
// is kept on destroy on the real chains), the registry's content is pushed again by the deploy.
// Kafka's topics only when asked (the whole tier is paused meanwhile). Data read from a tier container is read with the services that write it paused
// (scaled to 0 and back), so what is read is consistent.

/** Entries of a directory of one system container. */
export interface ItemPart {
    /** The system container whose disk holds it. */
    instance: string;
    /** The directory the tar is taken in (`tar -C dir`), and the entries under it it takes. */
    dir: string;
    entries: string[];
}

/** A tier's data, read from its containers with the services that write it paused. */
export interface ContainerItem {
    tier: string;
    /** What the archive holds, for people and the manifest. */
    contents: string[];
    /** One tar per part, named `<instance>.tar` in the tier's archive. */
    parts: ItemPart[];
    /** Swarm services scaled to 0 while it is read, and back after, in this order (back in reverse). */
    pause: string[];
}

/** The stack's own part: its state and config (read through the engine, not from a container). */
export interface StackItem {
    tier: "gateway";
    contents: string[];
}

export interface BackupPlan {
    cluster: string;
    chain: string;
    stack: StackItem;
    containers: ContainerItem[];
    /** What was left out and why, one line each (said to the person). */
    skipped: string[];
}

interface Outputs {
    chain?: string;
    containers?: { name: string }[];
    workloads?: Record<string, Record<string, unknown>>;
}

export interface PlanOptions {
    /** Also take Kafka's topics: the brokers' and the KRaft controllers' data, the tier paused (`--kafka`). */
    kafka?: boolean;
}

const service = (v: unknown): string | undefined => (typeof v === "string" && /^[a-z0-9][a-z0-9-]*$/.test(v) ? v : undefined);

/** The backup of a cluster from its stack's `dataCenter` output; a one-line error when it runs no data center. */
export function backupPlan(cluster: string, dataCenter: unknown, opts: PlanOptions = {}): BackupPlan {
    const dc = (dataCenter ?? {}) as Outputs;
    if (!dc.chain || !Array.isArray(dc.containers)) throw new Error(`cluster ${cluster} runs no data center (no tiers deployed); fix: \`bcm stack deploy gateway --cluster ${cluster}\` first, or back up another cluster`);
    const chain = dc.chain;
    const containers: ContainerItem[] = [];
    const skipped: string[] = [];
    const bitcoin = dc.workloads?.bitcoin;
    if (bitcoin) {
        const lnd = service(bitcoin.lnd);
        const backups = service(bitcoin.channelBackups);
        const first = dc.containers.map((c) => c.name).find((n) => /^bcm-bitcoin-\d+$/.test(n));
        if (!lnd || !first) throw new Error(`cluster ${cluster}: the bitcoin tier's outputs name no lnd service or container; fix: deploy again (\`bcm stack deploy bitcoin --cluster ${cluster}\`)`);
        containers.push({
            tier: "bitcoin",
            contents: ["lnd (wallet, channel database, macaroons, TLS key)", "channel-backups (encrypted static channel backups)"],
            parts: [{ instance: first, dir: `/var/lib/bcm/chain-${chain}`, entries: ["lnd", "channel-backups"] }],
            // The backup service follows lnd: stopped first, started after it.
            pause: [...(backups ? [backups] : []), lnd],
        });
        skipped.push("bitcoin: the chain and the Electrum index (rebuilt from the node's peers and the node; the chain volume is kept on destroy unless keepChainData is false)");
    }
    const kafka = dc.workloads?.kafka;
    if (kafka && opts.kafka) {
        const quorum = typeof kafka.controllerQuorum === "string" ? kafka.controllerQuorum.split(",").length : undefined;
        if (quorum === undefined) throw new Error(`--kafka: this kafka tier's outputs name no KRaft quorum (a tier from before KRaft); fix: deploy it again (\`bcm stack deploy kafka --cluster ${cluster}\`), or back up without --kafka`);
        const layout = kafkaLayout(dc.containers.map((c) => c.name).filter((n) => /^bcm-kafka-\d+$/.test(n)), quorum);
        const bridge = service(bitcoin?.chainBridge);
        containers.push({
            tier: "kafka",
            contents: ["the brokers' logs (every topic's messages, the schema registry's _schemas among them)", "the KRaft controllers' metadata log (the cluster's id, topics and configs)"],
            // Docker's named volumes of the services, on the containers that run them.
            parts: layout.brokers.map((b) => ({
                instance: b.container,
                dir: "/var/lib/docker/volumes",
                entries: ["bcm-kafka-broker-data/_data", ...(layout.controllers.some((c) => c.container === b.container) ? ["bcm-kafka-controller-data/_data"] : [])],
            })),
            // Every writer first (the chain bridge, the REST proxies, the registries, Connect), then the
            // brokers, the controllers last; back in reverse.
            pause: [...(bridge ? [bridge] : []), ...[...layout.restProxies, ...layout.schemaRegistries, ...layout.connects, ...layout.brokers, ...layout.controllers].map((x) => x.service)],
        });
    } else if (kafka) {
        skipped.push("kafka: topics' data (not asked: --kafka takes it, pausing the tier)");
    }
    skipped.push("gateway: the registry's content (rebuilt: the deploy pushes every image again)");
    return { cluster, chain, stack: { tier: "gateway", contents: ["state (the stack's drawn keys: onion services, RPC password and certificate)", "config (Pulumi.<cluster>.yaml)"] }, containers, skipped };
}

/** The shell line that writes a part's tar to `file` inside its container (owner-only). */
export function tarCommand(item: ItemPart, file: string): string[] {
    const safe = /^[A-Za-z0-9._/-]+$/;
    for (const p of [item.dir, file, ...item.entries]) if (!safe.test(p)) throw new Error(`backup path ${JSON.stringify(p)}: not a plain path`);
    // Entries that do not exist yet (no channel backup written) are left out, not an error.
    return ["sh", "-c", `set -e; umask 077; cd ${item.dir}; set --; for e in ${item.entries.join(" ")}; do [ -e "$e" ] && set -- "$@" "$e"; done; tar --numeric-owner -cf ${file} "$@"`];
}

/** The shell line that puts a tar (pushed to `file`) back in place of the part's entries, then deletes it. */
export function untarCommand(item: ItemPart, file: string): string[] {
    const safe = /^[A-Za-z0-9._/-]+$/;
    for (const p of [item.dir, file, ...item.entries]) if (!safe.test(p)) throw new Error(`restore path ${JSON.stringify(p)}: not a plain path`);
    return ["sh", "-c", `set -e; cd ${item.dir}; rm -rf ${item.entries.join(" ")}; tar --numeric-owner --same-owner -xpf ${file}; rm -f ${file}`];
}
