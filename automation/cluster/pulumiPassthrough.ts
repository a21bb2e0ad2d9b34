// `bcm pulumi -- <pulumi args>`: the project's engine as a plain Pulumi CLI on the cluster
// stacks of this BCM home, the way `aws-vault exec` or `sops exec-env` hand a tool its
// secrets: the stack's passphrase (from the device) only in the engine's environment, the
// engine hygiene variables, the cluster program's work directory, and, on every `up` and
// `preview`, the device's values for the workloads (as `bcm stack deploy` sets them) and the
// policy pack with the stack's policy config.
import { spawn } from "node:child_process";
import * as path from "node:path";
import { Stack } from "@pulumi/pulumi/automation";
import { findEngine, stackPassphrase, workspaceOptions } from "../../engine";
import { prepareDeploy } from "./deviceValues";
import { policyDir, writePolicyConfig } from "./policyConfig";
import { pulumiArguments, pulumiInvocation } from "./pulumiArgs";
import { clusterNames, clusterWorkspace, ClusterContext, deviceKindOf, plainConfig } from "./workspace";
import { clusterWorkDir } from "./workdir";

/** Runs the engine with `args`; resolves to its exit code (Ctrl-C reaches it as the terminal's signal). */
export async function runPulumi(args: string[], ctx: ClusterContext): Promise<number> {
    const inv = pulumiInvocation(args);
    const passphrase = inv.stack !== undefined ? await stackPassphrase(inv.stack, ctx.env) : "";
    let finalArgs = args;
    if (inv.withPolicy) {
        const ws = await clusterWorkspace(ctx.home, passphrase);
        if (!(await clusterNames(ws)).includes(inv.stack!)) {
            throw new Error(`no cluster ${inv.stack} in ${ctx.home}; fix: \`bcm cluster list\` shows the clusters`);
        }
        const stack = await Stack.select(inv.stack!, ws);
        // What the CLI does before every deploy: the device's values for the deployed workloads
        // (secret config, through standard input) and the settings a first deploy fixes.
        const config = await prepareDeploy(stack, await plainConfig(stack), { home: ctx.home, env: ctx.env, say: ctx.say });
        const policyConfig = writePolicyConfig(ctx.home, inv.stack!, await deviceKindOf(ctx), config);
        finalArgs = pulumiArguments(args, inv, { dir: policyDir, config: policyConfig });
    }
    const engine = await findEngine();
    // The same preparation as every BCM workspace (plugins, and the state's metadata a killed run left unreadable).
    const { envVars: env } = await workspaceOptions(engine, ctx.home, passphrase);
    if (passphrase === "") delete (env as Record<string, string | undefined>).PULUMI_CONFIG_PASSPHRASE;
    const cwd = clusterWorkDir(ctx.home);
    // The passphrase is in this child's environment only: never an argument, never a file.
    const child = spawn(path.join(engine.binDir, "pulumi"), finalArgs, { cwd, env: { ...process.env, ...env }, stdio: "inherit" });
    return await new Promise<number>((resolve, reject) => {
        child.on("error", reject);
        child.on("exit", (code, signal) => resolve(code ?? (signal ? 128 + 2 : 1)));
    });
}
