// The main job: a standalone data center on this machine's own daemons, deployed as the
// stack "standalone" of the root project with live progress. `npm run up` runs it after
// scripts/setup.sh; `npm run up -- --destroy` tears it down.
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { bcmHome, openStack, Progress, repoRoot } from "./engine";

const stackName = "standalone";

/**
 * The stack's secrets passphrase. PULUMI_CONFIG_PASSPHRASE wins when set; otherwise one is
 * generated once and kept, readable by its owner only, in BCM_HOME. (The device-derived
 * passphrase replaces this file when `bcm init` sets up a hardware or software device.)
 */
function passphrase(home: string): string {
    if (process.env.PULUMI_CONFIG_PASSPHRASE) return process.env.PULUMI_CONFIG_PASSPHRASE;
    const file = path.join(home, `${stackName}.passphrase`);
    if (!fs.existsSync(file)) {
        fs.mkdirSync(home, { recursive: true, mode: 0o700 });
        fs.writeFileSync(file, crypto.randomBytes(32).toString("base64url"), { mode: 0o600 });
    }
    return fs.readFileSync(file, "utf8").trim();
}

async function main(): Promise<void> {
    const destroy = process.argv.includes("--destroy");
    const home = bcmHome();
    const stack = await openStack({ workDir: repoRoot, stackName, passphrase: passphrase(home), home });
    if (destroy) {
        await stack.destroy({ onEvent: new Progress("destroy").onEvent });
        console.log(`stack ${stackName} destroyed; its state stays in ${home}/state`);
        return;
    }
    await stack.up({ onEvent: new Progress("up").onEvent });
    const outputs = await stack.outputs();
    console.log(`\nstack ${stackName} is up (state in ${home}/state). Outputs:`);
    for (const [key, out] of Object.entries(outputs)) {
        console.log(`  ${key}: ${out.secret ? "[secret]" : JSON.stringify(out.value)}`);
    }
}

main().catch((err: unknown) => {
    console.error(`[bcm up] error: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
});
