import { describeObject } from "../client/errors";
import { diffStorageVolume, mergeConfigForPut, volumeServerKey } from "./diff";
import { claimOf } from "./identity";
import { LiveObject, Locator, namedObjectHandler } from "./namedObject";
import { objectNamePattern } from "./validate";

/** The collection of a pool's custom volumes. */
function volumesOf(pool: string): string {
    return `/1.0/storage-pools/${encodeURIComponent(pool)}/volumes/custom`;
}

/**
 * The pool and volume name in an id `<pool>/<name>`. Neither may hold a slash, so the
 * split is unambiguous; this is also the id `pulumi import` takes.
 */
export function splitVolumeId(id: string): { pool: string; name: string } {
    const slash = id.indexOf("/");
    if (slash <= 0 || slash === id.length - 1) {
        throw new Error(`"${id}" is not a storage volume id: write <pool>/<volume>, e.g. default/docker`);
    }
    return { pool: id.slice(0, slash), name: id.slice(slash + 1) };
}

const volumes: Locator = {
    id: (inputs) => `${inputs.pool as string}/${inputs.name as string}`,
    collection: (inputs) => volumesOf(inputs.pool as string),
    path: (id) => {
        const { pool, name } = splitVolumeId(id);
        return `${volumesOf(pool)}/${encodeURIComponent(name)}`;
    },
    describe: (id) => {
        const { pool, name } = splitVolumeId(id);
        return `storage volume ${name} in pool ${pool}`;
    },
    named: (id) => {
        const { pool, name } = splitVolumeId(id);
        return `a storage volume named ${name} in pool ${pool}`;
    },
};

/**
 * A volume of this cluster (config `user.bcm.cluster` the same as the inputs') is taken over
 * by the create instead of refused, and then updated to the inputs: either a volume kept by
 * an earlier destroy (`user.bcm.retain`, a tier's retained data volume), whose data (a chain)
 * comes back, whether or not the new one is to be kept (its config then says so); or one a
 * killed run created and never recorded (LXD finishes a volume's create without its client).
 * Taking over never deletes anything. Another cluster's volume, one that carries no cluster,
 * and one of another content type (which no update can change) are never taken.
 */
export function adoptVolume(live: LiveObject, inputs: Record<string, unknown>): boolean {
    return claimOf(live.config, inputs.config).kind === "ours" && (live as { content_type?: string }).content_type === (inputs.contentType ?? "filesystem");
}

/**
 * What a refused delete says: LXD answers only "The storage volume is still in use", also
 * when the instance using it is stopped (a disk device is enough), so the users come
 * from the volume's `used_by`.
 */
export function volumeInUseHint(live: LiveObject | undefined, id: string): string {
    const users = Array.isArray(live?.used_by) ? (live.used_by as string[]).map(describeObject) : [];
    const { name } = splitVolumeId(id);
    const list = users.join(", ");
    const who = users.length > 0 ? `it is used by ${list}` : "something still uses it";
    const from = users.length > 0 ? `${list} (or delete ${users.length > 1 ? "them" : "it"})` : "the instances and profiles that have it";
    return `${who}; detach it first: remove the disk device with source "${name}" from ${from}, then delete the volume again`;
}

/**
 * lxd:index:StorageVolume: a custom volume in a pool, for data that outlives an instance
 * (dockerd's /var/lib/docker). Attached as a disk device `{ type: "disk", pool, source:
 * name, path }`; LXD shifts its ownership to the instance's idmap on first attach and
 * records that as `volatile.idmap.*`, which is not a change.
 */
export const storageVolumeHandler = namedObjectHandler({
    kind: "storage volume",
    locate: volumes,
    check(c) {
        const hint = "no slashes or spaces, at most 63 characters";
        return {
            pool: c.string("pool", { required: true, pattern: objectNamePattern, hint: `the pool's name, e.g. "default"; ${hint}` }),
            name: c.string("name", { required: true, pattern: objectNamePattern, hint }),
            contentType: c.choice("contentType", ["filesystem", "block"] as const, "filesystem"),
            description: c.string("description") ?? "",
            config: c.configMap("config"),
        };
    },
    diff: diffStorageVolume,
    async beforeCreate(client, inputs) {
        const pool = inputs.pool as string;
        if (!(await client.exists(`/1.0/storage-pools/${encodeURIComponent(pool)}`))) {
            throw new Error(`pool: there is no storage pool "${pool}" on ${client.url}; create it (an lxd:index:StoragePool) or fix the name`);
        }
    },
    createBody: (i) => ({ name: i.name, content_type: i.contentType, description: i.description, config: i.config }),
    adopt: adoptVolume,
    putBody: (live, i) => ({
        description: i.description,
        config: mergeConfigForPut(live.config, i.config as Record<string, string>, volumeServerKey),
    }),
    outputs: (live, id) => ({
        name: live.name,
        pool: splitVolumeId(id).pool,
        contentType: live.content_type,
        description: live.description,
        config: live.config,
        usedBy: live.used_by ?? [],
    }),
    deleteHint: volumeInUseHint,
});
