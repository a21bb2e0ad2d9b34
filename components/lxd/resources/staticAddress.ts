import * as pulumi from "@pulumi/pulumi";
import { EndpointArgs, EndpointOutput } from "./endpoint";
import { withOutputs } from "./outputs";

export interface StaticAddressArgs {
    /** The instance the address is for (it need not exist yet; if it does, its current address is the one held). A new name is a new address. */
    instance: pulumi.Input<string>;
    /** The instance's profiles, which define its NIC and so the network (default ["default"]). */
    profiles?: pulumi.Input<pulumi.Input<string>[]>;
    /** The NIC whose network holds the address (default eth0). */
    nic?: pulumi.Input<string>;
    /** The LXD daemon; default the local unix socket. */
    endpoint?: pulumi.Input<EndpointArgs>;
}

const staticAddressOutputs = ["instance", "profiles", "nic", "endpoint", "network", "address"] as const;

/**
 * An IPv4 address on an instance's LXD bridge, held in the stack's state, so that the
 * instance comes back on it when it is deleted and made again: give `network` and `address`
 * to the instance's NIC (`{ type: "nic", name: "eth0", network, "ipv4.address": address }`).
 */
export class StaticAddress extends pulumi.CustomResource {
    declare public readonly instance: pulumi.Output<string>;
    declare public readonly profiles: pulumi.Output<string[]>;
    declare public readonly nic: pulumi.Output<string>;
    declare public readonly endpoint: pulumi.Output<EndpointOutput>;
    /** The managed network the NIC is on (e.g. lxdbr0). */
    declare public readonly network: pulumi.Output<string>;
    /** The address held, e.g. 10.218.0.254. */
    declare public readonly address: pulumi.Output<string>;

    constructor(name: string, args: StaticAddressArgs, opts?: pulumi.CustomResourceOptions) {
        super("lxd:index:StaticAddress", name, withOutputs(args, staticAddressOutputs), opts);
    }
}
