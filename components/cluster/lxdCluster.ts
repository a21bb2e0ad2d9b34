import * as pulumi from "@pulumi/pulumi";
import { LxdEndpoint, LxdEndpointArgs, checkEndpointName } from "./lxdEndpoint";
import { PlacementError, PlacementRule, place, swarmRole, systemContainerName } from "./placement";

/** An endpoint the cluster creates itself, as its child `${cluster}-${name}`. */
export interface LxdEndpointSpec extends LxdEndpointArgs {
    /** The endpoint's name in the cluster (a host name). */
    name: string;
}

export interface LxdClusterArgs {
    /**
     * The endpoints in the cluster's order: LxdEndpoints made elsewhere, or specs the
     * cluster creates as its children. The order is the placement order (tiers take
     * prefixes of it), so append new hosts at the end. Plain, not an Input: placement
     * decides which resources exist.
     */
    endpoints: (LxdEndpoint | LxdEndpointSpec)[];
}

/** An endpoint chosen by placement, with its position in the cluster. */
export interface PlacedEndpoint {
    /** The endpoint. */
    endpoint: LxdEndpoint;
    /** Its position in the cluster's order, from 0. */
    index: number;
    /** Its name. */
    name: string;
}

/** An endpoint chosen for a tier, with the tier's container name there. */
export interface TierPlacement extends PlacedEndpoint {
    /** `bcm-<tier>-NN`, NN = index + 1 ({@link systemContainerName}). */
    containerName: string;
    /** The Swarm role of a gateway container at this position: managers on the first five. */
    swarmRole: "manager" | "worker";
}

/**
 * Checks a cluster's name and its endpoints' names: at least one endpoint, every name a
 * host name, none twice. Throws one error naming every problem and the fix.
 */
export function validateCluster(clusterName: string, endpointNames: readonly string[]): void {
    const problems: string[] = [];
    if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(clusterName)) {
        problems.push(`the cluster name must be lower-case letters, digits and dashes`);
    }
    if (endpointNames.length === 0) {
        problems.push("it has no endpoints: give at least one (mode \"local\" for a standalone machine)");
    }
    for (const n of endpointNames) {
        try {
            checkEndpointName(n);
        } catch (err) {
            problems.push((err as Error).message);
        }
    }
    const seen = new Map<string, number>();
    endpointNames.forEach((n, i) => {
        const first = seen.get(n);
        if (first !== undefined) {
            problems.push(`endpoint "${n}" appears twice (positions ${first + 1} and ${i + 1}); endpoint names must be unique`);
        } else {
            seen.set(n, i);
        }
    });
    if (problems.length > 0) {
        throw new PlacementError(`LXD cluster "${clusterName}": ${problems.join("; ")}`);
    }
}

/**
 * A named, ordered set of LXD endpoints, and where tiers go on them (placement.ts: the
 * cluster's order is kept, so adding an endpoint at the end never moves a container).
 */
export class LxdCluster extends pulumi.ComponentResource {
    /** The cluster's name (the resource name). */
    public readonly clusterName: string;
    /** The endpoints, in the cluster's order. */
    public readonly endpoints: readonly LxdEndpoint[];
    /** Their names, in order. */
    public readonly endpointNames: pulumi.Output<string[]>;

    constructor(name: string, args: LxdClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        const given = args?.endpoints ?? [];
        const names = given.map((e) => (e instanceof LxdEndpoint ? e.endpointName : e.name));
        validateCluster(name, names);
        super("bcm:cluster:LxdCluster", name, { endpointNames: names }, opts);
        this.clusterName = name;
        this.endpoints = given.map((e) => {
            if (e instanceof LxdEndpoint) {
                return e;
            }
            const { name: endpointName, ...endpointArgs } = e;
            return new LxdEndpoint(`${name}-${endpointName}`, { ...endpointArgs, endpointName }, { parent: this });
        });
        this.endpointNames = pulumi.output(names);
        this.registerOutputs({
            endpointNames: this.endpointNames,
            urls: this.endpoints.map((e) => e.endpoint.url),
        });
    }

    /** The first n endpoints (fewer when the cluster is smaller), in order. */
    public first(n: number): PlacedEndpoint[] {
        if (!Number.isInteger(n) || n < 1) {
            throw new PlacementError(`LXD cluster "${this.clusterName}": first(n) needs a whole number ≥ 1, got ${n}`);
        }
        return this.placed(place(`first(${n})`, this.indexed(), { first: n }));
    }

    /** Every endpoint, in order. */
    public every(): PlacedEndpoint[] {
        return this.placed(this.indexed());
    }

    /** Where a tier's containers go under a placement rule, each with its container name. */
    public select(tier: string, rule: PlacementRule = {}): TierPlacement[] {
        return this.placed(place(tier, this.indexed(), rule)).map((p) => ({
            ...p,
            containerName: systemContainerName(tier, p.index),
            swarmRole: swarmRole(p.index),
        }));
    }

    /** The endpoint with this name; throws naming the cluster's endpoints when there is none. */
    public endpoint(endpointName: string): LxdEndpoint {
        const found = this.endpoints.find((e) => e.endpointName === endpointName);
        if (!found) {
            throw new PlacementError(
                `LXD cluster "${this.clusterName}" has no endpoint "${endpointName}" (it has ${this.endpoints.map((e) => e.endpointName).join(", ")})`,
            );
        }
        return found;
    }

    private indexed(): number[] {
        return this.endpoints.map((_e, i) => i);
    }

    private placed(indexes: number[]): PlacedEndpoint[] {
        return indexes.map((index) => ({ endpoint: this.endpoints[index], index, name: this.endpoints[index].endpointName }));
    }
}
