// Reading what the health checks judge, from a cluster's swarm (the manager's socket) and its
// endpoints' LXD (exec in the tier containers, whose dockerd runs the tasks). Every reader
// returns what it read or an `error` line; none throws.
import { execa } from "execa";
import { customVolumes, exec } from "../../components/lxd/client";
import type { LxdClient } from "../../components/lxd/client";
import type { EndpointSpec } from "../../components/datacenter/spec";
import { clientFor, ExportedEndpoint } from "../cluster/workspace";

export interface Endpoints {
    exported: ExportedEndpoint[];
    specs: EndpointSpec[];
}

const firstLine = (s: string) => s.trim().split("\n")[0] ?? "";

export async function dockerOn(host: string, args: string[], timeout = 60_000): Promise<{ ok: boolean; stdout: string; stderr: string }> {
    const r = await execa("docker", ["-H", host, ...args], { reject: false, stdin: "ignore", timeout });
    return { ok: r.exitCode === 0, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** The running task of a service: its id and the node (tier container) it runs on; an error line otherwise. */
export async function runningTask(host: string, service: string): Promise<{ id: string; node: string } | { error: string }> {
    const r = await dockerOn(host, ["service", "ps", service, "--filter", "desired-state=running", "--no-trunc", "--format", "{{.ID}} {{.Node}} {{.CurrentState}}"]);
    if (!r.ok) return { error: `${service}: ${firstLine(r.stderr) || "not a service"}` };
    const running = r.stdout.split("\n").map((l) => l.trim().split(/\s+/)).find((f) => f[2] === "Running");
    if (!running) return { error: `${service}: no running task (${firstLine(r.stdout).split(/\s+/).slice(2).join(" ") || "none scheduled"})` };
    return { id: running[0], node: running[1] };
}

/**
 * Runs `script` on the tier container that holds a service's running task, with "$t" its
 * container and argv as "$@", through the LXD of the endpoint that holds that node.
 */
async function onTaskNode(host: string, endpoints: Endpoints, service: string, script: string, argv: string[], timeoutSeconds: number): Promise<{ stdout: string } | { error: string }> {
    const task = await runningTask(host, service);
    if ("error" in task) return task;
    const problems: string[] = [];
    for (const e of endpoints.exported) {
        let client: LxdClient | undefined;
        try {
            client = clientFor(e, endpoints.specs.find((s) => s.name === e.name));
            if (!(await client.exists(`/1.0/instances/${encodeURIComponent(task.node)}`))) continue;
            const find = `t="$(docker ps -q --filter label=com.docker.swarm.service.name=${service} | head -n 1)"; [ -n "$t" ] || { echo "no running task of ${service} on ${task.node}" >&2; exit 1; }; `;
            const r = await exec(client, task.node, ["sh", "-c", find + script, "sh", ...argv], { timeoutSeconds });
            if (r.exitCode !== 0) return { error: `${service}: ${argv[0] ?? "docker logs"} exited ${r.exitCode}: ${firstLine(r.stderr) || firstLine(r.stdout)}` };
            return { stdout: r.stdout };
        } catch (err) {
            problems.push(`${e.name}: ${firstLine((err as Error).message)}`);
        } finally {
            client?.close();
        }
    }
    return { error: `${service}: its node ${task.node} is on no endpoint that answers (${problems.join("; ") || "not found"})` };
}

/** Runs argv in a service's running task, through the LXD of the endpoint that holds its node. */
export function inTask(host: string, endpoints: Endpoints, service: string, argv: string[], timeoutSeconds = 60): Promise<{ stdout: string } | { error: string }> {
    return onTaskNode(host, endpoints, service, 'exec docker exec "$t" "$@"', argv, timeoutSeconds);
}

/** JSON printed by a command in a task, or the error. */
export async function jsonInTask<T>(host: string, endpoints: Endpoints, service: string, argv: string[]): Promise<T | { error: string }> {
    const r = await inTask(host, endpoints, service, argv);
    if ("error" in r) return r;
    try {
        return JSON.parse(r.stdout) as T;
    } catch {
        return { error: `${service}: ${argv.join(" ")} printed no JSON: ${firstLine(r.stdout)}` };
    }
}

/**
 * Tor's log of its running task (docker's timestamps on every line), read on its node:
 * `docker service logs` through the manager hangs at times and never returns (docker/cli#4678).
 */
export async function torLog(host: string, endpoints: Endpoints): Promise<{ text: string } | { error: string }> {
    const r = await onTaskNode(host, endpoints, "tor", 'exec docker logs --timestamps "$t" 2>&1', [], 60);
    return "error" in r ? { error: `tor: its log cannot be read: ${r.error.replace(/^tor: /, "")}` } : { text: r.stdout };
}

/** One SOCKS connection through the gateway's Tor to an onion service (nc in Tor's task). */
export async function probeOnion(host: string, endpoints: Endpoints, address: string, port: number, timeoutSeconds = 90): Promise<{ reachable: boolean; seconds: number; error?: string }> {
    const started = Date.now();
    const r = await inTask(host, endpoints, "tor", ["nc", "-X", "5", "-x", "127.0.0.1:9050", "-z", "-w", String(timeoutSeconds), address, String(port)], timeoutSeconds + 30);
    const seconds = (Date.now() - started) / 1000;
    return "error" in r ? { reachable: false, seconds, error: r.error.replace(/^tor: nc exited \d+: ?/, "") || "the connection through Tor failed" } : { reachable: true, seconds };
}

/** A storage pool's space, and each of the cluster's custom volumes' use (du in the container it is attached to). */
export interface DiskReading {
    endpoint: string;
    pools: { name: string; used?: number; total?: number; error?: string }[];
    volumes: { pool: string; name: string; instance?: string; path?: string; used?: number; total?: number; error?: string }[];
}

interface LxdVolume {
    name: string;
    config?: Record<string, string>;
    used_by?: string[];
}

interface LxdInstanceDevices {
    name: string;
    status: string;
    expanded_devices?: Record<string, Record<string, string>>;
}

const bytes = (size: string | undefined): number | undefined => {
    if (!size) return undefined;
    const m = /^(\d+)\s*([KMGT]i?B|B)?$/.exec(size.trim());
    if (!m) return undefined;
    const unit = m[2] ?? "B";
    const pow = { B: 0, KB: 1, KiB: 1, MB: 2, MiB: 2, GB: 3, GiB: 3, TB: 4, TiB: 4 }[unit] ?? 0;
    return Number(m[1]) * (unit.includes("i") || unit === "B" ? 1024 : 1000) ** pow;
};

export async function readDisks(cluster: string, endpoints: Endpoints): Promise<DiskReading[]> {
    const out: DiskReading[] = [];
    for (const e of endpoints.exported) {
        const reading: DiskReading = { endpoint: e.name, pools: [], volumes: [] };
        out.push(reading);
        const client = clientFor(e, endpoints.specs.find((s) => s.name === e.name));
        try {
            const pools = await client.get<{ name: string }[]>("/1.0/storage-pools?recursion=1");
            const instances = await client.get<LxdInstanceDevices[]>("/1.0/instances?recursion=1");
            for (const p of pools) {
                let poolTotal: number | undefined;
                try {
                    const res = await client.get<{ space: { used: number; total: number } }>(`/1.0/storage-pools/${encodeURIComponent(p.name)}/resources`);
                    poolTotal = res.space.total;
                    reading.pools.push({ name: p.name, used: res.space.used, total: res.space.total });
                } catch (err) {
                    reading.pools.push({ name: p.name, error: firstLine((err as Error).message) });
                }
                const volumes = await customVolumes<LxdVolume>(client, p.name);
                for (const v of volumes.filter((x) => x.config?.["user.bcm.cluster"] === cluster)) {
                    const entry: DiskReading["volumes"][number] = { pool: p.name, name: v.name };
                    reading.volumes.push(entry);
                    const quota = bytes(v.config?.size);
                    try {
                        const state = await client.get<{ usage?: { used: number; total: number } }>(`/1.0/storage-pools/${encodeURIComponent(p.name)}/volumes/custom/${encodeURIComponent(v.name)}/state`);
                        if (state.usage) {
                            entry.used = state.usage.used;
                            entry.total = state.usage.total > 0 ? state.usage.total : (quota ?? poolTotal);
                            continue;
                        }
                    } catch {
                        // A dir pool without quotas cannot say: measured in the container below.
                    }
                    const holder = instances.find((i) => i.status === "Running" && Object.values(i.expanded_devices ?? {}).some((d) => d.type === "disk" && d.pool === p.name && d.source === v.name));
                    const device = holder && Object.values(holder.expanded_devices ?? {}).find((d) => d.type === "disk" && d.pool === p.name && d.source === v.name);
                    if (!holder || !device?.path) {
                        entry.error = "attached to no running container: its use cannot be measured";
                        continue;
                    }
                    entry.instance = holder.name;
                    entry.path = device.path;
                    const r = await exec(client, holder.name, ["du", "-sxB1", device.path], { timeoutSeconds: 600 });
                    const used = Number(r.stdout.trim().split(/\s+/)[0]);
                    if (r.exitCode !== 0 || !Number.isFinite(used)) {
                        entry.error = `du ${device.path} in ${holder.name}: ${firstLine(r.stderr) || `exit ${r.exitCode}`}`;
                        continue;
                    }
                    entry.used = used;
                    entry.total = quota ?? poolTotal;
                }
            }
        } catch (err) {
            reading.pools.push({ name: "?", error: `endpoint ${e.name} does not answer: ${firstLine((err as Error).message)}` });
        } finally {
            client.close();
        }
    }
    return out;
}
