import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { execa } from "execa";

/**
 * Sets a secret config value on a stack without the value ever appearing on a command
 * line: the Automation API's `setConfig` passes it as an argument to `pulumi config set`,
 * where any local user can read it in the process list. Here the CLI reads it from
 * standard input instead, and writes only the ciphertext to Pulumi.<stack>.yaml.
 */
export async function setSecretConfig(stack: Stack, key: string, value: string): Promise<void> {
    const ws = stack.workspace as LocalWorkspace;
    await execa(ws.pulumiCommand.command, ["config", "set", "--secret", "--stack", stack.name, "--non-interactive", key], {
        cwd: ws.workDir,
        env: ws.envVars,
        input: value,
    });
}
