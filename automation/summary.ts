// What a person reads when a deploy ends: per tier its containers and what runs there, how
// to reach the gateway's services, and each onion service with where its client key was
// written; never a credential (they stay in the stack's encrypted state). `--json` prints the
// machine-readable form instead (summaryJson).
import { onionAuthDir, writeClientAuth } from "./cluster/onionAuth";

/** The stack's `dataCenter` output, as far as the summary reads it. */
export interface DataCenterOutput {
    chain?: string;
    torNetwork?: string;
    dockerHost?: string;
    socks?: string;
    dns?: string;
    registry?: string;
    registryMirror?: string;
    containers?: { name: string; address: string }[];
    onions?: Record<string, { address: string; clientAuthLines: Record<string, string> }>;
    workloads?: Record<string, Record<string, unknown>>;
}

/** Writes each onion service's client keys where a Tor client's ClientOnionAuthDir can use them (owner-only); returns the files by service. */
export function writeClientKeys(home: string, cluster: string, onions: DataCenterOutput["onions"] = {}): Record<string, string[]> {
    return Object.fromEntries(Object.entries(onions).map(([service, o]) => [service, writeClientAuth(onionAuthDir(home, cluster), service, o.clientAuthLines)]));
}

/** Keys whose values are credentials: named, never shown. */
const secretKeys = new Set(["rpcCredentials"]);

/** A workload's exports as `key value` pairs, nested objects flattened one level, credentials replaced by where they are. */
function workloadFacts(tier: string, w: Record<string, unknown>): string[] {
    return Object.entries(w).flatMap(([k, v]) => {
        if (secretKeys.has(k)) return [`${k}: secret (stack output dataCenter.workloads.${tier}.${k})`];
        if (v !== null && typeof v === "object" && !Array.isArray(v)) return Object.entries(v as Record<string, unknown>).map(([k2, v2]) => `${k}.${k2}: ${String(v2)}`);
        return [`${k}: ${Array.isArray(v) ? v.join(", ") || "none" : String(v)}`];
    });
}

/** The summary's lines (pure: the files were written before). */
export function formatSummary(title: string, dc: DataCenterOutput, keyFiles: Record<string, string[]>): string[] {
    const lines = [title, ""];
    const containers = dc.containers ?? [];
    const tiers = [...new Set(containers.map((c) => /^bcm-(.+)-\d+$/.exec(c.name)?.[1] ?? c.name))];
    const width = Math.max(8, ...tiers.map((t) => t.length)) + 2;
    const pad = (s: string) => s.padEnd(width);
    for (const tier of tiers) {
        const mine = containers.filter((c) => c.name.startsWith(`bcm-${tier}-`));
        mine.forEach((c, i) => lines.push(`${pad(i === 0 ? tier : "")}${c.name}  ${c.address}`));
        if (tier === "gateway") {
            lines.push(`${pad("")}Tor SOCKS ${dc.socks} · Tor DNS ${dc.dns} (udp) · Tor network ${dc.torNetwork}${dc.torNetwork === "offline" ? " (BCM_TOR_NETWORK=public joins the Tor network)" : ""}`);
            lines.push(`${pad("")}private registry ${dc.registry}/v2/ · Docker Hub mirror ${dc.registryMirror}`);
            lines.push(`${pad("")}Docker API: DOCKER_HOST=${dc.dockerHost} docker service ls`);
        }
        for (const fact of workloadFacts(tier, dc.workloads?.[tier] ?? {})) lines.push(`${pad("")}${fact}`);
    }
    const onions = Object.entries(dc.onions ?? {});
    if (onions.length > 0) {
        lines.push("", "onion services");
        const w = Math.max(...onions.map(([n]) => n.length)) + 2;
        for (const [name, o] of onions) {
            const files = keyFiles[name] ?? [];
            lines.push(`  ${name.padEnd(w)}${o.address}  ${files.length > 0 ? `client key: ${files.join(", ")}` : "public"}`);
        }
    }
    return lines;
}

/** The machine-readable form: the output as it is, but credentials and client keys replaced by where they are. */
export function summaryJson(dc: DataCenterOutput, keyFiles: Record<string, string[]>): string {
    const workloads = Object.fromEntries(
        Object.entries(dc.workloads ?? {}).map(([t, w]) => [t, Object.fromEntries(Object.entries(w).map(([k, v]) => [k, secretKeys.has(k) ? `secret: dataCenter.workloads.${t}.${k}` : v]))]),
    );
    const onions = Object.fromEntries(Object.entries(dc.onions ?? {}).map(([n, o]) => [n, { address: o.address, clientKeyFiles: keyFiles[n] ?? [] }]));
    return JSON.stringify({ ...dc, workloads, onions }, null, 2);
}
