// Objects deleted behind BCM's back, found before every deploy. The engine diffs the program
// against its state, not against the daemons, so a Swarm service removed by hand (`docker
// service rm tor`) stays "same" in the state and nothing puts it back. Before the preview, BCM
// lists what the state holds on the daemons themselves (one LXD listing per endpoint, one
// `docker … ls` per tier container) and reads back only the resources whose object is gone (a
// targeted refresh): they leave the state, and the update makes them again. A container that
// is gone takes the commands run in it (lxd:index:Exec) along, so they run in the new one.
// Objects changed rather than deleted are left to `--refresh`, which reads every resource.
// What it cannot list it does not judge: a probe that fails says so and the deploy goes on.
import { customVolumes, exec, LxdClient } from "../../components/lxd/client";
import { defaultEndpointUrl, Endpoint } from "../../components/lxd/client/endpoint";
import { containerForHost, plainProperty, splitProviderRef, StoredResource } from "./dockerRecovery";
import { DockerKind, dockerResourceTypes } from "./dockerOrphans";

export type { StoredResource };


type LxdKind = "instance" | "volume" | "profile";
const lxdTypes: Record<string, LxdKind> = { "lxd:index:Instance": "instance", "lxd:index:StorageVolume": "volume", "lxd:index:Profile": "profile" };

/**
 * An object the state holds, and where to look for it: `id` is an instance's or profile's
 * name, a custom volume's `<pool>/<name>`, a Docker object's ID (a volume's name); `where` is
 * the endpoint's URL for LXD objects, the tier container whose dockerd has it for Docker's.
 */
export type Recorded = { urn: string; id: string; where: string } & ({ daemon: "lxd"; kind: LxdKind } | { daemon: "docker"; kind: DockerKind });

/** What the daemons showed: per endpoint URL, its instances, profiles and custom volumes (`<pool>/<name>`); per container, the IDs of each Docker kind it could list. */
export interface Live {
    lxd: Map<string, { instances: Set<string>; profiles: Set<string>; volumes: Set<string> }>;
    docker: Map<string, Partial<Record<DockerKind, string[]>>>;
}

const endpointUrl = (r: StoredResource): string => {
    const e = plainProperty(r.inputs?.endpoint) as { url?: unknown } | undefined;
    return typeof e?.url === "string" ? e.url : "";
};

/** The LXD and Docker objects a deployment's resources hold, each with where it lives (pure). */
export function recordedObjects(resources: StoredResource[]): Recorded[] {
    const out: Recorded[] = [];
    for (const r of resources) {
        if (!r.urn || !r.type || !r.id) continue;
        const lxd = lxdTypes[r.type];
        if (lxd) {
            out.push({ urn: r.urn, daemon: "lxd", kind: lxd, id: r.id, where: endpointUrl(r) });
            continue;
        }
        const docker = dockerResourceTypes[r.type];
        if (!docker || !r.provider) continue;
        const provider = resources.find((p) => p.urn === splitProviderRef(r.provider!).urn);
        const host = plainProperty(provider?.inputs?.host ?? provider?.outputs?.host);
        const container = typeof host === "string" ? containerForHost(resources, host)?.container : undefined;
        if (container) out.push({ urn: r.urn, daemon: "docker", kind: docker, id: r.id, where: container });
    }
    return out;
}

/** Whether a listed ID is the recorded one (`docker service ls` shortens IDs to 12 characters). */
function sameId(recorded: string, listed: string): boolean {
    return listed !== "" && (recorded === listed || recorded.startsWith(listed));
}

/** What to read back, and the containers whose Docker objects could not be judged because the container is gone. */
export interface Vanished {
    urns: string[];
    gone: Recorded[];
    /**
     * Gone containers whose dockerd held recorded objects: made again by the update, they hold
     * those objects again only if their docker volume was kept; a second look after the update
     * finds out (deploy.ts).
     */
    unjudged: string[];
}

/**
 * The URNs to read back (pure): every recorded object the daemons showed to be gone, and with a
 * gone instance the commands run in it. An object whose endpoint or container could not be
 * listed is not judged.
 */
export function vanishedResources(resources: StoredResource[], live: Live): Vanished {
    const gone: Recorded[] = [];
    for (const o of recordedObjects(resources)) {
        if (o.daemon === "lxd") {
            const l = live.lxd.get(o.where);
            if (!l) continue;
            const set = o.kind === "instance" ? l.instances : o.kind === "profile" ? l.profiles : l.volumes;
            if (!set.has(o.id)) gone.push(o);
            continue;
        }
        const ids = live.docker.get(o.where)?.[o.kind];
        if (ids && !ids.some((id) => sameId(o.id, id))) gone.push(o);
    }
    const goneInstances = new Set(gone.filter((g) => g.daemon === "lxd" && g.kind === "instance").map((g) => `${g.where} ${g.id}`));
    const execs = resources.filter(
        (r) => r.type === "lxd:index:Exec" && r.urn && goneInstances.has(`${endpointUrl(r)} ${String(plainProperty(r.inputs?.instance))}`),
    );
    const goneNames = new Set(gone.filter((g) => g.daemon === "lxd" && g.kind === "instance").map((g) => g.id));
    const unjudged = [...new Set(recordedObjects(resources).filter((o) => o.daemon === "docker" && goneNames.has(o.where)).map((o) => o.where))];
    return { urns: [...new Set([...gone.map((g) => g.urn), ...execs.map((r) => r.urn!)])], gone, unjudged };
}

const dockerKinds: DockerKind[] = ["service", "secret", "config", "network", "volume"];

/** One exec lists every kind: `<kind> <id>` lines, then `ok <kind>` for each kind whose listing worked. */
export const listScript = dockerKinds
    .map((k) => {
        const format = k === "volume" ? "{{.Name}}" : "{{.ID}}";
        const flags = k === "network" ? " --no-trunc" : "";
        return `if out=$(docker ${k} ls${flags} --format '${format}' 2>/dev/null); then printf '%s\\n' "$out" | sed '/^$/d; s/^/${k} /'; echo 'ok ${k}'; fi`;
    })
    .join("\n");

/** Reads listScript's output: the IDs of each kind whose listing worked (pure). */
export function parseListing(stdout: string): Partial<Record<DockerKind, string[]>> {
    const ids: Partial<Record<DockerKind, string[]>> = {};
    const seen: Record<string, string[]> = {};
    for (const line of stdout.split("\n")) {
        const [first, second] = line.trim().split(/\s+/);
        if (first === "ok" && dockerKinds.includes(second as DockerKind)) ids[second as DockerKind] = seen[second] ?? [];
        else if (dockerKinds.includes(first as DockerKind) && second) (seen[first] ??= []).push(second);
    }
    return ids;
}

/** Lists what the recorded objects' daemons hold; an endpoint or container that does not answer is left out (and said). */
export async function listLive(resources: StoredResource[], say: (line: string) => void): Promise<Live> {
    const live: Live = { lxd: new Map(), docker: new Map() };
    const recorded = recordedObjects(resources);
    const endpoints = new Map<string, Endpoint | undefined>();
    for (const r of resources) if (r.type && lxdTypes[r.type]) endpoints.set(endpointUrl(r), plainProperty(r.inputs?.endpoint) as Endpoint | undefined);
    await Promise.all(
        [...endpoints].map(async ([url, endpoint]) => {
            let client: LxdClient | undefined;
            try {
                // A client of its own (the provider's are shared within an engine run), closed below.
                client = new LxdClient({ ...(endpoint ?? {}), url: endpoint?.url ?? defaultEndpointUrl });
                await client.connect();
                const names = (list: string[]) => new Set(list.map((p) => decodeURIComponent(p.split("/").pop() ?? "")));
                const instances = names(await client.get<string[]>("/1.0/instances"));
                const profiles = names(await client.get<string[]>("/1.0/profiles"));
                const volumes = new Set<string>();
                const pools = new Set(recorded.filter((o) => o.daemon === "lxd" && o.kind === "volume" && o.where === url).map((o) => o.id.split("/")[0]!));
                for (const pool of pools) {
                    for (const v of await customVolumes(client, pool)) volumes.add(`${pool}/${v.name}`);
                }
                live.lxd.set(url, { instances, profiles, volumes });
                // The tier containers on this endpoint whose dockerd holds recorded objects.
                const containers = [...new Set(recorded.filter((o) => o.daemon === "docker").map((o) => o.where))];
                await Promise.all(
                    containers
                        .filter((c) => instances.has(c) && recorded.some((o) => o.daemon === "lxd" && o.kind === "instance" && o.id === c && o.where === url))
                        .map(async (c) => {
                            try {
                                const r = await exec(client!, c, ["sh", "-c", listScript], { timeoutSeconds: 30 });
                                if (r.exitCode === 0) live.docker.set(c, parseListing(r.stdout));
                            } catch {
                                // A stopped container: the up starts it, with its dockerd's objects as they were.
                            }
                        }),
                );
            } catch (err) {
                say(`could not list the objects on ${url || "the local LXD"} (${(err as Error).message.split("\n")[0]}); not checked for objects deleted by hand`);
            } finally {
                client?.close();
            }
        }),
    );
    return live;
}

/**
 * Reads back the resources whose objects were deleted behind BCM's back (see the top of this
 * file), each said in one line; returns how many, and the containers it could not judge
 * (Vanished.unjudged). Never throws for a probe that fails.
 */
export async function readBackVanished(
    resources: StoredResource[],
    refresh: (urns: string[]) => Promise<void>,
    say: (line: string) => void,
): Promise<{ readBack: number; unjudged: string[] }> {
    if (resources.length === 0) return { readBack: 0, unjudged: [] };
    const { urns, gone, unjudged } = vanishedResources(resources, await listLive(resources, say));
    if (urns.length === 0) return { readBack: 0, unjudged };
    for (const g of gone) say(`${g.daemon === "lxd" ? "LXD" : "docker"} ${g.kind} ${g.id.slice(0, 40)} ${g.daemon === "docker" ? `in ${g.where} ` : ""}is gone (deleted behind BCM's back): reading it back, this run makes it again`);
    await refresh(urns);
    return { readBack: urns.length, unjudged };
}
