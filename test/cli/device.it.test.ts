import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execa } from "execa";
import { repoRoot } from "../../engine";
import { TEST_MNEMONIC } from "../../device/testing/testMnemonic";
import { EmulatorProcess, EmulatorProcessOptions, startEmulatorProcess } from "../../device/testing/trezorEmulator/process";

// Which device `bcm` uses, and how it reports a device's refusals: the Trezor unless
// BCM_DEVICE=mnemonic, never a key file made up on the side; a button refused on the
// Trezor, a wrong PIN, a PIN with no terminal to type it on, and no Trezor at all, each in
// one line with exit 1. The Trezor is BCM's emulator in a process of its own, reached over
// loopback UDP; PINs are typed on a pseudo-terminal (util-linux `script`), as a person would.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-device-"));
const mnemonicFile = path.join(dir, "mnemonic");
fs.writeFileSync(mnemonicFile, TEST_MNEMONIC + "\n", { mode: 0o600 });
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A clean environment: nothing of the test runner's BCM_* leaks in. */
const baseEnv = (home: string) => ({ PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? dir, BCM_HOME: home });

function bcm(env: Record<string, string>, args: string[], options: { detached?: boolean } = {}) {
    // Output kept byte for byte, so "one line" means one line ending too.
    return execa("npx", ["--no-install", "bcm", ...args], { cwd: repoRoot, reject: false, extendEnv: false, env, stdin: "ignore", stripFinalNewline: false, ...options });
}

/** `bcm` on a pseudo-terminal that types `keys`; the terminal's output is stdout and stderr together. */
function bcmOnTerminal(env: Record<string, string>, args: string[], keys: string) {
    const command = ["npx", "--no-install", "bcm", ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
    return execa("script", ["-qec", command, "/dev/null"], { cwd: repoRoot, reject: false, extendEnv: false, env, input: keys });
}

const SIGN = ["device", "sign-identity", "--identity", "ssh://satoshi@bcm.example", "--curve", "ed25519", "--challenge-hidden", "00"];

async function withEmulator<T>(options: Omit<EmulatorProcessOptions, "mnemonicFile">, run: (emulator: EmulatorProcess, home: string) => Promise<T>): Promise<T> {
    const emulator = await startEmulatorProcess({ mnemonicFile, ...options });
    try {
        return await run(emulator, fs.mkdtempSync(path.join(dir, "home-")));
    } finally {
        await emulator.stop();
    }
}

describe("the device bcm uses", () => {
    it("is the Trezor when BCM_DEVICE is unset: no software key is made, nothing is announced", async () => {
        await withEmulator({}, async (emulator, home) => {
            const env = { ...baseEnv(home), BCM_TREZOR_TRANSPORT: "udp", BCM_TREZOR_UDP: emulator.address };
            const r = await bcm(env, ["ssh", "pubkey", "satoshi@bcm.example"]);
            expect(r.exitCode).toBe(0);
            expect(r.stdout).toMatch(/^ecdsa-sha2-nistp256 AAAA\S+ <ssh:\/\/satoshi@bcm\.example\|nist256p1>\n$/);
            expect(r.stderr).toBe("");
            expect(fs.readdirSync(home)).toEqual([]);
        });
    });

    it("says so in one line and exits 1 when no Trezor answers, still without making a software key", async () => {
        const home = fs.mkdtempSync(path.join(dir, "home-"));
        const closed = await withEmulator({}, async (emulator) => emulator.address); // a port nobody answers on any more
        const r = await bcm({ ...baseEnv(home), BCM_TREZOR_TRANSPORT: "udp", BCM_TREZOR_UDP: closed }, ["ssh", "pubkey", "satoshi@bcm.example"]);
        expect(r.exitCode).toBe(1);
        expect(r.stderr).toBe(
            `Waiting for the Trezor emulator at ${closed}.\n` +
                "bcm: no Trezor answered: connect and unlock it, or set BCM_DEVICE=mnemonic for the software device (Device_NotFound)\n",
        );
        expect(fs.readdirSync(home)).toEqual([]);
    });

    it("refuses a mnemonic file others may read, naming the file, its mode and the fix", async () => {
        const open = path.join(dir, "open-mnemonic");
        fs.writeFileSync(open, TEST_MNEMONIC + "\n", { mode: 0o644 });
        fs.chmodSync(open, 0o644);
        const r = await bcm({ ...baseEnv(dir), BCM_DEVICE: "mnemonic", BCM_MNEMONIC_FILE: open }, ["ssh", "pubkey", "satoshi@bcm.example"]);
        expect(r.exitCode).toBe(1);
        expect(r.stdout).toBe("");
        expect(r.stderr.split("\n").slice(1)).toEqual([
            `bcm: BCM_MNEMONIC_FILE: permissions 0644 for ${open} are too open (group or others may read or write it): chmod 600 ${open}`,
            "",
        ]);
    });
});

describe("a Trezor's refusals, each in one line with exit 1", () => {
    it("a press refused on the device, on the raw wire (SignIdentity) and through Connect (CipherKeyValue)", async () => {
        await withEmulator({ rejectButtons: true }, async (emulator, home) => {
            const env = { ...baseEnv(home), ...emulator.env };
            const cancelled = "bcm: the request was cancelled on the Trezor: run the command again and confirm on the device (Failure_ActionCancelled)\n";
            const signed = await bcm(env, SIGN);
            expect([signed.exitCode, signed.stdout, signed.stderr]).toEqual([1, "", `Confirm on your Trezor.\n${cancelled}`]);
            const ciphered = await bcm(env, ["device", "cipher-key-value", "--path", "m/10016'/0", "--key", "k", "--value", "00".repeat(16), "--encrypt", "--ask-on-encrypt"]);
            expect([ciphered.exitCode, ciphered.stdout, ciphered.stderr]).toEqual([1, "", `Confirm on your Trezor.\n${cancelled}`]);
        });
    });

    it("a wrong PIN typed at the terminal, then the right one", async () => {
        await withEmulator({ pin: "1234" }, async (emulator, home) => {
            const env = { ...baseEnv(home), ...emulator.env };
            const wrong = await bcmOnTerminal(env, ["ssh", "pubkey", "satoshi@bcm.example"], "4321\r");
            expect(wrong.exitCode).toBe(1);
            expect(wrong.stdout).toContain("Enter the PIN by the positions shown on your Trezor");
            expect(wrong.stdout).toContain("bcm: wrong PIN: run the command again and enter the PIN by the positions the Trezor shows (Failure_PinInvalid)\r\n");
            const right = await bcmOnTerminal(env, ["ssh", "pubkey", "satoshi@bcm.example"], "1234\r");
            expect(right.exitCode).toBe(0);
            expect(right.stdout).toMatch(/^ecdsa-sha2-nistp256 AAAA\S+ <ssh:\/\/satoshi@bcm\.example\|nist256p1>\r$/m);
        });
    });

    it("a PIN asked for with no terminal to type it on", async () => {
        await withEmulator({ pin: "1234" }, async (emulator, home) => {
            // A session of its own: no controlling terminal.
            const r = await bcm({ ...baseEnv(home), ...emulator.env }, ["ssh", "pubkey", "satoshi@bcm.example"], { detached: true });
            expect([r.exitCode, r.stderr]).toEqual([1, "bcm: the Trezor asks for its PIN and there is no terminal to type it on: run the command in a terminal\n"]);
        });
    });
});
