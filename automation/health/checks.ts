// Each health check: a pure function from what was read to a verdict (tested directly). The
// reading is elsewhere (read.ts); a reading that failed is an `error` here, and judged.
import type { Verdict } from "./verdict";
import type { TorLogReading } from "./torLog";

const ago = (from: Date, now: Date): string => {
    const s = Math.max(0, Math.round((now.getTime() - from.getTime()) / 1000));
    if (s < 120) return `${s} s ago`;
    if (s < 7200) return `${Math.round(s / 60)} min ago`;
    if (s < 172800) return `${Math.round(s / 3600)} h ago`;
    return `${Math.round(s / 86400)} days ago`;
};

/** Tor: bootstrapped to 100%, and when it last opened a circuit. */
export function torCheck(r: { log?: TorLogReading; network?: string; error?: string }, now: Date, graceSeconds = 300): Verdict {
    const v = (level: Verdict["level"], reason: string): Verdict => ({ tier: "gateway", check: "tor", level, reason });
    if (r.error) return v("FAIL", r.error);
    if (r.network === "offline") return v("FAIL", "DisableNetwork 1 (bcm:tor network offline): Tor makes no connection, no onion service can be reached; fix: deploy the gateway with --tor public (or a private network)");
    const log = r.log ?? {};
    const circuit = log.lastCircuit ? `last circuit opened ${ago(log.lastCircuit, now)}` : "no circuit opened yet";
    if (log.percent === 100) return v("OK", `bootstrapped 100%, ${circuit}`);
    const at = log.percent === undefined ? "no bootstrap progress logged" : `bootstrapped ${log.percent}% (${log.phase ?? "?"})`;
    const since = log.started ? (now.getTime() - log.started.getTime()) / 1000 : Infinity;
    const warning = log.lastWarning ? `; last warning: ${log.lastWarning}` : "";
    if (since < graceSeconds) return v("WARN", `${at}, started ${ago(log.started!, now)}: still bootstrapping${warning}`);
    return v("FAIL", `${at} since it started ${log.started ? ago(log.started, now) : "(unknown)"}: Tor cannot bootstrap (is its network reachable?)${warning}`);
}

/** An onion service, probed through the gateway's Tor (SOCKS) now. */
export function onionCheck(service: string, r: { address: string; port: number; reachable?: boolean; seconds?: number; error?: string }): Verdict {
    const check = `onion ${service}`;
    if (r.reachable) return { tier: "gateway", check, level: "OK", reason: `${r.address}:${r.port} answered through Tor${r.seconds !== undefined ? ` in ${r.seconds.toFixed(1)} s` : ""}` };
    return { tier: "gateway", check, level: "FAIL", reason: `${r.address}:${r.port} not reachable through Tor: ${r.error ?? "no answer"}` };
}

/** The full node: height, peers, and how far it is synced. */
export function nodeCheck(
    service: string,
    chain: string,
    r: { blocks?: number; headers?: number; peers?: number; progress?: number; error?: string },
): Verdict {
    const v = (level: Verdict["level"], reason: string): Verdict => ({ tier: "bitcoin", check: `node ${service}`, level, reason });
    if (r.error !== undefined || r.blocks === undefined) return v("FAIL", r.error ?? "no height read");
    const peers = r.peers ?? 0;
    const headers = Math.max(r.headers ?? r.blocks, r.blocks);
    const progress = r.progress ?? (headers > 0 ? r.blocks / headers : 1);
    const facts = `height ${r.blocks} of ${headers} headers, ${peers} peer(s), ${(progress * 100).toFixed(1)}% synced`;
    // regtest has no peers: the node mines its own chain.
    if (peers === 0 && chain !== "regtest") return v("WARN", `${facts}: no peers (is Tor reachable?)`);
    if (progress < 0.9999 || r.blocks < headers) return v("WARN", `${facts}: still syncing`);
    return v("OK", facts);
}

/** lnd: synced to the chain and the graph, its channels. */
export function lndCheck(
    service: string,
    r: { syncedToChain?: boolean; syncedToGraph?: boolean; height?: number; peers?: number; active?: number; inactive?: number; pending?: number; error?: string },
): Verdict {
    const v = (level: Verdict["level"], reason: string): Verdict => ({ tier: "bitcoin", check: `lnd ${service}`, level, reason });
    if (r.error !== undefined || r.syncedToChain === undefined) return v("FAIL", r.error ?? "getinfo said nothing");
    const channels = `${r.active ?? 0} active, ${r.inactive ?? 0} inactive, ${r.pending ?? 0} pending channel(s)`;
    const facts = `height ${r.height ?? "?"}, chain ${r.syncedToChain ? "synced" : "NOT synced"}, graph ${r.syncedToGraph ? "synced" : (r.peers ?? 0) === 0 ? "not synced (no peers)" : "NOT synced"}, ${r.peers ?? 0} peer(s), ${channels}`;
    if (!r.syncedToChain) return v("WARN", `${facts}: lnd is catching up with the node`);
    if (!r.syncedToGraph && (r.peers ?? 0) > 0) return v("WARN", `${facts}: the graph is still syncing`);
    if ((r.inactive ?? 0) > 0) return v("WARN", `${facts}: a channel's peer is away`);
    return v("OK", facts);
}

/** Kafka: no under-replicated partition. */
export function kafkaCheck(r: { underReplicated?: string[]; error?: string }): Verdict {
    const v = (level: Verdict["level"], reason: string): Verdict => ({ tier: "kafka", check: "partitions", level, reason });
    if (r.error !== undefined || r.underReplicated === undefined) return v("FAIL", r.error ?? "the broker said nothing");
    if (r.underReplicated.length > 0) return v("FAIL", `${r.underReplicated.length} under-replicated partition(s): ${r.underReplicated.slice(0, 3).join("; ")}`);
    return v("OK", "no under-replicated partitions");
}

export interface DiskThresholds {
    /** Percent used at which a volume or pool is WARN, and FAIL. */
    warnPercent: number;
    failPercent: number;
}

export const defaultDiskThresholds: DiskThresholds = { warnPercent: 80, failPercent: 90 };

const mib = (n: number) => `${(n / 1048576).toFixed(0)} MiB`;

/** A volume or pool's use against its size (a volume without a quota is judged against its pool). */
export function diskCheck(tier: string, what: string, r: { used?: number; total?: number; error?: string }, t: DiskThresholds): Verdict {
    const v = (level: Verdict["level"], reason: string): Verdict => ({ tier, check: what, level, reason });
    if (r.error !== undefined || r.used === undefined || !r.total || r.total <= 0) return v("FAIL", r.error ?? "its size cannot be read");
    const percent = (r.used / r.total) * 100;
    const facts = `${mib(r.used)} of ${mib(r.total)} used (${percent.toFixed(1)}%)`;
    if (percent >= t.failPercent) return v("FAIL", `${facts}, at or past ${t.failPercent}%: free space before it fills`);
    if (percent >= t.warnPercent) return v("WARN", `${facts}, at or past ${t.warnPercent}%`);
    return v("OK", facts);
}

export interface BackupThresholds {
    warnHours: number;
    failHours: number;
}

export const defaultBackupThresholds: BackupThresholds = { warnHours: 26, failHours: 24 * 7 };

/** The newest backup's age. */
export function backupCheck(newest: Date | undefined, now: Date, t: BackupThresholds, where: string): Verdict {
    const v = (level: Verdict["level"], reason: string): Verdict => ({ tier: "gateway", check: "backup", level, reason });
    if (!newest) return v("WARN", `no backup in ${where}; make one with \`bcm backup create\``);
    const hours = (now.getTime() - newest.getTime()) / 3_600_000;
    const facts = `newest backup made ${ago(newest, now)} (${newest.toISOString()})`;
    if (hours >= t.failHours) return v("FAIL", `${facts}: older than ${t.failHours} h`);
    if (hours >= t.warnHours) return v("WARN", `${facts}: older than ${t.warnHours} h`);
    return v("OK", facts);
}
