import * as pulumi from "@pulumi/pulumi";
import { EndpointArgs, EndpointOutput } from "./endpoint";
import { withOutputs } from "./outputs";

export interface StoragePoolArgs {
    /** The pool name. Changing it makes a new pool. */
    name: pulumi.Input<string>;
    /** The storage driver: "dir" (the default) or "btrfs" on BCM hosts; lvm, zfs and ceph are passed through. Changing it makes a new pool. */
    driver?: pulumi.Input<string>;
    /** A free-text description. */
    description?: pulumi.Input<string>;
    /** Pool config (`source`, `size` ...); `source` and `size` left out are LXD's choice and never a change; a changed `source` makes a new pool. */
    config?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** The LXD daemon; default the local unix socket. */
    endpoint?: pulumi.Input<EndpointArgs>;
}

/** An LXD storage pool. */
export class StoragePool extends pulumi.CustomResource {
    // Outputs are `declare`d: a field declaration would be initialised after super() (ES2022
    // class fields) and overwrite the outputs the constructor just created.
    /** The pool name. */
    declare public readonly name: pulumi.Output<string>;
    /** The driver. */
    declare public readonly driver: pulumi.Output<string>;
    /** The description. */
    declare public readonly description: pulumi.Output<string>;
    /** The config as LXD holds it, with the `source` and `size` it chose. */
    declare public readonly config: pulumi.Output<Record<string, string>>;
    /** LXD's status ("Created"). */
    declare public readonly status: pulumi.Output<string>;
    /** API paths of what uses it (instances, images, volumes, profiles). */
    declare public readonly usedBy: pulumi.Output<string[]>;
    /** The endpoint it lives on. */
    declare public readonly endpoint: pulumi.Output<EndpointOutput>;

    constructor(name: string, args: StoragePoolArgs, opts?: pulumi.CustomResourceOptions) {
        super("lxd:index:StoragePool", name, withOutputs(args, ["name", "driver", "description", "config", "status", "usedBy", "endpoint"]), opts);
    }
}
