// What of a stack's state a restore keeps: the values the stack drew once and that other
// people or programs know it by (the onion services' keys and client keys, the RPC password
// and certificate, the regtest mining key: `random:*` resources and the `*-rpc-tls` command),
// with the components above them and the providers they name. Everything else (containers,
// volumes, swarm services, secrets) belonged to machines that are gone; the restore's deploy
// makes it again. Pure: a deployment in, a smaller deployment out.

/** A resource of an exported deployment (apitype v3), as far as the filter reads it. */
export interface StateResource {
    urn: string;
    type: string;
    custom?: boolean;
    id?: string;
    parent?: string;
    provider?: string;
    dependencies?: string[];
    propertyDependencies?: Record<string, string[]>;
    [field: string]: unknown;
}

export interface Deployment {
    version: number;
    deployment: {
        manifest?: unknown;
        secrets_providers?: unknown;
        resources?: StateResource[];
        pending_operations?: unknown[];
        [field: string]: unknown;
    };
}

/** The resource's own name, the URN's last part. */
export const urnResourceName = (urn: string): string => urn.split("::").pop() ?? "";

/** Whether a restore keeps a resource's state for its own sake (what it holds cannot be drawn again). */
export function keptForItself(r: Pick<StateResource, "type" | "urn">): boolean {
    if (r.type.startsWith("random:index/")) return true;
    return r.type === "command:local:Command" && urnResourceName(r.urn).endsWith("-rpc-tls");
}

/** A provider reference `urn::id` → its URN. */
const providerUrn = (ref: string): string => ref.slice(0, ref.lastIndexOf("::"));

/**
 * The deployment a restore imports: the stack, the kept resources, their ancestors and their
 * providers, in the original order (parents and providers come first there), with their
 * dependencies on resources that are dropped removed. Pending operations are dropped.
 */
export function keptState(d: Deployment): Deployment {
    const resources = d.deployment.resources ?? [];
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const keep = new Set<string>();
    const add = (urn: string | undefined): void => {
        if (urn === undefined || keep.has(urn)) return;
        const r = byUrn.get(urn);
        if (!r) return;
        keep.add(urn);
        add(r.parent);
        if (r.provider) add(providerUrn(r.provider));
    };
    for (const r of resources) {
        if (r.type === "pulumi:pulumi:Stack" || keptForItself(r)) add(r.urn);
    }
    const kept = resources
        .filter((r) => keep.has(r.urn))
        .map((r) => {
            const out: StateResource = { ...r };
            if (r.dependencies) out.dependencies = r.dependencies.filter((u) => keep.has(u));
            if (r.propertyDependencies) {
                out.propertyDependencies = Object.fromEntries(Object.entries(r.propertyDependencies).map(([k, us]) => [k, us.filter((u) => keep.has(u))]));
            }
            return out;
        });
    const { pending_operations: _dropped, ...rest } = d.deployment;
    return { version: d.version, deployment: { ...rest, resources: kept } };
}
