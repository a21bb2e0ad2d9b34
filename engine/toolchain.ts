import * as fs from "node:fs";
import * as path from "node:path";
import { execa } from "execa";
import { repoRoot } from "./paths";

/** What toolchain/build.sh produced: the CLI directory and the plugins with their versions. */
export interface Engine {
    /** The engine directory (a cache entry keyed by its inputs). */
    dir: string;
    /** The directory holding `pulumi`, the Node.js language host and the dynamic-provider script. */
    binDir: string;
    /** The CLI version the engine was built at. */
    cliVersion: string;
    /** Resource plugins: name → { version, path to the binary }. */
    plugins: Record<string, { version: string; path: string }>;
}

/**
 * Finds the engine built for the current inputs. `BCM_ENGINE_DIR` wins (for an engine
 * built elsewhere); otherwise toolchain/build.sh --print answers. It never builds: that
 * is `npm run setup`'s job, which shows progress and takes minutes on a cold machine.
 */
export async function findEngine(env: NodeJS.ProcessEnv = process.env): Promise<Engine> {
    let dir = env.BCM_ENGINE_DIR;
    if (!dir) {
        const r = await execa("bash", [path.join(repoRoot, "toolchain", "build.sh"), "--print"], { reject: false });
        if (r.exitCode !== 0) {
            throw new Error("the Pulumi engine has not been built for this checkout; run `npm run setup` first");
        }
        dir = r.stdout.trim();
    }
    return readEngine(dir);
}

/** Reads an engine directory's manifest (versions.json) and checks every binary is there. */
export function readEngine(dir: string): Engine {
    const manifest = path.join(dir, "versions.json");
    if (!fs.existsSync(manifest)) {
        throw new Error(`${dir} is not a built engine (no versions.json); run \`npm run setup\``);
    }
    const v = JSON.parse(fs.readFileSync(manifest, "utf8")) as {
        pulumi: string;
        plugins: Record<string, string>;
    };
    const binDir = path.join(dir, "bin");
    const plugins: Engine["plugins"] = {};
    for (const [name, version] of Object.entries(v.plugins)) {
        plugins[name] = { version, path: path.join(dir, "plugins", `pulumi-resource-${name}`) };
    }
    for (const bin of [path.join(binDir, "pulumi"), ...Object.values(plugins).map((p) => p.path)]) {
        if (!fs.existsSync(bin)) {
            throw new Error(`the engine at ${dir} is incomplete: ${bin} is missing; run \`npm run setup\``);
        }
    }
    return { dir, binDir, cliVersion: v.pulumi, plugins };
}
