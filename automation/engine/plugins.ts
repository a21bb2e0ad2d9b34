import * as fs from "node:fs";
import * as path from "node:path";
import { execa } from "execa";
import { Engine } from "./toolchain";

/**
 * Installs the engine's resource plugins into a Pulumi home with `pulumi plugin install
 * --file`, where the engine looks them up by exact version (and where `pulumi plugin ls`
 * shows them). Plugins already installed at that version are left alone.
 */
export async function installPlugins(engine: Engine, env: Record<string, string>): Promise<void> {
    const pulumiHome = env.PULUMI_HOME;
    for (const [name, plugin] of Object.entries(engine.plugins)) {
        const dir = path.join(pulumiHome, "plugins", `resource-${name}-v${plugin.version}`);
        if (fs.existsSync(path.join(dir, `pulumi-resource-${name}`))) {
            continue;
        }
        await execa(
            path.join(engine.binDir, "pulumi"),
            ["plugin", "install", "resource", name, plugin.version, "--file", plugin.path, "--reinstall"],
            { env },
        );
    }
}
