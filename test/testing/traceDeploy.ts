// The deploy the secrets trace watches (test/datacenter/secretsTrace.it.test.ts): the cluster
// program with all three tiers on this machine's LXD, with the policy pack, as `bcm` runs it.
// The passphrase comes on standard input (an argument or a variable would put it where the
// trace is looking); the stack's outputs go to a file only its owner can read.
// The deploy leaves a long-lived process behind (the Docker socket forwarder), which strace -f
// follows and waits for; so the result goes to a file the test watches, not only to the exit code.
// Usage: ts-node test/testing/traceDeploy.ts <BCM home> <stack> <config JSON file> <outputs file> <result file>  (passphrase on stdin)
import * as fs from "node:fs";
import * as path from "node:path";
import { prepareDeploy } from "../../automation/cluster/deviceValues";
import { policyDir, writePolicyConfig } from "../../automation/cluster/policyConfig";
import { TEST_MNEMONIC } from "../../device/testing/testMnemonic";
import { clusterWorkDir } from "../../automation/cluster/workdir";
import { openStack } from "../../engine";

async function main(): Promise<void> {
    const [home, stackName, configFile, outputsFile] = process.argv.slice(2, 6);
    const passphrase = fs.readFileSync(0, "utf8").trim();
    const config = JSON.parse(fs.readFileSync(configFile, "utf8")) as Record<string, string>;
    const stack = await openStack({ workDir: clusterWorkDir(home), stackName, passphrase, home });
    await stack.setAllConfig(Object.fromEntries(Object.entries(config).map(([k, value]) => [k, { value }])));
    // What bcm does before every deploy, traced too: lnd's secret from the device (the software
    // device on the public test mnemonic, from a file), the controller's certificate, the birthday.
    const mnemonicFile = path.join(home, "mnemonic");
    fs.writeFileSync(mnemonicFile, TEST_MNEMONIC, { mode: 0o600 });
    const env = { ...process.env, BCM_DEVICE: "mnemonic", BCM_MNEMONIC_FILE: mnemonicFile };
    const prepared = await prepareDeploy(stack, config, { home, env, say: () => undefined, createControllerKey: true });
    const up = await stack.up({ policyPacks: [policyDir], policyPackConfigs: [writePolicyConfig(home, stackName, undefined, prepared)] });
    if (up.summary.result !== "succeeded") throw new Error(`up: ${up.summary.result}`);
    const outputs = await stack.outputs();
    fs.writeFileSync(outputsFile, JSON.stringify(Object.fromEntries(Object.entries(outputs).map(([k, o]) => [k, o.value]))), { mode: 0o600 });
}

const resultFile = process.argv[6];
main().then(
    () => fs.writeFileSync(resultFile, "ok"),
    (e: unknown) => {
        const message = `traceDeploy: ${e instanceof Error ? e.message : String(e)}`;
        console.error(message);
        fs.writeFileSync(resultFile, message);
        process.exitCode = 1;
    },
);
