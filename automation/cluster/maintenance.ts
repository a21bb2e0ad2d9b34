// `bcm cluster stop|start|cull`: maintenance a stack cannot express. `stop` stops the
// cluster's system containers (their data stays on their volumes) and `start` starts them
// again; the stack still says they run, so `bcm cluster verify` reports a stopped cluster. `cull` finds containers and volumes
// this cluster made (`user.bcm.cluster`) and Docker objects in its swarm (label `bcm.cluster`)
// that its stack no longer holds — left behind by an interrupted run — and deletes them only
// when asked (`--yes`). It reaches the endpoints even when a killed run wrote no outputs.
import { LxdClient } from "../../components/lxd/client";
import { deleteInstance, startInstance, stopInstance } from "../../components/lxd/client/instances";
import { clusterEndpoints } from "./clusterEndpoints";
import { DockerKind, findDockerOrphans, ownedDockerObjects, OwnedDocker, removeDockerOrphans } from "./dockerOrphans";
import { ClusterContext, clientFor, openCluster } from "./workspace";

interface Owned {
    instances: Set<string>;
    volumes: Set<string>;
    docker: OwnedDocker;
}

type StateResource = { type: string; id?: string; inputs?: Record<string, unknown>; outputs?: Record<string, unknown> };

/** What this cluster's stack owns, from its state: LXD instances and custom volumes, Docker objects. */
function ownedObjects(resources: StateResource[]): Owned {
    const instances = new Set<string>();
    const volumes = new Set<string>();
    for (const r of resources) {
        const name = r.outputs?.name;
        if (typeof name !== "string") continue;
        if (r.type === "lxd:index:Instance") instances.add(name);
        if (r.type === "lxd:index:StorageVolume") volumes.add(name);
    }
    return { instances, volumes, docker: ownedDockerObjects(resources) };
}

async function eachEndpoint<T>(name: string, ctx: ClusterContext, use: (client: LxdClient, endpoint: string, owned: Owned) => Promise<T[]>): Promise<T[]> {
    const { stack, specs, exported } = await openCluster(name, ctx);
    const resources = ((await stack.exportStack()).deployment?.resources ?? []) as StateResource[];
    const owned = ownedObjects(resources);
    const out: T[] = [];
    for (const e of clusterEndpoints(exported, specs, resources)) {
        const client = clientFor(e, specs.find((s) => s.name === e.name));
        try {
            out.push(...(await use(client, e.name, owned)));
        } finally {
            client.close();
        }
    }
    return out;
}

/**
 * `bcm cluster stop` / `start`: stops the running, or starts the stopped, system containers
 * the cluster's stack owns (dockerd and the swarm come back with a start).
 */
async function setRunning(name: string, ctx: ClusterContext, op: "stop" | "start"): Promise<string[]> {
    const [from, verb] = op === "stop" ? ["Running", "stopped"] : ["Stopped", "started"];
    return eachEndpoint(name, ctx, async (client, endpoint, owned) => {
        const instances = await client.get<{ name: string; status: string }[]>("/1.0/instances?recursion=1");
        const lines: string[] = [];
        for (const i of instances.filter((i) => owned.instances.has(i.name))) {
            if (i.status !== from) {
                lines.push(`${endpoint}/${i.name}: ${i.status.toLowerCase()} already`);
                continue;
            }
            ctx.say(`[bcm cluster ${op}] ${op === "stop" ? "stopping" : "starting"} ${i.name} on ${endpoint}`);
            if (op === "stop") await stopInstance(client, i.name, { timeoutSeconds: 120 });
            else await startInstance(client, i.name, 120);
            lines.push(`${endpoint}/${i.name}: ${verb}`);
        }
        return lines;
    });
}

export const stopCluster = (name: string, ctx: ClusterContext): Promise<string[]> => setRunning(name, ctx, "stop");
export const startCluster = (name: string, ctx: ClusterContext): Promise<string[]> => setRunning(name, ctx, "start");

/** An object `cull` found: BCM-named, on the cluster's endpoints, owned by no resource of its stack. */
export interface Orphan {
    endpoint: string;
    kind: "instance" | "volume" | `docker ${DockerKind}`;
    name: string;
    /** The pool, for volumes. */
    pool?: string;
    /** The container whose dockerd holds it, for Docker objects. */
    container?: string;
}

/** Whether an LXD object's config says this cluster made it (`user.bcm.cluster`, set by SystemContainerTier). */
function madeBy(config: Record<string, string> | undefined, cluster: string): boolean {
    return config?.["user.bcm.cluster"] === cluster;
}

/** BCM's naming: system containers `bcm-<tier>-NN` and their dockerd volumes `bcm-<tier>-NN-docker`. */
export const bcmObjectName = /^bcm-[a-z][a-z0-9]*-\d{2}(-docker)?$/;

/** `bcm cluster cull`: lists orphans, and deletes them when `yes`. */
export async function cullCluster(name: string, ctx: ClusterContext, yes: boolean): Promise<Orphan[]> {
    return eachEndpoint(name, ctx, async (client, endpoint, owned) => {
        const found: Orphan[] = [];
        // Only what this cluster made and its stack no longer holds: another stack's containers
        // on the same daemon carry another name in user.bcm.cluster and are never touched.
        const instances = await client.get<{ name: string; status: string; config?: Record<string, string> }[]>("/1.0/instances?recursion=1");
        for (const i of instances) {
            if (bcmObjectName.test(i.name) && madeBy(i.config, name) && !owned.instances.has(i.name)) found.push({ endpoint, kind: "instance", name: i.name });
        }
        // Docker objects inside the cluster's running containers that are not culled themselves
        // (a culled container takes its dockerd's objects with it).
        const culled = new Set(found.map((f) => f.name));
        const running = instances.filter((i) => i.status === "Running" && madeBy(i.config, name) && !culled.has(i.name)).map((i) => i.name);
        const docker = await findDockerOrphans(client, running, name, owned.docker);
        for (const pool of await client.get<{ name: string }[]>("/1.0/storage-pools?recursion=1")) {
            const vols = await client.get<{ name: string; type: string; config?: Record<string, string> }[]>(`/1.0/storage-pools/${encodeURIComponent(pool.name)}/volumes?recursion=1`);
            for (const v of vols) {
                if (v.type === "custom" && bcmObjectName.test(v.name) && madeBy(v.config, name) && !owned.volumes.has(v.name)) found.push({ endpoint, kind: "volume", name: v.name, pool: pool.name });
            }
        }
        if (yes) {
            // Docker objects first, while their containers run; then containers (a volume still
            // attached cannot be deleted), then volumes.
            await removeDockerOrphans(client, docker, (line) => ctx.say(`[bcm cluster cull] ${line} on ${endpoint}`));
            for (const o of found.filter((f) => f.kind === "instance")) {
                ctx.say(`[bcm cluster cull] deleting container ${o.name} on ${endpoint}`);
                await deleteInstance(client, o.name);
            }
            for (const o of found.filter((f) => f.kind === "volume")) {
                ctx.say(`[bcm cluster cull] deleting volume ${o.pool}/${o.name} on ${endpoint}`);
                await client.run("DELETE", `/1.0/storage-pools/${encodeURIComponent(o.pool!)}/volumes/custom/${encodeURIComponent(o.name)}`, { object: `volume ${o.name}` });
            }
        }
        return [...docker.map((d): Orphan => ({ endpoint, kind: `docker ${d.kind}`, name: d.name, container: d.container })), ...found];
    });
}
