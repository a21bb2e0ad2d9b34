// The Docker side of a cluster's identity: every Swarm service, secret, config, network and
// volume a data center makes carries the label `bcm.cluster=<cluster>` (as its LXD objects
// carry `user.bcm.cluster`). `bcm cluster cull` lists a cluster's Docker objects by it
// (automation/cluster/dockerOrphans.ts), and the recovery of a killed run removes a
// half-made object only when it carries it (automation/cluster/dockerRecovery.ts).
// One transformation on the DataCenter component labels them all, so no workload can forget.
import * as pulumi from "@pulumi/pulumi";

/** The label's key (the same in dockerOrphans.ts, which reads it). */
export const clusterLabelKey = "bcm.cluster";

/** The docker provider's types that take `labels: { label, value }[]`. */
export const labelledDockerTypes = [
    "docker:index/service:Service",
    "docker:index/secret:Secret",
    "docker:index/serviceConfig:ServiceConfig",
    "docker:index/network:Network",
    "docker:index/volume:Volume",
];

/**
 * Types whose labels the docker provider can only set by replacing the object. Their label
 * changes are ignored after the create: an object made before the label existed keeps its
 * name and users rather than being replaced for it (a replacement of a named network or
 * secret would fail "already exists" anyway), and each new one is made with the label.
 */
export const replacedOnLabelChange = new Set(["docker:index/secret:Secret", "docker:index/serviceConfig:ServiceConfig", "docker:index/network:Network", "docker:index/volume:Volume"]);

type Label = { label: pulumi.Input<string>; value: pulumi.Input<string> };

/** The labels with `bcm.cluster=<cluster>` in place of any the program set (a plain list stays plain, so previews stay known). */
export function withClusterLabel(labels: unknown, cluster: string): pulumi.Input<Label[]> {
    const add = (list: Label[]) => [...list.filter((l) => l.label !== clusterLabelKey), { label: clusterLabelKey, value: cluster }];
    if (labels === undefined || labels === null) return add([]);
    if (Array.isArray(labels)) return add(labels as Label[]);
    return pulumi.output(labels as pulumi.Input<Label[]>).apply((l) => add((l ?? []) as Label[]));
}

/** A transformation that labels every Docker object of the component it is given to, and of its children. */
export function clusterLabelTransformation(cluster: string): pulumi.ResourceTransformation {
    return (args) => {
        if (!labelledDockerTypes.includes(args.type)) return undefined;
        const opts = replacedOnLabelChange.has(args.type) ? { ...args.opts, ignoreChanges: [...(args.opts.ignoreChanges ?? []), "labels"] } : args.opts;
        return { props: { ...args.props, labels: withClusterLabel(args.props.labels, cluster) }, opts };
    };
}
