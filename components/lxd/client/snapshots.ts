// Snapshots of instances (/1.0/instances/<n>/snapshots) and of custom storage volumes
// (/1.0/storage-pools/<p>/volumes/custom/<v>/snapshots): made, listed, restored, deleted.
// A snapshot of an instance holds its root disk only; its custom volumes are snapshotted on
// their own.
import { LxdClient } from "./client";
import { isLxdError } from "./errors";
import { instancePath } from "./instances";

const volumePath = (pool: string, volume: string) => `/1.0/storage-pools/${encodeURIComponent(pool)}/volumes/custom/${encodeURIComponent(volume)}`;
const lastPart = (url: string) => decodeURIComponent(url.split("?")[0].split("/").pop() ?? "");

/** Checks a snapshot name: LXD takes no slash, and BCM's are plain. */
export function checkSnapshotName(name: string): string {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(name)) throw new Error(`snapshot name ${JSON.stringify(name)}: letters, digits, '.', '_' and '-' only`);
    return name;
}

export async function createInstanceSnapshot(client: LxdClient, instance: string, name: string, timeoutSeconds = 1800): Promise<void> {
    await client.run("POST", `${instancePath(instance)}/snapshots`, { body: { name: checkSnapshotName(name), stateful: false }, timeoutSeconds, object: `snapshot ${name} of instance ${instance}` });
}

/** The instance's snapshots, by name. */
export async function instanceSnapshots(client: LxdClient, instance: string): Promise<string[]> {
    return (await client.get<string[]>(`${instancePath(instance)}/snapshots`)).map(lastPart);
}

/** Puts the instance's root disk back as the snapshot had it (LXD stops and starts a running instance). */
export async function restoreInstanceSnapshot(client: LxdClient, instance: string, name: string, timeoutSeconds = 1800): Promise<void> {
    // LXD 5.0 keeps no description in a snapshot, and a restore empties the instance's: it is
    // put back, or the next refresh reads it as drift and the next up updates every container.
    const { description } = await client.get<{ description: string }>(instancePath(instance));
    await client.run("PUT", instancePath(instance), { body: { restore: checkSnapshotName(name) }, timeoutSeconds, object: `restore of snapshot ${name} of instance ${instance}` });
    if (description) await client.run("PATCH", instancePath(instance), { body: { description }, object: `description of instance ${instance}` });
}

/** Deletes a snapshot; one that is not there counts as deleted. */
export async function deleteInstanceSnapshot(client: LxdClient, instance: string, name: string): Promise<void> {
    try {
        await client.run("DELETE", `${instancePath(instance)}/snapshots/${encodeURIComponent(checkSnapshotName(name))}`, { object: `snapshot ${name} of instance ${instance}` });
    } catch (err) {
        if (!isLxdError(err, 404)) throw err;
    }
}

export async function createVolumeSnapshot(client: LxdClient, pool: string, volume: string, name: string, timeoutSeconds = 3600): Promise<void> {
    await client.run("POST", `${volumePath(pool, volume)}/snapshots`, { body: { name: checkSnapshotName(name) }, timeoutSeconds, object: `snapshot ${name} of volume ${pool}/${volume}` });
}

export async function volumeSnapshots(client: LxdClient, pool: string, volume: string): Promise<string[]> {
    return (await client.get<string[]>(`${volumePath(pool, volume)}/snapshots`)).map(lastPart);
}

/** Puts a custom volume back as the snapshot had it (the instances using it should be stopped). */
export async function restoreVolumeSnapshot(client: LxdClient, pool: string, volume: string, name: string, timeoutSeconds = 3600): Promise<void> {
    await client.run("PUT", volumePath(pool, volume), { body: { restore: checkSnapshotName(name) }, timeoutSeconds, object: `restore of snapshot ${name} of volume ${pool}/${volume}` });
}

export async function deleteVolumeSnapshot(client: LxdClient, pool: string, volume: string, name: string): Promise<void> {
    try {
        await client.run("DELETE", `${volumePath(pool, volume)}/snapshots/${encodeURIComponent(checkSnapshotName(name))}`, { object: `snapshot ${name} of volume ${pool}/${volume}` });
    } catch (err) {
        if (!isLxdError(err, 404)) throw err;
    }
}
