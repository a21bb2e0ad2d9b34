// `bcm pulumi -- <pulumi args>`: plain Pulumi on a cluster stack (automation/cluster/pulumiPassthrough.ts).
import { Command } from "commander";
import { runPulumi } from "../../cluster/pulumiPassthrough";
import { CliError } from "../errors";
import { ExitCode } from "../exitCodes";
import { withContext } from "./cluster";

export function registerPulumi(program: Command): void {
    program
        .command("pulumi")
        .description("run the project's engine on a cluster stack: `bcm pulumi -- up -s <cluster>`; the passphrase from the device in its environment only, the policy pack on every up and preview")
        .argument("[args...]", "pulumi's own arguments, after --")
        .allowUnknownOption()
        .helpOption(false)
        .addHelpText(
            "after",
            "\nExamples:\n  bcm pulumi -- preview -s standalone\n  bcm pulumi -- up -s mycluster --yes\n  bcm pulumi -- stack ls\n" +
                "Runs in the cluster program's work directory ($BCM_HOME/clusters/program) with the file backend of the BCM home.",
        )
        .action(async (args: string[]) => {
            let code: number;
            try {
                code = await withContext((ctx) => runPulumi(args, ctx));
            } catch (err) {
                if (err instanceof CliError) throw err;
                throw new CliError((err as Error).message, /^(pulumi |-|--)/.test((err as Error).message) ? ExitCode.usage : ExitCode.failed);
            }
            if (code !== 0) throw new CliError(`pulumi ${args.join(" ")} exited with ${code} (its output is above)`, code === 130 ? ExitCode.interrupted : ExitCode.failed);
        });
}
