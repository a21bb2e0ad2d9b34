import * as pulumi from "@pulumi/pulumi";
import { EndpointArgs, EndpointOutput } from "./endpoint";
import { withOutputs } from "./outputs";

export interface ExecArgs {
    /** The instance to run in (running); pass an lxd:index:Instance's `name` output so the Exec waits for it. A new instance runs `create` again. */
    instance: pulumi.Input<string>;
    /** The command run on create, as argv (no shell unless it runs one: `["sh", "-c", "..."]`); a non-zero exit fails the create and records nothing. Changing it runs it again (a replacement). */
    create: pulumi.Input<pulumi.Input<string>[]>;
    /** A command run on delete (and when a replacement removes the old Exec); skipped when the instance is gone. Changing it runs nothing. */
    delete?: pulumi.Input<pulumi.Input<string>[]>;
    /** Environment variables for both commands; values may be secrets, and then stdout and stderr are secret too. Changing them runs `create` again. LXD puts them on the command line of its own exec helper on the host, where any local user can read them: give secrets on `stdin`. */
    environment?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** What the create command reads on its standard input, then end of file (over LXD's websocket: on no command line, in no environment); for secrets. Changing it runs `create` again. */
    stdin?: pulumi.Input<string>;
    /** Any values; a change runs `create` again (a replacement), e.g. `[instance.config.apply((c) => c["volatile.uuid"])]`. */
    triggers?: pulumi.Input<unknown[]>;
    /** Seconds to wait for each command (default 300); a command still running then fails the step and may go on running in the instance. */
    timeoutSeconds?: pulumi.Input<number>;
    /** The LXD daemon; default the local unix socket. */
    endpoint?: pulumi.Input<EndpointArgs>;
}

/** Every output of an Exec (the SDK makes Outputs only for these keys). */
const execOutputs = [
    "instance", "create", "delete", "environment", "stdin", "triggers", "timeoutSeconds", "stdout", "stderr", "instanceUuid", "endpoint",
] as const;

/**
 * A command run inside an LXD instance through the API (no SSH; `stdin` for the create command): `create` once
 * when the resource is created, `delete` when it is deleted. Replacing it (a new command,
 * environment or trigger) creates the new one first, unless `deleteBeforeReplace` is set.
 * For output that is secret although no input is, add `additionalSecretOutputs: ["stdout"]`.
 */
export class Exec extends pulumi.CustomResource {
    // Outputs are `declare`d: a field declaration would be initialised after super() (ES2022
    // class fields) and overwrite the outputs the constructor just created.
    /** The instance it ran in. */
    declare public readonly instance: pulumi.Output<string>;
    /** The create command. */
    declare public readonly create: pulumi.Output<string[]>;
    /** The delete command, if any. */
    declare public readonly delete: pulumi.Output<string[] | undefined>;
    /** The environment (secret values stay secret). */
    declare public readonly environment: pulumi.Output<Record<string, string>>;
    /** What the create command read on stdin. */
    declare public readonly stdin: pulumi.Output<string | undefined>;
    /** The triggers. */
    declare public readonly triggers: pulumi.Output<unknown[]>;
    /** The timeout in seconds. */
    declare public readonly timeoutSeconds: pulumi.Output<number>;
    /** The create command's stdout, without its last newline; secret when any input is. */
    declare public readonly stdout: pulumi.Output<string>;
    /** The create command's stderr; secret when any input is. */
    declare public readonly stderr: pulumi.Output<string>;
    /** The `volatile.uuid` of the instance it ran in: a recreated instance has another, and refresh then drops the Exec. */
    declare public readonly instanceUuid: pulumi.Output<string>;
    /** The endpoint. */
    declare public readonly endpoint: pulumi.Output<EndpointOutput>;

    constructor(name: string, args: ExecArgs, opts?: pulumi.CustomResourceOptions) {
        super("lxd:index:Exec", name, withOutputs(args, execOutputs), opts);
    }
}
