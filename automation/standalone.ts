// The main job: a standalone data center on this machine's own daemons, deployed as the
// stack "standalone" of the root project with live progress. `npm run up` runs it after
// scripts/setup.sh; `npm run up -- --destroy` tears it down.
import { bcmHome, developmentDeviceEnv, openStack, Progress, repoRoot, stackPassphrase } from "./engine";

const stackName = "standalone";

async function main(): Promise<void> {
    const destroy = process.argv.includes("--destroy");
    const home = bcmHome();
    const env = developmentDeviceEnv(home, process.env, (line) => console.error(`[bcm up] ${line}`));
    const passphrase = await stackPassphrase(stackName, env);
    const stack = await openStack({ workDir: repoRoot, stackName, passphrase, home });
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
