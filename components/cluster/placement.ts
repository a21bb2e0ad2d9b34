/**
 * Where a tier's system containers go on a cluster's endpoints (the seed's rules: one
 * container per tier per endpoint it is placed on; gateway managers and ZooKeeper on the
 * first up-to-5 endpoints, brokers on every endpoint, stateless services on at least 2).
 */
export interface PlacementRule {
    /** Place on the first N endpoints, in the cluster's order; default: every endpoint. */
    first?: number;
    /** Fail unless at least this many endpoints are chosen. */
    min?: number;
    /** Never choose more than this many. */
    max?: number;
}

/** Placement that always fails with a message naming the rule, the cluster and the fix. */
export class PlacementError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "PlacementError";
    }
}

/**
 * Chooses endpoints for a tier: the cluster's order is kept, so adding an endpoint never
 * moves an existing container, and the same inputs always give the same answer.
 */
export function place<T>(tier: string, endpoints: readonly T[], rule: PlacementRule = {}): T[] {
    for (const [key, value] of Object.entries(rule)) {
        if (value !== undefined && (!Number.isInteger(value) || value < 0)) {
            throw new PlacementError(`tier ${tier}: placement "${key}" must be a whole number ≥ 0, got ${value}`);
        }
    }
    if (rule.min !== undefined && rule.max !== undefined && rule.min > rule.max) {
        throw new PlacementError(`tier ${tier}: placement min ${rule.min} is above max ${rule.max}`);
    }
    const limit = Math.min(rule.first ?? Infinity, rule.max ?? Infinity);
    const chosen = endpoints.slice(0, limit);
    const min = rule.min ?? 1;
    if (chosen.length < min) {
        throw new PlacementError(
            `tier ${tier} needs at least ${min} endpoint(s) but the cluster has ${endpoints.length}: ` +
                `add endpoints to the cluster or lower the tier's minimum`,
        );
    }
    return chosen;
}

/** The seed's system-container name: `bcm-<tier>-NN`, NN counting from 01 (at least two digits; a hundredth container is -100). */
export function systemContainerName(tier: string, index: number): string {
    if (!/^[a-z][a-z0-9-]*$/.test(tier)) {
        throw new PlacementError(`tier name "${tier}" must be lower-case letters, digits and dashes`);
    }
    if (!Number.isInteger(index) || index < 0 || index > 998) {
        throw new PlacementError(`tier ${tier}: container index ${index} is out of range 0..998`);
    }
    return `bcm-${tier}-${String(index + 1).padStart(2, "0")}`;
}

/** Swarm roles for gateway containers: managers on the first up-to-5 (an odd quorum), workers after. */
export function swarmRole(index: number, managers = 5): "manager" | "worker" {
    return index < managers ? "manager" : "worker";
}
