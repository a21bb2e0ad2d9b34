import * as pulumi from "@pulumi/pulumi";
import { EndpointArgs, EndpointOutput } from "./endpoint";
import { withOutputs } from "./outputs";

export interface NetworkArgs {
    /** The network name, also the host interface name (at most 15 characters). Changing it makes a new network. */
    name: pulumi.Input<string>;
    /** "bridge" (the default; the only type BCM uses), or another LXD network type. Changing it makes a new network. */
    type?: pulumi.Input<string>;
    /** A free-text description. */
    description?: pulumi.Input<string>;
    /** Network config (`ipv4.address`, `ipv4.nat`, `ipv6.address`, `dns.domain` ...); keys left out are LXD's choice and never a change. */
    config?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** The LXD daemon; default the local unix socket. */
    endpoint?: pulumi.Input<EndpointArgs>;
}

/** An LXD managed network, normally a bridge with DHCP, DNS and NAT. */
export class Network extends pulumi.CustomResource {
    // Outputs are `declare`d: a field declaration would be initialised after super() (ES2022
    // class fields) and overwrite the outputs the constructor just created.
    /** The network name. */
    declare public readonly name: pulumi.Output<string>;
    /** The network type. */
    declare public readonly type: pulumi.Output<string>;
    /** The description. */
    declare public readonly description: pulumi.Output<string>;
    /** The config as LXD holds it, with the addresses it picked. */
    declare public readonly config: pulumi.Output<Record<string, string>>;
    /** True for networks LXD manages (always, for networks made here). */
    declare public readonly managed: pulumi.Output<boolean>;
    /** LXD's status ("Created"). */
    declare public readonly status: pulumi.Output<string>;
    /** API paths of the instances and profiles using it. */
    declare public readonly usedBy: pulumi.Output<string[]>;
    /** The endpoint it lives on. */
    declare public readonly endpoint: pulumi.Output<EndpointOutput>;

    constructor(name: string, args: NetworkArgs, opts?: pulumi.CustomResourceOptions) {
        super("lxd:index:Network", name, withOutputs(args, ["name", "type", "description", "config", "managed", "status", "usedBy", "endpoint"]), opts);
    }
}
