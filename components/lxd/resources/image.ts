import * as pulumi from "@pulumi/pulumi";
import { EndpointArgs, EndpointOutput } from "./endpoint";
import { withOutputs } from "./outputs";

export interface ImageArgs {
    /** The metadata tarball (metadata.yaml, templates/) of a split image, a local path. */
    metadataPath: pulumi.Input<string>;
    /** The rootfs tarball of a split image, a local path. New contents make a new image. */
    rootfsPath: pulumi.Input<string>;
    /** Aliases pointing at the image; an alias that points elsewhere is moved here. Updated in place. */
    aliases?: pulumi.Input<pulumi.Input<string>[]>;
    /** Whether untrusted clients may download it (default false). */
    public?: pulumi.Input<boolean>;
    /** The LXD daemon; default the local unix socket. */
    endpoint?: pulumi.Input<EndpointArgs>;
}

/**
 * An LXD image imported from a local split image (metadata + rootfs tarballs), with
 * aliases. Its fingerprint is computed locally: an image the daemon already has is adopted
 * without uploading (and then not deleted with the resource; only its aliases are).
 */
export class Image extends pulumi.CustomResource {
    // Outputs are `declare`d: a field declaration would be initialised after super() (ES2022
    // class fields) and overwrite the outputs the constructor just created.
    /** The image fingerprint: SHA-256 of metadata then rootfs. */
    declare public readonly fingerprint: pulumi.Output<string>;
    /** The metadata tarball's path. */
    declare public readonly metadataPath: pulumi.Output<string>;
    /** The rootfs tarball's path. */
    declare public readonly rootfsPath: pulumi.Output<string>;
    /** The aliases it manages. */
    declare public readonly aliases: pulumi.Output<string[]>;
    /** Whether it is public. */
    declare public readonly public: pulumi.Output<boolean>;
    /** Its size in bytes, as LXD stores it. */
    declare public readonly size: pulumi.Output<number>;
    /** True when this resource uploaded it (and so deletes it); false when it was already there. */
    declare public readonly uploaded: pulumi.Output<boolean>;
    /** The endpoint it lives on. */
    declare public readonly endpoint: pulumi.Output<EndpointOutput>;

    constructor(name: string, args: ImageArgs, opts?: pulumi.CustomResourceOptions) {
        super("lxd:index:Image", name, withOutputs(args, ["fingerprint", "metadataPath", "rootfsPath", "aliases", "public", "size", "uploaded", "endpoint"]), opts);
    }
}
