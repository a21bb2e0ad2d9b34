// Docker objects of a cluster that its stack does not hold: what `bcm cluster cull` finds in
// the swarm and on each node besides LXD containers and volumes. The identity is a label on
// every Docker object BCM makes, `bcm.cluster=<stack>` (the Docker side of LXD's
// `user.bcm.cluster`); an object without it, or with another cluster's, is never touched.
// Docker is reached inside the cluster's own containers (LXD exec of the docker CLI), so cull
// needs no Docker socket and works when a killed run never wrote the stack's outputs.
import { exec, LxdClient } from "../../components/lxd/client";
import { clusterLabelKey } from "../../components/swarm/clusterLabel";

/** The label that carries a Docker object's cluster (set on every one by components/swarm/clusterLabel.ts). */
export const clusterLabel = clusterLabelKey;

export type DockerKind = "service" | "secret" | "config" | "network" | "volume";

/** Swarm-wide objects are listed on a manager; volumes on every node (each dockerd has its own). */
export const swarmKinds: DockerKind[] = ["service", "secret", "config", "network"];

/** The docker provider's resource types, by the kind of object each makes. */
export const dockerResourceTypes: Record<string, DockerKind> = {
    "docker:index/service:Service": "service",
    "docker:index/secret:Secret": "secret",
    "docker:index/serviceConfig:ServiceConfig": "config",
    "docker:index/network:Network": "network",
    "docker:index/volume:Volume": "volume",
};

/** A Docker object as listed: its ID (a volume's is its name) and name. */
export interface DockerObject {
    kind: DockerKind;
    id: string;
    name: string;
}

/** The Docker objects a stack's state holds, by kind: IDs and names both (either identifies). */
export type OwnedDocker = Record<DockerKind, Set<string>>;

interface StateResource {
    type: string;
    id?: string;
    outputs?: Record<string, unknown>;
}

/** Reads what the state holds from its resources (pure: tested directly). */
export function ownedDockerObjects(resources: StateResource[]): OwnedDocker {
    const owned: OwnedDocker = { service: new Set(), secret: new Set(), config: new Set(), network: new Set(), volume: new Set() };
    for (const r of resources) {
        const kind = dockerResourceTypes[r.type];
        if (!kind) continue;
        if (r.id) owned[kind].add(r.id);
        const name = r.outputs?.name;
        if (typeof name === "string") owned[kind].add(name);
    }
    return owned;
}

/** `docker <kind> ls` of this cluster's objects only, one `ID<TAB>Name` line each. */
export function listCommand(kind: DockerKind, cluster: string): string[] {
    const format = kind === "volume" ? "{{.Name}}\t{{.Name}}" : "{{.ID}}\t{{.Name}}";
    return ["docker", kind, "ls", "--filter", `label=${clusterLabel}=${cluster}`, "--format", format];
}

/** Parses listCommand's output. */
export function parseList(kind: DockerKind, stdout: string): DockerObject[] {
    return stdout
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l !== "")
        .map((l) => {
            const [id, name] = l.split("\t");
            return { kind, id, name: name ?? id };
        });
}

/** The listed objects the state does not hold (pure: tested directly). */
export function dockerOrphans(listed: DockerObject[], owned: OwnedDocker): DockerObject[] {
    const seen = new Set<string>();
    return listed.filter((o) => {
        const key = `${o.kind}/${o.id}`;
        if (seen.has(key) || owned[o.kind].has(o.id) || owned[o.kind].has(o.name)) return false;
        seen.add(key);
        return true;
    });
}

/** Deletion order: services first (they hold secrets, configs, networks and volumes), volumes last. */
export const removalOrder: DockerKind[] = ["service", "config", "secret", "network", "volume"];

/** A Docker orphan with the container whose dockerd has it. */
export interface FoundDockerObject extends DockerObject {
    container: string;
}

/**
 * Lists this cluster's Docker objects in each running container the cluster made (swarm
 * objects on the managers that answer, volumes on every node) and returns those the state
 * does not hold. A container whose dockerd does not answer is skipped: what it holds goes
 * with it when the container is culled or destroyed.
 */
export async function findDockerOrphans(client: LxdClient, containers: string[], cluster: string, owned: OwnedDocker): Promise<FoundDockerObject[]> {
    const found: FoundDockerObject[] = [];
    for (const container of containers) {
        for (const kind of [...swarmKinds, "volume" as const]) {
            const r = await exec(client, container, listCommand(kind, cluster), { timeoutSeconds: 60 });
            // A worker cannot list swarm objects ("not a swarm manager"); a manager can.
            if (r.exitCode !== 0) continue;
            for (const o of parseList(kind, r.stdout)) found.push({ ...o, container });
        }
    }
    const orphans = new Set(dockerOrphans(found, owned).map((o) => `${o.kind}/${o.id}`));
    // Swarm objects are seen from every manager: keep one sighting each; volumes are per node.
    const kept = new Map<string, FoundDockerObject>();
    for (const o of found) {
        if (!orphans.has(`${o.kind}/${o.id}`)) continue;
        const key = o.kind === "volume" ? `${o.container}/${o.id}` : `${o.kind}/${o.id}`;
        if (!kept.has(key)) kept.set(key, o);
    }
    return [...kept.values()];
}

/** Deletes found orphans in removalOrder; a volume still used by a stopping task is retried for up to `retrySeconds`. */
export async function removeDockerOrphans(client: LxdClient, orphans: FoundDockerObject[], say: (line: string) => void, retrySeconds = 60): Promise<void> {
    for (const kind of removalOrder) {
        for (const o of orphans.filter((x) => x.kind === kind)) {
            say(`deleting docker ${o.kind} ${o.name} (in ${o.container})`);
            const deadline = Date.now() + retrySeconds * 1000;
            for (;;) {
                const r = await exec(client, o.container, ["docker", o.kind, "rm", o.id], { timeoutSeconds: 120 });
                if (r.exitCode === 0 || /no such|not found/i.test(r.stderr)) break;
                if (Date.now() > deadline || !/in use|is being used|has active endpoints/i.test(r.stderr)) {
                    throw new Error(`docker ${o.kind} rm ${o.name} in ${o.container} failed: ${r.stderr.trim().split("\n")[0]}`);
                }
                await new Promise((res) => setTimeout(res, 2000));
            }
        }
    }
}
