import { claimOf, clusterOf, foreignObjectError } from "./identity";

describe("an existing LXD object's identity, against the inputs that would create it", () => {
    const mine = { "user.bcm.cluster": "c1" };
    it("is ours only when both carry the same cluster", () => {
        expect(claimOf({ ...mine, "volatile.x": "1" }, mine)).toEqual({ kind: "ours", cluster: "c1" });
        expect(claimOf({ "user.bcm.cluster": "c2" }, mine)).toEqual({ kind: "foreign", owner: "c2" });
    });

    it("is another cluster's when the inputs name none (a program that is not BCM's meets a BCM object)", () => {
        expect(claimOf({ "user.bcm.cluster": "c2" }, {})).toEqual({ kind: "foreign", owner: "c2" });
    });

    it("is unmarked when the object carries no cluster, or an empty one", () => {
        expect(claimOf({}, mine)).toEqual({ kind: "unmarked" });
        expect(claimOf(undefined, mine)).toEqual({ kind: "unmarked" });
        expect(claimOf({ "user.bcm.cluster": "" }, mine)).toEqual({ kind: "unmarked" });
        expect(clusterOf({ "user.bcm.cluster": 3 })).toBeUndefined();
    });

    it("refuses another cluster's object in one line naming it, its owner and the fix", () => {
        const e = foreignObjectError("instance bcm-bitcoin-01", "unix:///l.sock", "c2", mine);
        expect(e.message).toBe(
            "instance bcm-bitcoin-01 on unix:///l.sock already exists and belongs to cluster c2 (user.bcm.cluster), not to cluster c1; destroy that cluster first (bcm cluster destroy c2) or place this one on another endpoint",
        );
        expect(e.message).not.toContain("\n");
    });
});
