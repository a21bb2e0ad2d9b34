import type { LxdClient } from "./client";

/** A custom storage volume as `GET …/volumes/custom?recursion=1` describes it, the fields BCM reads. */
export interface CustomVolume {
    name: string;
    config?: Record<string, string>;
}

/**
 * The custom volumes of a pool, without their snapshots: LXD 5.0 lists each snapshot there
 * too, as `<volume>/<snapshot>` with the volume's config (so with its `user.bcm.cluster`), and
 * a snapshot taken for one volume then looked like a volume of its own (a pre-up snapshot of
 * a snapshot: "Volume cannot be snapshot").
 */
export async function customVolumes<T extends CustomVolume = CustomVolume>(client: LxdClient, pool: string): Promise<T[]> {
    const all = await client.get<T[]>(`/1.0/storage-pools/${encodeURIComponent(pool)}/volumes/custom?recursion=1`);
    return onlyVolumes(all);
}

/** Drops the snapshot entries (`<volume>/<snapshot>`) of a volume listing (pure). */
export function onlyVolumes<T extends { name: string }>(listed: T[]): T[] {
    return listed.filter((v) => !v.name.includes("/"));
}
