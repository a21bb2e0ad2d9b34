import * as pulumi from "@pulumi/pulumi";
import { EndpointArgs, EndpointOutput } from "./endpoint";
import { withOutputs } from "./outputs";

export interface ProfileArgs {
    /** The profile name; default: the resource name plus a random suffix. Changing it makes a new profile. */
    name?: pulumi.Input<string>;
    /** A free-text description. */
    description?: pulumi.Input<string>;
    /** Config applied to every instance using the profile, every value a string. */
    config?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** Devices added to every instance using the profile, each with a `type`. */
    devices?: pulumi.Input<Record<string, pulumi.Input<Record<string, pulumi.Input<string>>>>>;
    /** The LXD daemon; default the local unix socket. */
    endpoint?: pulumi.Input<EndpointArgs>;
}

/** An LXD profile: config and devices shared by instances. */
export class Profile extends pulumi.CustomResource {
    // Outputs are `declare`d: a field declaration would be initialised after super() (ES2022
    // class fields) and overwrite the outputs the constructor just created.
    /** The profile name. */
    declare public readonly name: pulumi.Output<string>;
    /** The description. */
    declare public readonly description: pulumi.Output<string>;
    /** The config as LXD holds it. */
    declare public readonly config: pulumi.Output<Record<string, string>>;
    /** The devices as LXD holds them. */
    declare public readonly devices: pulumi.Output<Record<string, Record<string, string>>>;
    /** API paths of the instances using it. */
    declare public readonly usedBy: pulumi.Output<string[]>;
    /** The endpoint it lives on. */
    declare public readonly endpoint: pulumi.Output<EndpointOutput>;

    constructor(name: string, args: ProfileArgs = {}, opts?: pulumi.CustomResourceOptions) {
        super("lxd:index:Profile", name, withOutputs(args, ["name", "description", "config", "devices", "usedBy", "endpoint"]), opts);
    }
}
