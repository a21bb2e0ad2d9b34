import * as fs from "node:fs";
import * as path from "node:path";
import { generateMnemonic } from "@scure/bip39";
import { wordlist } from "@scure/bip39/wordlists/english";
import { deviceFromEnvironment } from "../device/fromEnvironment";
import { deriveStackPassphrase } from "../device/stackPassphrase";

/**
 * A stack's secrets passphrase: derived from the device (CipherKeyValue, one label per
 * stack, so the same seed always reopens the same stacks). PULUMI_CONFIG_PASSPHRASE, when
 * set, wins: for scripts that manage the passphrase themselves.
 */
export async function stackPassphrase(stackName: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
    if (env.PULUMI_CONFIG_PASSPHRASE) return env.PULUMI_CONFIG_PASSPHRASE;
    const device = await deviceFromEnvironment(env);
    try {
        return await deriveStackPassphrase(device, stackName);
    } finally {
        await device.close();
    }
}

/**
 * `npm run up` only (automation/standalone.ts): when no device is chosen (BCM_DEVICE unset),
 * the development data center gets the software device with a mnemonic generated once into
 * BCM_HOME, readable by its owner only, announced loudly. The `bcm` command never does
 * this: without BCM_DEVICE=mnemonic it uses the Trezor. Mainnet stacks are refused by
 * policy unless a Trezor answered.
 */
export function developmentDeviceEnv(home: string, env: NodeJS.ProcessEnv, say: (line: string) => void): NodeJS.ProcessEnv {
    if (env.BCM_DEVICE) return env;
    const file = path.join(home, "development.mnemonic");
    if (!fs.existsSync(file)) {
        fs.mkdirSync(home, { recursive: true, mode: 0o700 });
        fs.writeFileSync(file, generateMnemonic(wordlist, 256) + "\n", { mode: 0o600 });
    }
    say(`WARNING: no BCM_DEVICE set: using the software development device (${file}).`);
    say("         Use BCM_DEVICE=trezor for anything that holds real value.");
    return { ...env, BCM_DEVICE: "mnemonic", BCM_MNEMONIC_FILE: file };
}
