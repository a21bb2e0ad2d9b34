// `bcm:snapshots`: before an `up` that changes a data center, BCM snapshots its system
// containers and their volumes, and rolls back to them when the update fails or its health
// checks do not pass in time. Read in the one-pass config reader (dataCenterSpec.ts).

export interface SnapshotSettings {
    /** Snapshot before every update that changes something (default true). */
    enabled: boolean;
    /** Snapshots kept per container and volume (default 3; the oldest go first). */
    keep: number;
    /** Seconds the data center has after an update to be healthy before it is rolled back (default 300). */
    healthSeconds: number;
}

export const defaultSnapshotSettings: SnapshotSettings = { enabled: true, keep: 3, healthSeconds: 300 };

/** Reads `bcm:snapshots` ({"enabled":true,"keep":3,"healthSeconds":300}); one problem line per wrong key. */
export function readSnapshotSettings(raw: unknown, problems: string[]): SnapshotSettings {
    const s = { ...defaultSnapshotSettings };
    if (raw === undefined || raw === null) return s;
    if (typeof raw !== "object" || Array.isArray(raw)) {
        problems.push(`bcm:snapshots: must be an object, e.g. {"enabled":true,"keep":3,"healthSeconds":300}`);
        return s;
    }
    for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (k === "enabled") {
            if (typeof v === "boolean") s.enabled = v;
            else problems.push(`bcm:snapshots.enabled: ${JSON.stringify(v)} is not true or false`);
        } else if (k === "keep") {
            if (Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 100) s.keep = v as number;
            else problems.push(`bcm:snapshots.keep: ${JSON.stringify(v)} must be a whole number from 1 to 100 (snapshots kept per container and volume)`);
        } else if (k === "healthSeconds") {
            if (Number.isInteger(v) && (v as number) >= 30 && (v as number) <= 86400) s.healthSeconds = v as number;
            else problems.push(`bcm:snapshots.healthSeconds: ${JSON.stringify(v)} must be a whole number of seconds from 30 to 86400`);
        } else {
            problems.push(`bcm:snapshots.${k}: unknown key; use enabled, keep or healthSeconds`);
        }
    }
    return s;
}
