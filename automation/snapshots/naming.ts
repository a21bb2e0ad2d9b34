// Names of BCM's pre-update snapshots and which of them retention deletes (pure).

export const snapshotPrefix = "bcm-pre-up-";

/** `bcm-pre-up-20261206T181500Z`: sortable by time. */
export function snapshotName(at: Date): string {
    return `${snapshotPrefix}${at.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z")}`;
}

/** BCM's snapshots among an object's, oldest first (others, a person's own, are never touched). */
export function ourSnapshots(names: string[]): string[] {
    return names.filter((n) => /^bcm-pre-up-\d{8}T\d{6}Z$/.test(n)).sort();
}

/** The snapshots to delete so that `keep` of BCM's newest stay. */
export function beyondRetention(names: string[], keep: number): string[] {
    const ours = ourSnapshots(names);
    return ours.slice(0, Math.max(0, ours.length - keep));
}
