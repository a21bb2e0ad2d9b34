import * as fs from "node:fs";
import * as path from "node:path";
import { execa } from "execa";
import { repoRoot } from "./paths";
import { Engine } from "./toolchain";

/**
 * Resource plugins written in TypeScript in this repository, each started by a launcher
 * script (ts-node from the repository's node_modules). Their version is the package's.
 */
export const typescriptPlugins: { name: string; version: string; launcher: string }[] = [
    {
        name: "lxd",
        version: (JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { version: string }).version,
        launcher: path.join(repoRoot, "components", "lxd", "provider", "bin", "pulumi-resource-lxd"),
    },
];

/**
 * Installs the engine's resource plugins into a Pulumi home with `pulumi plugin install
 * --file`, where the engine looks them up by exact version (and where `pulumi plugin ls`
 * shows them), and this checkout's TypeScript plugins as small scripts that exec their
 * launchers. Plugins already installed at that version are left alone; a TypeScript
 * plugin's script is rewritten when it points at another checkout.
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
    for (const plugin of typescriptPlugins) {
        const dir = path.join(pulumiHome, "plugins", `resource-${plugin.name}-v${plugin.version}`);
        const file = path.join(dir, `pulumi-resource-${plugin.name}`);
        const script = `#!/bin/sh\nexec '${plugin.launcher}' "$@"\n`;
        if (fs.existsSync(file) && fs.readFileSync(file, "utf8") === script) {
            continue;
        }
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(file, script, { mode: 0o755 });
    }
}
