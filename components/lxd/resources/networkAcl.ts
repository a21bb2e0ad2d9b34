import * as pulumi from "@pulumi/pulumi";
import { EndpointArgs, EndpointOutput } from "./endpoint";
import { withOutputs } from "./outputs";

/** One traffic rule; fields left out match anything. */
export interface NetworkAclRuleArgs {
    /** "allow", "reject" (the sender is told) or "drop". */
    action: pulumi.Input<"allow" | "reject" | "drop">;
    /** Addresses, ranges (`10.0.0.2-10.0.0.9`) or CIDRs, comma-separated. */
    source?: pulumi.Input<string>;
    /** The same, for the destination. */
    destination?: pulumi.Input<string>;
    /** "tcp", "udp", "icmp4" or "icmp6". */
    protocol?: pulumi.Input<"tcp" | "udp" | "icmp4" | "icmp6">;
    /** Ports or ranges, comma-separated (tcp and udp only). */
    sourcePort?: pulumi.Input<string>;
    /** The same, for the destination. */
    destinationPort?: pulumi.Input<string>;
    /** ICMP type number. */
    icmpType?: pulumi.Input<string>;
    /** ICMP code number. */
    icmpCode?: pulumi.Input<string>;
    /** Why the rule is there. */
    description?: pulumi.Input<string>;
    /** "enabled" (the default), "disabled" or "logged". */
    state?: pulumi.Input<"enabled" | "disabled" | "logged">;
}

export interface NetworkAclArgs {
    /** The ACL's name: letters, digits and '-', at most 63, starting with a letter. Changing it makes a new ACL. */
    name: pulumi.Input<string>;
    /** A free-text description. */
    description?: pulumi.Input<string>;
    /** Rules for traffic leaving the network's instances, in order. */
    egress?: pulumi.Input<pulumi.Input<NetworkAclRuleArgs>[]>;
    /** Rules for traffic reaching them, in order. */
    ingress?: pulumi.Input<pulumi.Input<NetworkAclRuleArgs>[]>;
    /** `user.*` keys, e.g. `user.bcm.cluster` (whose ACL it is, for taking over a killed run's). */
    config?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** The LXD daemon; default the local unix socket. */
    endpoint?: pulumi.Input<EndpointArgs>;
}

/**
 * An LXD network ACL: apply it with the network's `security.acls` (LXD 5.0 takes none on a
 * bridged NIC) and set the network's `security.acls.default.{egress,ingress}.action` for
 * what no rule matches.
 */
export class NetworkAcl extends pulumi.CustomResource {
    declare public readonly name: pulumi.Output<string>;
    declare public readonly description: pulumi.Output<string>;
    declare public readonly egress: pulumi.Output<NetworkAclRuleArgs[]>;
    declare public readonly ingress: pulumi.Output<NetworkAclRuleArgs[]>;
    declare public readonly config: pulumi.Output<Record<string, string>>;
    /** API paths of the networks using it. */
    declare public readonly usedBy: pulumi.Output<string[]>;
    declare public readonly endpoint: pulumi.Output<EndpointOutput>;

    constructor(name: string, args: NetworkAclArgs, opts?: pulumi.CustomResourceOptions) {
        super("lxd:index:NetworkAcl", name, withOutputs(args, ["name", "description", "egress", "ingress", "config", "usedBy", "endpoint"]), opts);
    }
}
