import * as fs from "node:fs";
import { LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import { engineEnv } from "./environment";
import { bcmHome, homeLayout } from "./paths";
import { installPlugins } from "./plugins";
import { describeRemovedSidecar, removeBrokenSidecars } from "./stateSidecars";
import { Engine, findEngine } from "./toolchain";

export interface StackOptions {
    /** A directory holding a Pulumi.yaml (the program the stack runs). */
    workDir: string;
    /** The stack's name. */
    stackName: string;
    /** The secrets passphrase for this stack (from the device in normal use). */
    passphrase: string;
    /** BCM's home directory; default `BCM_HOME` or `~/.bcm`. */
    home?: string;
    /** An engine found already; default: the one built for this checkout. */
    engine?: Engine;
}

/**
 * Opens (creating if needed) a stack of a local program on the project's own engine,
 * with the file backend and plugins of a BCM home.
 */
export async function openStack(opts: StackOptions): Promise<Stack> {
    const engine = opts.engine ?? (await findEngine());
    return LocalWorkspace.createOrSelectStack(
        { stackName: opts.stackName, workDir: opts.workDir },
        await workspaceOptions(engine, opts.home ?? bcmHome(), opts.passphrase),
    );
}

/**
 * What every workspace on a BCM home needs, prepared once for all of them: the home's state
 * and engine directories, the engine's environment and plugins, and the engine itself. A
 * metadata file of the state a killed run left unreadable is removed first, or every later
 * run stops at "failed to load checkpoint: EOF" (stateSidecars.ts).
 */
export async function workspaceOptions(engine: Engine, home: string, passphrase: string): Promise<{ pulumiCommand: PulumiCommand; envVars: Record<string, string> }> {
    const { stateDir, pulumiHome } = homeLayout(home);
    fs.mkdirSync(stateDir, { recursive: true });
    fs.mkdirSync(pulumiHome, { recursive: true });
    for (const f of removeBrokenSidecars(stateDir)) process.stderr.write(`${describeRemovedSidecar(f)}\n`);
    const envVars = engineEnv(engine, home, passphrase);
    await installPlugins(engine, envVars);
    return { pulumiCommand: await PulumiCommand.get({ root: engine.dir }), envVars };
}
