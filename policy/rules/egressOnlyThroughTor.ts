import { PolicyResource } from "@pulumi/policy";
import { stackPolicy, StackContext } from "../lib/define";
import { attachmentOf, dockerTypes, publicationsOf } from "../lib/docker";
import { Finding, resourceName, resourceNames, subjectOf } from "../lib/report";
import { booleanOf, deferUnknown, hasKey, read, stringOf, UNKNOWN } from "../lib/values";

const name = "egress-only-through-tor";

/** A docker network of the stack, as far as egress goes. */
export interface NetworkInfo {
    display: string;
    internal: boolean;
    /**
     * False for a network the preview knows nothing of: when its docker provider is itself
     * made in the same deploy, the engine plans the network without asking the provider and
     * hands the policy no properties at all.
     */
    known: boolean;
}

/** The stack's docker networks: by every name they answer to, and by URN. */
export interface NetworkTable {
    /** By the Pulumi name, the docker `name` and the `id` (once created). */
    byRef: Map<string, NetworkInfo>;
    byUrn: Map<string, NetworkInfo>;
}

/**
 * The stack's docker networks. A network counts as internal only when `internal` is true
 * (a known value) and it is not an ingress network.
 */
export function networkTable(resources: PolicyResource[]): NetworkTable {
    const table: NetworkTable = { byRef: new Map(), byUrn: new Map() };
    for (const r of resources) {
        if (r.type !== dockerTypes.network) {
            continue;
        }
        const internal = read(() => booleanOf(r.props.internal)) === true && read(() => booleanOf(r.props.ingress)) !== true;
        const info = { display: resourceName(r.name, r.props), internal, known: hasKey(r.props, "internal") || hasKey(r.props, "name") };
        table.byUrn.set(r.urn, info);
        for (const key of [r.name, read(() => stringOf(r.props.name)), read(() => stringOf(r.props.id))]) {
            if (typeof key === "string" && key !== "") {
                table.byRef.set(key, info);
            }
        }
    }
    return table;
}

/** The input properties that carry a workload's network references. */
const networkProperties: Record<string, string[]> = {
    [dockerTypes.service]: ["taskSpec"],
    [dockerTypes.container]: ["networksAdvanced", "networkMode"],
};

/**
 * The stack networks a workload's network references were computed from: during preview
 * a reference to a network created in the same deploy (`network.id`) is not known yet,
 * but the engine still says which resources the property depends on.
 */
function networksDependedOn(r: PolicyResource, networks: NetworkTable): NetworkInfo[] {
    const deps = (networkProperties[r.type] ?? []).flatMap((p) => r.propertyDependencies?.[p] ?? []);
    return deps.flatMap((d) => {
        const n = networks.byUrn.get(d.urn);
        return n ? [n] : [];
    });
}

/**
 * Why a service or container can reach outside directly, or [] when it cannot: every
 * network it is attached to must be a network of this stack with internal: true, and it
 * must publish no host port (publishing connects it to the ingress network or
 * docker_gwbridge, both of which reach outside). A swarm service attached to no network
 * and a container on docker's default bridge reach outside; so does a container sharing
 * the host's (or another container's) network namespace.
 */
export function egressRoutes(r: PolicyResource, networks: NetworkTable, undecided: string[] = []): string[] {
    const routes: string[] = [];
    /** Networks the workload depends on: open ones are a route out; unknown ones leave it undecided. */
    const judge = (candidates: NetworkInfo[], unresolved: string) => {
        const open = candidates.filter((n) => n.known && !n.internal);
        if (candidates.length === 0) {
            routes.push(unresolved);
        } else if (open.length > 0) {
            routes.push(`may be attached to network "${open[0].display}" (its reference is not known before deploy), which is not internal: true`);
        } else if (candidates.some((n) => !n.known)) {
            undecided.push(resourceName(r.name, r.props));
        }
    };
    // Ports not known yet are ports the program did not set (a computed default): the
    // published-ports policies check the inputs.
    const pubs = read(() => publicationsOf(r.type, r.props));
    if (pubs !== UNKNOWN && pubs.length > 0) {
        routes.push(`publishes host ports (${pubs.map((p) => p.where).join(", ")}), which attaches it to a network that reaches outside`);
    }
    const att = attachmentOf(r.type, r.props);
    if (att.sharedNamespace) {
        routes.push(`shares a network namespace (networkMode ${att.sharedNamespace})`);
    }
    if (att.defaultBridge) {
        routes.push("sits on docker's default bridge network");
    }
    if (r.type === dockerTypes.service && att.networks.length === 0) {
        // During preview the provider may drop list entries whose network id is not known yet
        // (a network created in the same deploy); the engine still says which networks the
        // property came from, and all of those must be internal.
        judge(networksDependedOn(r, networks), "is attached to no network (taskSpec.networksAdvanceds), so its tasks get docker's default outside access");
    }
    for (const ref of att.networks) {
        if (ref === UNKNOWN) {
            // Not known before deploy: it comes from the networks the property depends on,
            // and all of those must be internal.
            judge(networksDependedOn(r, networks), "is attached to a network that is not known before deploy and comes from no network of this stack");
            continue;
        }
        const net = networks.byRef.get(ref);
        if (!net) {
            routes.push(`is attached to network "${ref}", which this stack does not declare, so it cannot be shown to be internal`);
        } else if (!net.known) {
            undecided.push(resourceName(r.name, r.props));
        } else if (!net.internal) {
            routes.push(`is attached to network "${net.display}", which is not internal: true`);
        }
    }
    return [...new Set(routes)];
}

/**
 * Egress only through Tor: no swarm service or container can reach outside directly
 * unless the settings' egressAllowed names it (the gateway's Tor service); everything
 * else lives on internal overlay networks and reaches outside through Tor's SOCKS port.
 */
export function egressFindings(ctx: StackContext): (Finding & { urn: string })[] {
    const networks = networkTable(ctx.resources);
    const findings: (Finding & { urn: string })[] = [];
    const undecided: string[] = [];
    for (const r of ctx.resources) {
        if (r.type !== dockerTypes.service && r.type !== dockerTypes.container) {
            continue;
        }
        const names = resourceNames(r.name, r.props);
        if (names.some((n) => ctx.settings.egressAllowed.includes(n))) {
            continue;
        }
        const routes = egressRoutes(r, networks, undecided);
        if (routes.length > 0) {
            findings.push({
                urn: r.urn,
                subject: subjectOf(r.type, r.name, r.props),
                problem: `can reach outside without Tor: it ${routes.join("; it ")}`,
                fix:
                    "attach it only to docker networks with internal: true, publish no host ports, and reach outside " +
                    `through the gateway's Tor SOCKS port; if it is the gateway's Tor service, allow it by name: egressAllowed: ["${resourceName(r.name, r.props)}"]`,
            });
        }
    }
    // Nothing refused, but some networks are not known before deploy: decided during the
    // update, when this stack policy runs again with every network's real properties.
    if (findings.length === 0 && undecided.length > 0) {
        deferUnknown(`networks of ${[...new Set(undecided)].join(", ")}`);
    }
    return findings;
}

export const egressOnlyThroughTor = stackPolicy(
    name,
    "No service or container reaches outside except through Tor: every workload is only on internal docker networks of the stack, unless the policy config allows it by name (egressAllowed: the gateway's Tor service).",
    egressFindings,
);
