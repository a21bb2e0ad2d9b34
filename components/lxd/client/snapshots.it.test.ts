import { removeLeftovers } from "../../testing/lxd/lxdLeftovers";
import { testImage } from "../../testing/lxd/testImage";
import { LxdClient } from "./client";
import { exec } from "./exec";
import { deleteImage, importSplitImage } from "./images";
import { deleteInstance, startInstance, stopInstance } from "./instances";
import {
    createInstanceSnapshot,
    createVolumeSnapshot,
    deleteInstanceSnapshot,
    deleteVolumeSnapshot,
    instanceSnapshots,
    restoreInstanceSnapshot,
    restoreVolumeSnapshot,
    volumeSnapshots,
} from "./snapshots";

// Snapshots against the local daemon: an instance's root disk and a custom volume attached to
// it, each snapshotted, changed, and put back (the instance's description with them).
describe("snapshots of instances and custom volumes (local LXD)", () => {
    const client = new LxdClient();
    const prefix = `bt${process.pid % 100000}s`;
    const name = `${prefix}-box`;
    const volume = `${prefix}-data`;
    let fingerprint: string;
    let uploaded = false;
    const sh = async (script: string) => (await exec(client, name, ["sh", "-c", script])).stdout.trim();

    beforeAll(async () => {
        await removeLeftovers(prefix);
        ({ fingerprint, uploaded } = await importSplitImage(client, testImage()));
        await client.run("POST", "/1.0/storage-pools/default/volumes/custom", { body: { name: volume, config: {} } });
        await client.run("POST", "/1.0/instances", {
            body: { name, description: "BCM test box", source: { type: "image", fingerprint }, profiles: ["default"], devices: { data: { type: "disk", pool: "default", source: volume, path: "/data" } } },
        });
        await startInstance(client, name);
    });

    afterAll(async () => {
        await deleteInstance(client, name);
        await client.run("DELETE", `/1.0/storage-pools/default/volumes/custom/${volume}`).catch(() => undefined);
        if (uploaded) await deleteImage(client, fingerprint);
        await removeLeftovers(prefix);
    });

    it("puts back the root disk and the volume as the snapshots had them", async () => {
        await sh("echo before > /root/state; echo before > /data/state");
        // Taken frozen, as BCM takes a cluster's (one moment for every container).
        const state = (action: string) => client.run("PUT", `/1.0/instances/${name}/state`, { body: { action, timeout: 60 } });
        await state("freeze");
        try {
            expect((await client.get<{ status: string }>(`/1.0/instances/${name}/state`)).status).toBe("Frozen");
            await createInstanceSnapshot(client, name, "bcm-pre-up-20261206T180000Z");
            await createVolumeSnapshot(client, "default", volume, "bcm-pre-up-20261206T180000Z");
        } finally {
            await state("unfreeze");
        }
        expect(await instanceSnapshots(client, name)).toEqual(["bcm-pre-up-20261206T180000Z"]);
        expect(await volumeSnapshots(client, "default", volume)).toEqual(["bcm-pre-up-20261206T180000Z"]);
        await sh("echo after > /root/state; echo after > /data/state; touch /root/new");
        await stopInstance(client, name);
        await restoreVolumeSnapshot(client, "default", volume, "bcm-pre-up-20261206T180000Z");
        await restoreInstanceSnapshot(client, name, "bcm-pre-up-20261206T180000Z");
        await startInstance(client, name);
        expect(await sh("cat /root/state /data/state; ls /root/new 2>/dev/null || echo gone")).toBe("before\nbefore\ngone");
        // The instance's description is kept (LXD's restore alone empties it).
        expect((await client.get<{ description: string }>(`/1.0/instances/${name}`)).description).toBe("BCM test box");
        await deleteInstanceSnapshot(client, name, "bcm-pre-up-20261206T180000Z");
        await deleteVolumeSnapshot(client, "default", volume, "bcm-pre-up-20261206T180000Z");
        await deleteVolumeSnapshot(client, "default", volume, "bcm-pre-up-20261206T180000Z");
        expect(await instanceSnapshots(client, name)).toEqual([]);
        expect(await volumeSnapshots(client, "default", volume)).toEqual([]);
        await expect(createInstanceSnapshot(client, name, "a/b")).rejects.toThrow(/letters, digits/);
    }, 300_000);
});
