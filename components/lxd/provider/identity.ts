// Whose an LXD object is: BCM records the cluster (stack) that made an object in its config
// as `user.bcm.cluster` (components/tier/systemContainerTier.ts, stacks/cluster). A create
// that finds an object of its name already there decides with this whether to take it over
// (it is this cluster's: a killed run made it and never recorded it) or to refuse it (made
// by hand, or by another cluster), in one line naming the object, its owner and the fix.

/** The config key that names the cluster an object belongs to. */
export const clusterKey = "user.bcm.cluster";

/** Who an existing object belongs to, compared with the inputs that would create it. */
export type Claim =
    /** This cluster's: the inputs name a cluster and the object carries the same. */
    | { kind: "ours"; cluster: string }
    /** Another cluster's: the object carries a cluster the inputs do not name. */
    | { kind: "foreign"; owner: string }
    /** No cluster to compare: the object carries none, or the inputs name none (not a BCM object). */
    | { kind: "unmarked" };

/** The cluster in a config map, if any (a non-empty string). */
export function clusterOf(config: unknown): string | undefined {
    const v = (config as Record<string, unknown> | undefined)?.[clusterKey];
    return typeof v === "string" && v !== "" ? v : undefined;
}

/** Compares an existing object's config with the config the inputs would give it. */
export function claimOf(liveConfig: unknown, wantedConfig: unknown): Claim {
    const owner = clusterOf(liveConfig);
    const wanted = clusterOf(wantedConfig);
    if (owner === undefined) return { kind: "unmarked" };
    if (wanted !== undefined && owner === wanted) return { kind: "ours", cluster: owner };
    return { kind: "foreign", owner };
}

/**
 * The refusal of an object another cluster owns: what it is, where, whose, and the way out.
 * `what` is e.g. "instance bcm-bitcoin-01" or "storage volume x in pool default".
 */
export function foreignObjectError(what: string, url: string, owner: string, wantedConfig: unknown): Error {
    const wanted = clusterOf(wantedConfig);
    const mine = wanted === undefined ? "" : `, not to cluster ${wanted}`;
    return new Error(
        `${what} on ${url} already exists and belongs to cluster ${owner} (${clusterKey})${mine}; ` +
            `destroy that cluster first (bcm cluster destroy ${owner}) or place this one on another endpoint`,
    );
}
