import * as fs from "node:fs";
import * as path from "node:path";
import { Command } from "commander";
import { execa } from "execa";
import { bcmHome, homeLayout, repoRoot } from "../../../engine/paths";
import { readEngine } from "../../../engine/toolchain";
import { deviceFromEnvironment } from "../../../device/fromEnvironment";
import { deviceLine } from "../../../device/describeDevice";

/** What answered when the device was asked to describe itself, or why nothing did. */
async function deviceAnswer(env: NodeJS.ProcessEnv): Promise<string> {
    try {
        const device = await deviceFromEnvironment(env, { waitMs: 5_000, warn: () => undefined });
        try {
            return deviceLine(await device.describe());
        } finally {
            await device.close();
        }
    } catch (err) {
        return `none answered: ${(err as Error).message.split("\n")[0]}`;
    }
}

/** What `bcm info` reports: the active environment, as plain key/value pairs; the device as it describes itself. */
export async function gatherInfo(env: NodeJS.ProcessEnv = process.env): Promise<[string, string][]> {
    const home = bcmHome(env);
    const { stateDir, pulumiHome } = homeLayout(home);
    const build = await execa("bash", [path.join(repoRoot, "toolchain", "build.sh"), "--print"], { reject: false });
    let engine = "not built for this checkout (run `npm run setup`)";
    if (build.exitCode === 0) {
        const e = readEngine(build.stdout.trim());
        engine = `pulumi v${e.cliVersion} at ${e.dir} (plugins: ${Object.entries(e.plugins)
            .map(([n, p]) => `${n} ${p.version}`)
            .join(", ")})`;
    }
    return [
        ["BCM_HOME", home],
        ["state backend", `file://${stateDir}${fs.existsSync(stateDir) ? "" : " (not created yet)"}`],
        ["Pulumi home", pulumiHome],
        ["device", await deviceAnswer(env)],
        ["engine", engine],
    ];
}

export function registerInfo(program: Command): void {
    program
        .command("info")
        .description("show the active BCM environment: home, state backend, the device that answers (model and firmware, or the software device) and engine")
        .option("--json", "print JSON instead of aligned text")
        .action(async (opts: { json?: boolean }) => {
            const rows = await gatherInfo();
            if (opts.json) {
                console.log(JSON.stringify(Object.fromEntries(rows), null, 2));
                return;
            }
            const width = Math.max(...rows.map(([k]) => k.length));
            for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
        });
}
