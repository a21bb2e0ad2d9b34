import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Stack } from "@pulumi/pulumi/automation";
import { findEngine, openStack, repoRoot, setSecretConfig } from "../engine";
import { MnemonicDevice } from "../device/mnemonicDevice";
import { deriveStackPassphrase } from "../device/stackPassphrase";
import { TEST_MNEMONIC } from "../device/testing/testMnemonic";

/** Every file under a directory, as text, with its path. */
function filesUnder(dir: string): { file: string; text: string }[] {
    return fs
        .readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => path.join(e.parentPath, e.name))
        .map((file) => ({ file, text: fs.readFileSync(file, "latin1") }));
}

/** The command lines of every process on the machine. */
function allCommandLines(): string[] {
    return fs
        .readdirSync("/proc")
        .filter((p) => /^\d+$/.test(p))
        .map((p) => {
            try {
                return fs.readFileSync(`/proc/${p}/cmdline`, "utf8").replace(/\0/g, " ");
            } catch {
                return ""; // the process ended meanwhile
            }
        });
}

// A stack whose passphrase comes from the device: no secret (the passphrase, a secret
// config value, a generated password) lands on disk in plaintext or on any command line.
describe("stack secrets from the device", () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-secrets-"));
    const stackName = `secrets${process.pid}`;
    const workDir = path.join(repoRoot, "test", "smoke");
    const secretValue = `token-${Date.now()}-do-not-leak`;
    let passphrase: string;
    let stack: Stack;

    beforeAll(async () => {
        const device = new MnemonicDevice(TEST_MNEMONIC);
        passphrase = await deriveStackPassphrase(device, stackName);
        await device.close();
        stack = await openStack({ workDir, stackName, passphrase, home, engine: await findEngine() });
    });

    afterAll(async () => {
        await stack?.destroy().catch(() => undefined);
        await stack?.workspace.removeStack(stackName).catch(() => undefined);
        fs.rmSync(home, { recursive: true, force: true });
    });

    it("derives the same passphrase from the same seed, and another for another stack", async () => {
        const device = new MnemonicDevice(TEST_MNEMONIC);
        expect(await deriveStackPassphrase(device, stackName)).toBe(passphrase);
        expect(await deriveStackPassphrase(device, `${stackName}x`)).not.toBe(passphrase);
        await device.close();
    });

    it("keeps every secret off disk and off command lines", async () => {
        await setSecretConfig(stack, "apiToken", secretValue);
        expect((await stack.getConfig("apiToken")).value).toBe(secretValue);

        const seenOnCommandLines: string[] = [];
        await stack.up({
            onEvent: () => {
                for (const line of allCommandLines()) {
                    if (line.includes(passphrase) || line.includes(secretValue)) seenOnCommandLines.push(line);
                }
            },
        });
        expect(seenOnCommandLines).toEqual([]);

        const password = (await stack.outputs()).secret.value as string;
        const onDisk = [...filesUnder(home), { file: "stack config", text: fs.readFileSync(path.join(workDir, `Pulumi.${stackName}.yaml`), "utf8") }];
        expect(onDisk.length).toBeGreaterThan(3);
        for (const { file, text } of onDisk) {
            for (const secret of [passphrase, secretValue, password]) {
                if (text.includes(secret)) throw new Error(`${file} holds a secret in plaintext`);
            }
        }
    });
});
