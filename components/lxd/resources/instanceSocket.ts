import * as pulumi from "@pulumi/pulumi";
import { EndpointArgs, EndpointOutput } from "./endpoint";
import { withOutputs } from "./outputs";

export interface InstanceSocketArgs {
    /** The instance whose socket to reach (running); pass an lxd:index:Instance's `name` output. */
    instance: pulumi.Input<string>;
    /** The socket to create on this host (mode 0600, root only), in a directory only its owner can enter. A new path is a new socket. */
    path: pulumi.Input<string>;
    /** The socket inside the instance, an absolute path without symlinks (default /run/docker.sock). */
    target?: pulumi.Input<string>;
    /** The LXD daemon: the local one (a unix:// URL), since the forwarder runs on this host; default its socket. */
    endpoint?: pulumi.Input<EndpointArgs>;
}

const socketOutputs = ["instance", "path", "target", "endpoint", "pid", "running"] as const;

/**
 * A root-only unix socket on this host forwarding each connection to a unix socket inside a
 * local instance, with half-closes passed on (so `docker exec` and `docker attach` work,
 * which an LXD `proxy` device loses). Served by bcm-docker-forward, started detached; a
 * forwarder that is gone (e.g. after a reboot) is started again by the next up.
 */
export class InstanceSocket extends pulumi.CustomResource {
    declare public readonly instance: pulumi.Output<string>;
    declare public readonly path: pulumi.Output<string>;
    declare public readonly target: pulumi.Output<string>;
    declare public readonly endpoint: pulumi.Output<EndpointOutput>;
    /** The forwarder's pid when last seen. */
    declare public readonly pid: pulumi.Output<number>;
    declare public readonly running: pulumi.Output<boolean>;

    constructor(name: string, args: InstanceSocketArgs, opts?: pulumi.CustomResourceOptions) {
        super("lxd:index:InstanceSocket", name, withOutputs(args, socketOutputs), opts);
    }
}
