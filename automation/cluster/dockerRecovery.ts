// The Docker side of finishing a killed run. The bridged docker provider cannot take over an
// object it meets ("service registry already exists"), so the Docker objects whose create a
// killed run left pending are removed before the next run, which then creates them again:
// for each pending `creating` operation of a docker type, the object's name comes from the
// operation's inputs and its dockerd from the resource's provider (its `host`, the unix
// socket an lxd:index:InstanceSocket serves for a tier container). Docker is reached inside
// that container (LXD exec of the docker CLI), because the socket's forwarder may have died
// with the killed run. An object is removed only when it is this cluster's (label
// `bcm.cluster`), or, made before objects carried it, when it was made after the killed
// run took its lock; anything else is left and named. The decisions are pure functions.
import { exec, LxdClient } from "../../components/lxd/client";
import { clusterLabel, dockerResourceTypes, DockerKind, removalOrder } from "./dockerOrphans";

/** A pending operation as the exported deployment stores it (apitype.OperationV2), with what this reads. */
interface StoredOperation {
    type?: string;
    resource?: { urn?: string; type?: string; inputs?: Record<string, unknown>; provider?: string };
}

/** A resource as the exported deployment stores it, the fields recovery and the drift check read. */
export interface StoredResource {
    urn?: string;
    type?: string;
    id?: string;
    inputs?: Record<string, unknown>;
    outputs?: Record<string, unknown>;
    /** `<provider urn>::<provider id>`. */
    provider?: string;
}

interface Deployment {
    resources?: StoredResource[];
    pending_operations?: StoredOperation[];
}

/** A Docker object whose create a killed run left pending. */
export interface HalfMadeDocker {
    kind: DockerKind;
    /** The object's name (its inputs' `name`). */
    name: string;
    urn: string;
    /** Where its dockerd is: the tier container and the LXD endpoint it runs on, if the state says. */
    container?: string;
    lxdUrl?: string;
    /** Why the container is unknown, when it is. */
    unknownBecause?: string;
}

/** The key and value that mark a secret in an exported deployment (resource.SecretSig; seen in a killed run's pending operation). */
const secretSig = { key: "4dabf18193072939515e22adb298388d", value: "1b47061264138c4ac30d75fd1eb44270" };

/**
 * A property as a plain value: `stack export --show-secrets` (what exportStack runs) writes a
 * secret as `{<sig>, plaintext: <JSON>}`, and a name derived from a secret (the registry's
 * htpasswd secret is named by its content's hash) is a secret too. Anything else as it is.
 */
export function plainProperty(value: unknown): unknown {
    if (typeof value !== "object" || value === null) return value;
    const v = value as Record<string, unknown>;
    if (v[secretSig.key] !== secretSig.value || typeof v.plaintext !== "string") return value;
    try {
        return plainProperty(JSON.parse(v.plaintext));
    } catch {
        return value;
    }
}

/** The last segment of a URN: the resource's name. */
function nameOf(urn: string): string {
    return urn.slice(urn.lastIndexOf("::") + 2);
}

/** A provider reference `<urn>::<id>` split into the provider's URN (which has `::` of its own) and id. */
export function splitProviderRef(ref: string): { urn: string; id: string } {
    const at = ref.lastIndexOf("::");
    return at < 0 ? { urn: ref, id: "" } : { urn: ref.slice(0, at), id: ref.slice(at + 2) };
}

/** The tier container (and its LXD endpoint) whose dockerd a docker provider's `host` reaches: the InstanceSocket serving that socket. */
export function containerForHost(resources: StoredResource[], host: string): { container: string; lxdUrl?: string } | undefined {
    if (!host.startsWith("unix://")) return undefined;
    const socket = host.slice("unix://".length);
    for (const r of resources) {
        if (r.type !== "lxd:index:InstanceSocket") continue;
        const props = { ...(r.inputs ?? {}), ...(r.outputs ?? {}) };
        if (props.path !== socket || typeof props.instance !== "string") continue;
        const url = (props.endpoint as { url?: unknown } | undefined)?.url;
        return { container: props.instance, ...(typeof url === "string" ? { lxdUrl: url } : {}) };
    }
    return undefined;
}

/** The Docker objects whose create the deployment's pending operations left, with where each lives (pure). */
export function halfMadeDocker(deployment: unknown): HalfMadeDocker[] {
    const d = (deployment ?? {}) as Deployment;
    const resources = d.resources ?? [];
    const out: HalfMadeDocker[] = [];
    for (const op of d.pending_operations ?? []) {
        const r = op.resource;
        const kind = r?.type ? dockerResourceTypes[r.type] : undefined;
        if (op.type !== "creating" || !r || !kind) continue;
        const urn = r.urn ?? "";
        const name = plainProperty(r.inputs?.name);
        if (typeof name !== "string" || name === "") {
            out.push({ kind, name: nameOf(urn), urn, unknownBecause: "its inputs name no object" });
            continue;
        }
        const provider = r.provider ? resources.find((p) => p.urn === splitProviderRef(r.provider!).urn) : undefined;
        const host = plainProperty(provider?.inputs?.host ?? provider?.outputs?.host);
        if (typeof host !== "string") {
            out.push({ kind, name, urn, unknownBecause: "its docker provider names no host in the state" });
            continue;
        }
        const where = containerForHost(resources, host);
        out.push(where ? { kind, name, urn, ...where } : { kind, name, urn, unknownBecause: `no lxd:index:InstanceSocket in the state serves ${host}` });
    }
    return out;
}

/** A Docker object as `docker <kind> inspect` shows it, the fields the decision needs. */
export interface InspectedDocker {
    id: string;
    labels: Record<string, string>;
    /** RFC 3339, as Docker writes it. */
    createdAt: string;
}

/** Reads `docker <kind> inspect <name>` output (a JSON array); undefined when it names nothing. */
export function parseInspect(kind: DockerKind, stdout: string): InspectedDocker | undefined {
    let list: Record<string, unknown>[];
    try {
        list = JSON.parse(stdout) as Record<string, unknown>[];
    } catch {
        return undefined;
    }
    const o = Array.isArray(list) ? list[0] : undefined;
    if (!o) return undefined;
    const spec = (o.Spec ?? {}) as Record<string, unknown>;
    // Services, secrets and configs keep their labels in Spec; networks and volumes at the top.
    const labels = ((kind === "network" || kind === "volume" ? o.Labels : spec.Labels) ?? {}) as Record<string, string>;
    const id = String((kind === "volume" ? o.Name : kind === "network" ? o.Id : o.ID) ?? "");
    const createdAt = String((kind === "network" ? o.Created : o.CreatedAt) ?? "");
    return { id, labels, createdAt };
}

/** What to do with a half-made object found on its dockerd. */
export type DockerVerdict = { action: "remove"; why: string } | { action: "leave"; why: string };

export interface JudgeContext {
    cluster: string;
    /** The IDs of the Docker objects the state holds: never removed. */
    recordedIds: Set<string>;
    /** When the killed run took its lock (RFC 3339), if its lock was cleared by this recovery. */
    lockedSince?: string;
}

/**
 * Whether a half-made object goes. This cluster's label: yes, unless the state holds its ID
 * (then it is no half-made object). Another cluster's label: never. No label (made before
 * objects carried it): only when it was made after the killed run took its lock, which only
 * the killed run's create can have done; without the lock's time, never. A volume holds data,
 * so it needs both: this cluster's label and made after the lock.
 */
export function judgeHalfMade(kind: DockerKind, live: InspectedDocker, c: JudgeContext): DockerVerdict {
    if (c.recordedIds.has(live.id)) return { action: "leave", why: "the state holds it" };
    const owner = live.labels[clusterLabel];
    if (owner !== undefined && owner !== c.cluster) return { action: "leave", why: `it belongs to cluster ${owner} (label ${clusterLabel})` };
    const since = c.lockedSince ? Date.parse(c.lockedSince) : NaN;
    const made = Date.parse(live.createdAt);
    const madeByKilledRun = !Number.isNaN(since) && !Number.isNaN(made) && made >= since;
    if (kind === "volume") {
        return owner === c.cluster && madeByKilledRun
            ? { action: "remove", why: `it is this cluster's and was made by the interrupted run` }
            : { action: "leave", why: "a volume may hold data: only one of this cluster made by the interrupted run is removed" };
    }
    if (owner === c.cluster) return { action: "remove", why: `it carries this cluster's label ${clusterLabel}=${c.cluster}` };
    if (madeByKilledRun) return { action: "remove", why: `it was made after the interrupted run took its lock (${c.lockedSince})` };
    return { action: "leave", why: `it carries no ${clusterLabel} label and was not made by the interrupted run` };
}

/** The IDs of the Docker objects a deployment's resources hold (pure). */
export function recordedDockerIds(deployment: unknown): Set<string> {
    const ids = new Set<string>();
    for (const r of ((deployment ?? {}) as Deployment).resources ?? []) {
        if (r.type && dockerResourceTypes[r.type] && r.id) ids.add(r.id);
    }
    return ids;
}

/** Runs the docker CLI in a container: how recovery reaches a dockerd (tests give their own). */
export type DockerRunner = (lxdUrl: string | undefined, container: string, args: string[]) => Promise<{ exitCode: number; stdout: string; stderr: string }>;

/** The runner that uses LXD's exec API (the local daemon when the state names no endpoint). */
export function lxdDockerRunner(): { run: DockerRunner; close(): void } {
    const clients = new Map<string, LxdClient>();
    return {
        run: async (lxdUrl, container, args) => {
            const key = lxdUrl ?? "";
            let client = clients.get(key);
            if (!client) clients.set(key, (client = new LxdClient(lxdUrl ? { url: lxdUrl } : {})));
            return exec(client, container, ["docker", ...args], { timeoutSeconds: 120 });
        },
        close: () => {
            for (const c of clients.values()) c.close();
        },
    };
}

/**
 * Removes the half-made Docker objects a killed run left (services first: they use the
 * others), each said in one line, as is each one left and why. Never throws: what it cannot
 * do is said, and the run goes on (and fails naming the object if it is in the way).
 */
export async function removeHalfMadeDocker(deployment: unknown, c: Omit<JudgeContext, "recordedIds">, run: DockerRunner, say: (line: string) => void): Promise<number> {
    const found = halfMadeDocker(deployment);
    const ctx: JudgeContext = { ...c, recordedIds: recordedDockerIds(deployment) };
    let removed = 0;
    for (const kind of removalOrder) {
        for (const o of found.filter((x) => x.kind === kind)) {
            const what = `docker ${o.kind} ${o.name}`;
            if (!o.container) {
                say(`${what} (create interrupted): not checked, ${o.unknownBecause}; if the run fails "already exists", remove it by hand`);
                continue;
            }
            try {
                const inspected = await run(o.lxdUrl, o.container, [o.kind, "inspect", o.name]);
                if (inspected.exitCode !== 0 && !/no such|not found/i.test(inspected.stderr)) {
                    say(`${what} in ${o.container} (create interrupted): not checked: ${inspected.stderr.trim().split("\n")[0]}`);
                    continue;
                }
                const live = inspected.exitCode === 0 ? parseInspect(o.kind, inspected.stdout) : undefined;
                if (!live) continue; // never made: the run creates it
                const verdict = judgeHalfMade(o.kind, live, ctx);
                if (verdict.action === "leave") {
                    say(`${what} in ${o.container} (create interrupted) left as it is: ${verdict.why}; if the run fails "already exists", remove or rename it`);
                    continue;
                }
                const rm = await run(o.lxdUrl, o.container, [o.kind, "rm", live.id]);
                if (rm.exitCode !== 0 && !/no such|not found/i.test(rm.stderr)) {
                    say(`${what} in ${o.container}: removing the half-made object failed: ${rm.stderr.trim().split("\n")[0]}`);
                    continue;
                }
                removed++;
                say(`removed ${what} in ${o.container}, half made by the interrupted run (${verdict.why}); this run creates it again`);
            } catch (err) {
                say(`${what} in ${o.container}: not checked: ${(err as Error).message.split("\n")[0]}`);
            }
        }
    }
    return removed;
}
