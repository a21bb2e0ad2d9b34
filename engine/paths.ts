import * as os from "node:os";
import * as path from "node:path";

/**
 * The package's root: the repository, or `node_modules/bcm` where a program of its own
 * installed the library. From the sources this file is engine/paths.ts; compiled it is
 * dist/engine/paths.js, one level deeper.
 */
export const repoRoot = path.resolve(__dirname, "..", ...(path.basename(path.dirname(__dirname)) === "dist" ? [".."] : []));

/** Whether this code runs compiled (from dist/, `npm run build`) rather than from the TypeScript sources. */
export const compiled = __filename.endsWith(".js");

/** Where the runnable code is: the sources (through ts-node) or dist/. */
export const codeRoot = compiled ? path.join(repoRoot, "dist") : repoRoot;

/** Where BCM keeps its state: `BCM_HOME`, default `~/.bcm`. Always absolute. */
export function bcmHome(env: NodeJS.ProcessEnv = process.env): string {
    return path.resolve(env.BCM_HOME || path.join(os.homedir(), ".bcm"));
}

/** The directories of one BCM home: the engine's file backend and its own home. */
export function homeLayout(home: string): { stateDir: string; pulumiHome: string } {
    return { stateDir: path.join(home, "state"), pulumiHome: path.join(home, "pulumi") };
}

/** An absolute `file://` backend URL: `file://~` would resolve through the user database, not $HOME. */
export function backendUrl(stateDir: string): string {
    if (!path.isAbsolute(stateDir)) {
        throw new Error(`the state directory must be an absolute path, got "${stateDir}"`);
    }
    return `file://${stateDir}`;
}
