import fc from "fast-check";
import { beyondRetention, ourSnapshots, snapshotName } from "./naming";
import { readSnapshotSettings } from "../../components/datacenter/snapshotSettings";

describe("pre-update snapshots: names and retention", () => {
    it("names a snapshot after its time, sortable", () => {
        expect(snapshotName(new Date("2026-12-06T18:15:00.123Z"))).toBe("bcm-pre-up-20261206T181500Z");
        const a = snapshotName(new Date("2026-01-02T03:04:05Z"));
        const b = snapshotName(new Date("2026-11-02T03:04:05Z"));
        expect([b, a].sort()).toEqual([a, b]);
    });

    it("deletes only BCM's oldest beyond `keep`, never another snapshot (any lists)", () => {
        const ours = fc.date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2099-12-31T00:00:00Z"), noInvalidDate: true }).map(snapshotName);
        fc.assert(
            fc.property(fc.uniqueArray(ours), fc.array(fc.constantFrom("snap0", "mine", "bcm-pre-up-x")), fc.integer({ min: 1, max: 5 }), (mine, others, keep) => {
                const victims = beyondRetention([...others, ...mine], keep);
                for (const v of victims) expect(mine).toContain(v);
                const kept = ourSnapshots(mine).filter((n) => !victims.includes(n));
                expect(kept.length).toBe(Math.min(keep, mine.length));
                for (const v of victims) for (const k of kept) expect(v < k).toBe(true);
            }),
        );
    });

    it("reads bcm:snapshots, one line per wrong key", () => {
        expect(readSnapshotSettings(undefined, [])).toEqual({ enabled: true, keep: 3, healthSeconds: 300 });
        const problems: string[] = [];
        expect(readSnapshotSettings({ enabled: false, keep: 0, healthSeconds: 5, every: 1 }, problems)).toEqual({ enabled: false, keep: 3, healthSeconds: 300 });
        expect(problems).toEqual([
            "bcm:snapshots.keep: 0 must be a whole number from 1 to 100 (snapshots kept per container and volume)",
            "bcm:snapshots.healthSeconds: 5 must be a whole number of seconds from 30 to 86400",
            "bcm:snapshots.every: unknown key; use enabled, keep or healthSeconds",
        ]);
        const p2: string[] = [];
        readSnapshotSettings([1], p2);
        expect(p2).toEqual([`bcm:snapshots: must be an object, e.g. {"enabled":true,"keep":3,"healthSeconds":300}`]);
    });
});
