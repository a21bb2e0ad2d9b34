// Why a Swarm service did not converge, added to a failed deploy's one line. The docker
// provider says only "Service with ID (x) did not converge after 5m0s"; the service's tasks
// say why (an image the node cannot pull, a health check failing, a task that keeps exiting,
// no node that fits the placement). They are read in the swarm's manager container through
// LXD (the operator's socket may be what failed), and reading them never fails the report.
import { containerForHost, DockerRunner, StoredResource } from "./dockerRecovery";

/** The service IDs an engine failure names as not converged, each once. */
export function unconvergedServices(failure: string): string[] {
    return [...new Set([...failure.matchAll(/Service with ID \(([a-z0-9]+)\) did not converge/g)].map((m) => m[1]))];
}

/** The `docker service ps` format taskSummary reads. */
export const taskFormat = "{{.Name}}\t{{.Node}}\t{{.CurrentState}}\t{{.Error}}";

/**
 * One line about a service's tasks from `docker service ps --no-trunc --format taskFormat`
 * (newest first): where the newest is and its state, and the distinct errors of the last five.
 */
export function taskSummary(ps: string): string {
    const tasks = ps
        .split("\n")
        .filter((l) => l.trim() !== "")
        .map((l) => {
            const [name, node, state, error] = l.split("\t");
            return { name: name?.trim() ?? "", node: node?.trim() ?? "", state: state?.trim() ?? "", error: error?.trim() ?? "" };
        });
    if (tasks.length === 0) return "no task was ever made (no node fits its placement, or the swarm has no node for it)";
    const newest = tasks[0];
    const errors = [...new Set(tasks.slice(0, 5).map((t) => t.error).filter((e) => e !== ""))];
    return `${newest.name} on ${newest.node || "no node"}: ${newest.state}${errors.length > 0 ? `; its tasks' errors: ${errors.join("; ")}` : ""}`;
}

/** The swarm manager's container: the one the operator's socket (an InstanceSocket) serves. */
export function managerContainer(resources: StoredResource[]): { container: string; lxdUrl?: string } | undefined {
    for (const r of resources) {
        if (r.type !== "lxd:index:InstanceSocket") continue;
        const socket = (r.outputs?.path ?? r.inputs?.path) as unknown;
        if (typeof socket === "string") return containerForHost(resources, `unix://${socket}`);
    }
    return undefined;
}

/**
 * "; service <id>: <summary>" for every service the failure names as not converged, or "" when
 * it names none or nothing can be read (then the failure stands as the engine said it).
 */
export async function explainUnconverged(failure: string, resources: StoredResource[], run: DockerRunner): Promise<string> {
    const ids = unconvergedServices(failure);
    const manager = managerContainer(resources);
    if (ids.length === 0 || !manager) return "";
    const lines: string[] = [];
    for (const id of ids) {
        try {
            const ps = await run(manager.lxdUrl, manager.container, ["service", "ps", "--no-trunc", "--format", taskFormat, id]);
            if (ps.exitCode === 0) lines.push(`service ${id}: ${taskSummary(ps.stdout)}`);
        } catch {
            // The manager is gone or LXD does not answer: the engine's own words stand.
        }
    }
    return lines.map((l) => `; ${l}`).join("");
}
