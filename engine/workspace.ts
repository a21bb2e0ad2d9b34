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
    const home = opts.home ?? bcmHome();
    const { stateDir, pulumiHome } = homeLayout(home);
    fs.mkdirSync(stateDir, { recursive: true });
    fs.mkdirSync(pulumiHome, { recursive: true });
    for (const f of removeBrokenSidecars(stateDir)) process.stderr.write(`${describeRemovedSidecar(f)}\n`);
    const envVars = engineEnv(engine, home, opts.passphrase);
    await installPlugins(engine, envVars);
    const pulumiCommand = await PulumiCommand.get({ root: engine.dir });
    return LocalWorkspace.createOrSelectStack(
        { stackName: opts.stackName, workDir: opts.workDir },
        { pulumiCommand, envVars },
    );
}
