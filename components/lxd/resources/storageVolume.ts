import * as pulumi from "@pulumi/pulumi";
import { EndpointArgs, EndpointOutput } from "./endpoint";
import { withOutputs } from "./outputs";

export interface StorageVolumeArgs {
    /** The pool the volume lives in, e.g. "default". Changing it makes a new volume (the data does not move). */
    pool: pulumi.Input<string>;
    /** The volume name, unique in its pool. Changing it makes a new volume. */
    name: pulumi.Input<string>;
    /** "filesystem" (the default: a directory to attach at a path) or "block" (a disk for VMs). Changing it makes a new volume. */
    contentType?: pulumi.Input<"filesystem" | "block">;
    /** A free-text description. */
    description?: pulumi.Input<string>;
    /**
     * Volume config (`size`, `security.shifted`, `user.*` ...), every value a string; updated in
     * place where LXD allows it (it refuses to shrink). Keys LXD fills in (`volatile.idmap.*` on
     * first attach, `size` and `block.*` from the pool's defaults) are never a change.
     */
    config?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** The LXD daemon; default the local unix socket. */
    endpoint?: pulumi.Input<EndpointArgs>;
}

/**
 * An LXD custom storage volume: data that outlives the instances it is attached to. Attach
 * it as a disk device, `{ type: "disk", pool: v.pool, source: v.name, path: "/var/lib/docker" }`,
 * so the instance depends on it (created after it, deleted before it). Deleting a volume
 * that is still attached fails, naming what uses it.
 */
export class StorageVolume extends pulumi.CustomResource {
    // Outputs are `declare`d: a field declaration would be initialised after super() (ES2022
    // class fields) and overwrite the outputs the constructor just created.
    /** The volume name. */
    declare public readonly name: pulumi.Output<string>;
    /** The pool it lives in. */
    declare public readonly pool: pulumi.Output<string>;
    /** "filesystem" or "block". */
    declare public readonly contentType: pulumi.Output<string>;
    /** The description. */
    declare public readonly description: pulumi.Output<string>;
    /** The config as LXD holds it, with the keys it filled in. */
    declare public readonly config: pulumi.Output<Record<string, string>>;
    /** API paths of what uses it (`/1.0/instances/<name>`, `/1.0/profiles/<name>`), as last read. */
    declare public readonly usedBy: pulumi.Output<string[]>;
    /** The endpoint it lives on. */
    declare public readonly endpoint: pulumi.Output<EndpointOutput>;

    constructor(name: string, args: StorageVolumeArgs, opts?: pulumi.CustomResourceOptions) {
        super("lxd:index:StorageVolume", name, withOutputs(args, ["name", "pool", "contentType", "description", "config", "usedBy", "endpoint"]), opts);
    }
}
