import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";

export interface EngineCheckArgs {
    /** The Docker network's name on the local daemon; default `bcm-check-<stack>`. */
    networkName?: pulumi.Input<string>;
    /** Length of the generated secret; default 24. */
    secretLength?: pulumi.Input<number>;
}

/**
 * One resource from each provider the engine is built with: a generated secret (random),
 * a local command that consumes it (command), and a network on the local dockerd (docker).
 * It proves an engine can create, keep, and destroy real things before anything larger
 * is deployed on it.
 */
export class EngineCheck extends pulumi.ComponentResource {
    /** The generated secret: a Pulumi secret, encrypted in state. */
    public readonly secret: pulumi.Output<string>;
    /** What the local command printed: the secret's length, never the secret itself. */
    public readonly commandOutput: pulumi.Output<string>;
    /** The Docker network's name. */
    public readonly networkName: pulumi.Output<string>;
    /** The Docker network's id on the local daemon. */
    public readonly networkId: pulumi.Output<string>;

    constructor(name: string, args: EngineCheckArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        super("bcm:smoke:EngineCheck", name, {}, opts);

        const password = new random.RandomPassword(
            `${name}-secret`,
            { length: args.secretLength ?? 24, special: false },
            { parent: this },
        );
        // The secret reaches the command through its environment (a secret input), so the
        // command's outputs are secret too; the command prints only a length.
        const count = new command.local.Command(
            `${name}-count`,
            {
                create: 'printf "%s" "$BCM_SECRET" | wc -c',
                environment: { BCM_SECRET: password.result },
            },
            { parent: this },
        );
        const network = new docker.Network(
            `${name}-network`,
            {
                name: args.networkName ?? `bcm-check-${pulumi.getStack()}`,
                driver: "bridge",
                labels: [{ label: "org.bcm.managed-by", value: "pulumi" }],
            },
            { parent: this },
        );

        this.secret = password.result;
        this.commandOutput = count.stdout;
        this.networkName = network.name;
        this.networkId = network.id;
        this.registerOutputs({
            secret: this.secret,
            commandOutput: this.commandOutput,
            networkName: this.networkName,
            networkId: this.networkId,
        });
    }
}
