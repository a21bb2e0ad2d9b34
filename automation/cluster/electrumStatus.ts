// `bcm show`: how far a cluster's Electrum server has indexed. `bcm-electrum status` runs in
// the server's task, through the dockerd of the tier container that hosts it (reached by
// the LXD API of its endpoint, as the rest of `bcm show`), and prints its status.json.
import { exec } from "../../components/lxd/client";
import { ExportedEndpoint, clientFor } from "./workspace";
import type { EndpointSpec } from "../../components/datacenter/spec";

/** The fields of bcm-electrum's status.json that `bcm show` reads (services/electrum/internal/status). */
export interface ElectrumStatusFile {
    state: string;
    height: number;
    node_height: number;
    percent: number;
    blocks_per_sec: number;
    txs_per_sec: number;
    connections?: number;
    last_error?: string;
    rebuilt?: string;
    updated?: string;
}

/** One line about the server, from status.json and `bcm-electrum status`'s exit code (3: the file is over a minute old). */
export function describeElectrumStatus(s: ElectrumStatusFile, exitCode = 0): string {
    const rate = `${s.blocks_per_sec} blocks/s, ${s.txs_per_sec} txs/s`;
    const line =
        s.state === "indexing"
            ? `indexing ${s.percent.toFixed(1)}% (height ${Math.max(s.height, 0)} of ${s.node_height}, ${rate})`
            : s.state === "synced"
              ? `synced at height ${s.height} (node ${s.node_height}), ${s.connections ?? 0} connection(s)`
              : `${s.state} at height ${s.height} (node ${s.node_height})`;
    const notes = [
        s.rebuilt ? `rebuilt: ${s.rebuilt}` : "",
        s.last_error ? `last error: ${s.last_error}` : "",
        exitCode === 3 ? `status last written ${s.updated ?? "long ago"}: is the server still running?` : "",
    ].filter((n) => n !== "");
    return notes.length > 0 ? `${line}; ${notes.join("; ")}` : line;
}

/** The shell line run in the tier container: `bcm-electrum status` in the service's running task there. */
export function statusCommand(service: string): string[] {
    if (!/^[a-z0-9-]+$/.test(service)) throw new Error(`electrum service "${service}": not a swarm service name`);
    return [
        "sh",
        "-c",
        `t="$(docker ps -q --filter label=com.docker.swarm.service.name=${service} | head -n 1)"; ` +
            `[ -n "$t" ] || { echo "no running task of ${service} on this container" >&2; exit 1; }; ` +
            `exec docker exec "$t" bcm-electrum status`,
    ];
}

/**
 * The server's line for `bcm show`: finds the tier container its task runs on (`node`, from
 * the swarm), then runs `bcm-electrum status` there through the endpoint that holds that
 * container. Never throws: a failure is the line.
 */
export async function electrumProgress(service: string, node: string, endpoints: { exported: ExportedEndpoint; spec?: EndpointSpec }[]): Promise<string> {
    const problems: string[] = [];
    for (const e of endpoints) {
        const client = clientFor(e.exported, e.spec);
        try {
            const r = await exec(client, node, statusCommand(service), { timeoutSeconds: 30 });
            if (r.exitCode !== 0 && r.exitCode !== 3) {
                problems.push(`${e.exported.name}: ${(r.stderr.trim() || r.stdout.trim()).split("\n")[0]}`);
                continue;
            }
            return describeElectrumStatus(JSON.parse(r.stdout) as ElectrumStatusFile, r.exitCode);
        } catch (err) {
            // Not on this endpoint (404), or the endpoint does not answer: the next one may hold it.
            problems.push(`${e.exported.name}: ${(err as Error).message.split("\n")[0]}`);
        } finally {
            client.close();
        }
    }
    return `status unknown (${problems.join("; ") || "no endpoint"})`;
}
