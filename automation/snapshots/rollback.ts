// Back to a pre-update snapshot: the cluster's containers stopped, what the failed update made
// deleted, every volume and container put back as the snapshot had it, the stack's state and
// settings put back, and the containers that were running started again.
import * as fs from "node:fs";
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { deleteInstance, startInstance, stopInstance } from "../../components/lxd/client";
import { restoreInstanceSnapshot, restoreVolumeSnapshot } from "../../components/lxd/client/snapshots";
import { configFile } from "../backup/stackFiles";
import { clusterObjects, Endpoints, onEndpoints } from "./inventory";
import { recordConfig, recordState, SnapshotRecord } from "./record";

export interface RollbackResult {
    restored: string[];
    deleted: string[];
    problems: string[];
}

export async function rollbackTo(a: { cluster: string; stack: Stack; endpoints: Endpoints; dir: string; record: SnapshotRecord; say: (line: string) => void }): Promise<RollbackResult> {
    const { record } = a;
    const out: RollbackResult = { restored: [], deleted: [], problems: [] };
    const key = (endpoint: string, kind: string, name: string) => `${endpoint}/${kind}/${name}`;
    const inRecord = new Set(record.objects.map((o) => key(o.endpoint, o.kind, o.name)));
    a.say(`[bcm rollback] ${a.cluster}: back to ${record.name} (${record.created})`);
    await onEndpoints(a.endpoints, async (endpoint, client) => {
        const now = await clusterObjects(a.cluster, endpoint, client);
        for (const i of now.running) await stopInstance(client, i, { timeoutSeconds: 60 });
        // What the failed update made: not in the snapshot, so not in the state put back.
        for (const o of now.objects.filter((x) => x.kind === "instance" && !inRecord.has(key(endpoint, "instance", x.name)))) {
            await deleteInstance(client, o.name);
            out.deleted.push(`container ${o.name}`);
        }
        for (const o of now.objects.filter((x) => x.kind === "volume" && !inRecord.has(key(endpoint, "volume", x.name)))) {
            await client.run("DELETE", `/1.0/storage-pools/${encodeURIComponent(o.pool!)}/volumes/custom/${encodeURIComponent(o.name)}`, { object: `volume ${o.pool}/${o.name}` });
            out.deleted.push(`volume ${o.pool}/${o.name}`);
        }
        for (const o of record.objects.filter((x) => x.endpoint === endpoint)) {
            try {
                if (o.kind === "volume") await restoreVolumeSnapshot(client, o.pool!, o.name, record.name);
                else await restoreInstanceSnapshot(client, o.name, record.name);
                out.restored.push(`${o.kind === "volume" ? `volume ${o.pool}/` : "container "}${o.name}`);
            } catch (err) {
                out.problems.push(`${o.kind} ${o.name}: ${(err as Error).message.split("\n")[0]}`);
            }
        }
    });
    // The stack as it was: its settings file, then its state (secrets encrypted as they were).
    const ws = a.stack.workspace as LocalWorkspace;
    fs.writeFileSync(configFile(ws, a.cluster), recordConfig(a.dir), { mode: 0o600 });
    await a.stack.importStack(JSON.parse(recordState(a.dir)));
    await onEndpoints(a.endpoints, async (endpoint, client) => {
        for (const i of record.running.filter((n) => record.objects.some((o) => o.endpoint === endpoint && o.kind === "instance" && o.name === n))) {
            try {
                await startInstance(client, i);
            } catch (err) {
                out.problems.push(`start of ${i}: ${(err as Error).message.split("\n")[0]}`);
            }
        }
    });
    return out;
}
