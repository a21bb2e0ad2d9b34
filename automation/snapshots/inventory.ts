// The system containers and custom volumes a cluster made (`user.bcm.cluster`), on each of
// its endpoints: what its snapshots cover.
import { customVolumes } from "../../components/lxd/client";
import type { LxdClient } from "../../components/lxd/client";
import type { EndpointSpec } from "../../components/datacenter/spec";
import { clientFor, ExportedEndpoint } from "../cluster/workspace";

export interface ClusterObject {
    endpoint: string;
    kind: "instance" | "volume";
    name: string;
    /** Volumes only. */
    pool?: string;
}

export interface Endpoints {
    exported: ExportedEndpoint[];
    specs: EndpointSpec[];
}

/** Runs `f` with each endpoint's client (closed after). */
export async function onEndpoints<T>(endpoints: Endpoints, f: (endpoint: string, client: LxdClient) => Promise<T>): Promise<T[]> {
    const out: T[] = [];
    for (const e of endpoints.exported) {
        const client = clientFor(e, endpoints.specs.find((s) => s.name === e.name));
        try {
            out.push(await f(e.name, client));
        } finally {
            client.close();
        }
    }
    return out;
}

/** The cluster's instances and custom volumes on one endpoint, with the instances' states. */
export async function clusterObjects(cluster: string, endpoint: string, client: LxdClient): Promise<{ objects: ClusterObject[]; running: string[] }> {
    const instances = await client.get<{ name: string; status: string; config?: Record<string, string> }[]>("/1.0/instances?recursion=1");
    const mine = instances.filter((i) => i.config?.["user.bcm.cluster"] === cluster);
    const objects: ClusterObject[] = mine.map((i) => ({ endpoint, kind: "instance", name: i.name }));
    const pools = await client.get<{ name: string }[]>("/1.0/storage-pools?recursion=1");
    for (const p of pools) {
        const volumes = await customVolumes(client, p.name);
        for (const v of volumes.filter((x) => x.config?.["user.bcm.cluster"] === cluster)) objects.push({ endpoint, kind: "volume", name: v.name, pool: p.name });
    }
    return { objects, running: mine.filter((i) => i.status === "Running").map((i) => i.name) };
}
