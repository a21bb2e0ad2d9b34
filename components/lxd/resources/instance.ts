import * as pulumi from "@pulumi/pulumi";
import { EndpointArgs, EndpointOutput } from "./endpoint";
import { withOutputs } from "./outputs";

/** Wait after start until an interface has a global address (off by default). */
export interface AddressWaitArgs {
    /** The interface inside the instance, default "eth0" (named, never guessed: docker0 sorts first). */
    interface?: pulumi.Input<string>;
    /** "inet" (the default) or "inet6". */
    family?: pulumi.Input<"inet" | "inet6">;
    /** Give up after this many seconds (default 120); a failed create deletes the instance again. */
    timeoutSeconds?: pulumi.Input<number>;
}

export interface InstanceArgs {
    /** The instance name (a hostname); default: the resource name plus a random suffix. Changing it replaces the instance. */
    name?: pulumi.Input<string>;
    /** The image: an alias or fingerprint on the endpoint. Changing it replaces the instance. */
    image: pulumi.Input<string>;
    /** "container" (the default) or "virtual-machine". Changing it replaces the instance. */
    type?: pulumi.Input<"container" | "virtual-machine">;
    /** A free-text description. */
    description?: pulumi.Input<string>;
    /** Profiles in order (the last wins on conflicts); default ["default"], [] for none. Updated in place. */
    profiles?: pulumi.Input<pulumi.Input<string>[]>;
    /** Instance config (`limits.cpu`, `security.nesting`, `user.*` ...), every value a string. Updated in place. */
    config?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** Instance devices by name, each with a `type` (nic, disk, proxy ...) and string properties. Updated in place. */
    devices?: pulumi.Input<Record<string, pulumi.Input<Record<string, pulumi.Input<string>>>>>;
    /** Whether the instance runs (default true); changing it starts or stops it. */
    running?: pulumi.Input<boolean>;
    /** An ephemeral instance is deleted by LXD when it stops. Changing it replaces the instance. */
    ephemeral?: pulumi.Input<boolean>;
    /** Wait for a global address on an interface after start. */
    waitForAddress?: pulumi.Input<AddressWaitArgs>;
    /** The LXD daemon; default the local unix socket. */
    endpoint?: pulumi.Input<EndpointArgs>;
}

/** Every output of an Instance (the SDK makes Outputs only for these keys). */
const instanceOutputs = [
    "name", "image", "imageFingerprint", "type", "description", "profiles", "config", "devices", "running",
    "ephemeral", "waitForAddress", "status", "ipv4Address", "ipv6Address", "location", "endpoint",
] as const;

/**
 * An LXD system container (or VM) created from a local image, configured, started and
 * optionally waited for until it has an address.
 */
export class Instance extends pulumi.CustomResource {
    // Outputs are `declare`d: a field declaration would be initialised after super() (ES2022
    // class fields) and overwrite the outputs the constructor just created.
    /** The instance name. */
    declare public readonly name: pulumi.Output<string>;
    /** The image alias or fingerprint it was created from, as given. */
    declare public readonly image: pulumi.Output<string>;
    /** The fingerprint of the image it was created from. */
    declare public readonly imageFingerprint: pulumi.Output<string>;
    /** "container" or "virtual-machine". */
    declare public readonly type: pulumi.Output<string>;
    /** The description. */
    declare public readonly description: pulumi.Output<string>;
    /** The profiles, in order. */
    declare public readonly profiles: pulumi.Output<string[]>;
    /** The instance's own config as LXD holds it, with its `volatile.*` and `image.*` keys. */
    declare public readonly config: pulumi.Output<Record<string, string>>;
    /** The instance's own devices (not those from profiles). */
    declare public readonly devices: pulumi.Output<Record<string, Record<string, string>>>;
    /** Whether it is running. */
    declare public readonly running: pulumi.Output<boolean>;
    /** Whether it is ephemeral. */
    declare public readonly ephemeral: pulumi.Output<boolean>;
    /** The address wait asked for, with defaults. */
    declare public readonly waitForAddress: pulumi.Output<AddressWaitArgs | undefined>;
    /** LXD's status: "Running", "Stopped" ... */
    declare public readonly status: pulumi.Output<string>;
    /** The first global IPv4 address on the waited-for interface (default eth0), or "". */
    declare public readonly ipv4Address: pulumi.Output<string>;
    /** The first global IPv6 address on that interface, or "". */
    declare public readonly ipv6Address: pulumi.Output<string>;
    /** The cluster member it runs on ("none" outside a cluster). */
    declare public readonly location: pulumi.Output<string>;
    /** The endpoint it lives on. */
    declare public readonly endpoint: pulumi.Output<EndpointOutput>;

    constructor(name: string, args: InstanceArgs, opts?: pulumi.CustomResourceOptions) {
        super("lxd:index:Instance", name, withOutputs(args, instanceOutputs), opts);
    }
}
