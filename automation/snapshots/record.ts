// A pre-update snapshot's record in the BCM home: which containers and volumes it covers, the
// stack's state and settings as they were (secret values stay encrypted under the stack's
// passphrase), so a rollback puts back both the machines and the stack.
import * as fs from "node:fs";
import * as path from "node:path";
import type { ClusterObject } from "./inventory";

export interface SnapshotRecord {
    cluster: string;
    /** The LXD snapshot name on every object. */
    name: string;
    created: string;
    objects: ClusterObject[];
    /** The instances that were running (started again after a rollback). */
    running: string[];
}

export const snapshotsRoot = (home: string, cluster: string) => path.join(home, "snapshots", cluster);

export function writeRecord(home: string, record: SnapshotRecord, state: string, config: string): string {
    const dir = path.join(snapshotsRoot(home, record.cluster), record.name);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(path.join(dir, "record.json"), JSON.stringify(record, null, 2) + "\n", { mode: 0o600 });
    fs.writeFileSync(path.join(dir, "stack.json"), state, { mode: 0o600 });
    fs.writeFileSync(path.join(dir, "config.yaml"), config, { mode: 0o600 });
    return dir;
}

/** The cluster's records, oldest first. */
export function readRecords(home: string, cluster: string): { dir: string; record: SnapshotRecord }[] {
    const root = snapshotsRoot(home, cluster);
    if (!fs.existsSync(root)) return [];
    return fs
        .readdirSync(root)
        .sort()
        .flatMap((name) => {
            const file = path.join(root, name, "record.json");
            if (!fs.existsSync(file)) return [];
            return [{ dir: path.join(root, name), record: JSON.parse(fs.readFileSync(file, "utf8")) as SnapshotRecord }];
        });
}

export const recordState = (dir: string) => fs.readFileSync(path.join(dir, "stack.json"), "utf8");
export const recordConfig = (dir: string) => fs.readFileSync(path.join(dir, "config.yaml"), "utf8");
