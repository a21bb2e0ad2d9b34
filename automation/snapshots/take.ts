// Before an update: every container and volume of the cluster snapshotted at one moment (the
// containers frozen meanwhile, so the swarm's state on them is taken as one), the stack's state
// and settings recorded beside, and BCM's older snapshots beyond `keep` deleted.
import * as fs from "node:fs";
import { Stack } from "@pulumi/pulumi/automation";
import type { LxdClient } from "../../components/lxd/client";
import { instancePath } from "../../components/lxd/client";
import {
    createInstanceSnapshot,
    createVolumeSnapshot,
    deleteInstanceSnapshot,
    deleteVolumeSnapshot,
    instanceSnapshots,
    volumeSnapshots,
} from "../../components/lxd/client/snapshots";
import { exportEncryptedState } from "../backup/stackFiles";
import { ClusterObject, clusterObjects, Endpoints, onEndpoints } from "./inventory";
import { beyondRetention, snapshotName } from "./naming";
import { readRecords, SnapshotRecord, writeRecord } from "./record";

const setState = (client: LxdClient, instance: string, action: "freeze" | "unfreeze") =>
    client.run("PUT", `${instancePath(instance)}/state`, { body: { action, timeout: 60 }, timeoutSeconds: 120, object: `${action} of instance ${instance}` });

/** Takes the snapshots; undefined when the cluster has no container or volume yet (a first deploy). */
export async function takeSnapshots(
    a: { cluster: string; stack: Stack; endpoints: Endpoints; keep: number; previousConfig: string; home: string; say: (line: string) => void },
    now: Date = new Date(),
): Promise<{ dir: string; record: SnapshotRecord } | undefined> {
    const name = snapshotName(now);
    const started = Date.now();
    const objects: ClusterObject[] = [];
    const running: string[] = [];
    await onEndpoints(a.endpoints, async (endpoint, client) => {
        const found = await clusterObjects(a.cluster, endpoint, client);
        objects.push(...found.objects);
        running.push(...found.running);
        if (found.objects.length === 0) return;
        const frozen: string[] = [];
        try {
            for (const i of found.running) {
                await setState(client, i, "freeze");
                frozen.push(i);
            }
            for (const o of found.objects) {
                if (o.kind === "instance") await createInstanceSnapshot(client, o.name, name);
                else await createVolumeSnapshot(client, o.pool!, o.name, name);
            }
        } finally {
            for (const i of frozen) await setState(client, i, "unfreeze");
        }
    });
    if (objects.length === 0) return undefined;
    const record: SnapshotRecord = { cluster: a.cluster, name, created: now.toISOString(), objects, running };
    const dir = writeRecord(a.home, record, await exportEncryptedState(a.stack), a.previousConfig);
    a.say(`[bcm snapshots] ${name}: ${objects.filter((o) => o.kind === "instance").length} container(s) and ${objects.filter((o) => o.kind === "volume").length} volume(s) of ${a.cluster} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    // Retention: BCM's oldest beyond `keep`, on every object and in the BCM home.
    await onEndpoints(a.endpoints, async (endpoint, client) => {
        for (const o of objects.filter((x) => x.endpoint === endpoint)) {
            const names = o.kind === "instance" ? await instanceSnapshots(client, o.name) : await volumeSnapshots(client, o.pool!, o.name);
            for (const old of beyondRetention(names, a.keep)) {
                if (o.kind === "instance") await deleteInstanceSnapshot(client, o.name, old);
                else await deleteVolumeSnapshot(client, o.pool!, o.name, old);
            }
        }
    });
    const records = readRecords(a.home, a.cluster);
    for (const old of records.slice(0, Math.max(0, records.length - a.keep))) fs.rmSync(old.dir, { recursive: true, force: true });
    return { dir, record };
}
