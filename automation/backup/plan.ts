// What a backup takes from each tier of a data center, decided from the stack's outputs alone
// (pure: tested directly). Only what cannot be made again is taken: the stack's state (its
// drawn keys: the onion services', the RPC password and certificate) and config for the
// gateway; lnd's wallet, channel database and the encrypted channel backups for the bitcoin
// tier. The chain and the Electrum index are rebuilt from the network (and the chain volume
// is kept on destroy on the real chains), the registry's content is pushed again by the deploy.
// Kafka's topics are not taken yet (said in `skipped`). Data read from a tier container is read with the services that write it paused
// (scaled to 0 and back), so what is read is consistent.

/** Data read from a directory of a tier container, with the services that write it paused. */
export interface ContainerItem {
    tier: string;
    /** What the archive holds, for people and the manifest. */
    contents: string[];
    /** The system container whose disk holds it. */
    instance: string;
    /** The directory the tar is taken in (`tar -C dir`), and the entries under it it takes. */
    dir: string;
    entries: string[];
    /** Swarm services scaled to 0 while it is read, and back to 1 after, in this order (back in reverse). */
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

const service = (v: unknown): string | undefined => (typeof v === "string" && /^[a-z0-9][a-z0-9-]*$/.test(v) ? v : undefined);

/** The backup of a cluster from its stack's `dataCenter` output; a one-line error when it runs no data center. */
export function backupPlan(cluster: string, dataCenter: unknown): BackupPlan {
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
            instance: first,
            dir: `/var/lib/bcm/chain-${chain}`,
            entries: ["lnd", "channel-backups"],
            // The backup service follows lnd: stopped first, started after it.
            pause: [...(backups ? [backups] : []), lnd],
        });
        skipped.push("bitcoin: the chain and the Electrum index (rebuilt from the node's peers and the node; the chain volume is kept on destroy unless keepChainData is false)");
    }
    if (dc.workloads?.kafka) skipped.push("kafka: topics' data (not taken by this version: a restored kafka tier starts with its topics empty; lnd's channel backups on Kafka are also on the chain volume)");
    skipped.push("gateway: the registry's content (rebuilt: the deploy pushes every image again)");
    return { cluster, chain, stack: { tier: "gateway", contents: ["state (the stack's drawn keys: onion services, RPC password and certificate)", "config (Pulumi.<cluster>.yaml)"] }, containers, skipped };
}

/** The shell line that writes a tier item's tar to `file` inside its container (owner-only). */
export function tarCommand(item: ContainerItem, file: string): string[] {
    const safe = /^[A-Za-z0-9._/-]+$/;
    for (const p of [item.dir, file, ...item.entries]) if (!safe.test(p)) throw new Error(`backup path ${JSON.stringify(p)}: not a plain path`);
    // Entries that do not exist yet (no channel backup written) are left out, not an error.
    return ["sh", "-c", `set -e; umask 077; cd ${item.dir}; set --; for e in ${item.entries.join(" ")}; do [ -e "$e" ] && set -- "$@" "$e"; done; tar --numeric-owner -cf ${file} "$@"`];
}

/** The shell line that puts a tar (pushed to `file`) back in place of the item's entries, then deletes it. */
export function untarCommand(item: ContainerItem, file: string): string[] {
    const safe = /^[A-Za-z0-9._/-]+$/;
    for (const p of [item.dir, file, ...item.entries]) if (!safe.test(p)) throw new Error(`restore path ${JSON.stringify(p)}: not a plain path`);
    return ["sh", "-c", `set -e; cd ${item.dir}; rm -rf ${item.entries.join(" ")}; tar --numeric-owner --same-owner -xpf ${file}; rm -f ${file}`];
}
