import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execa } from "execa";
import { repoRoot } from "../../engine";
import { TEST_MNEMONIC } from "../../device/testing/testMnemonic";
import { startEmulatorProcess } from "../../device/testing/trezorEmulator/process";

// The `bcm` command as a user runs it (`npx bcm` from the repository root), seeded with the
// firmware tests' public mnemonic, once on the software device and once on a Trezor as bcm
// reaches one (@trezor/connect, the UDP transport) with BCM's emulator, a process of its
// own, behind it. The same assertions hold for both.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-cli-"));
const mnemonicFile = path.join(dir, "mnemonic");
fs.writeFileSync(mnemonicFile, TEST_MNEMONIC + "\n", { mode: 0o600 });
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const devices = [
    {
        name: "the software device",
        start: async () => ({ env: { BCM_DEVICE: "mnemonic", BCM_MNEMONIC_FILE: mnemonicFile }, stop: async () => undefined }),
        answers: /^software device \(BCM_DEVICE=mnemonic\)/,
        notice: `[bcm] software device (BCM_DEVICE=mnemonic ${mnemonicFile}): the keys come from a mnemonic on this computer, not from a Trezor\n`,
    },
    {
        name: "a Trezor over UDP (BCM's emulator)",
        start: () => startEmulatorProcess({ mnemonicFile }),
        answers: /^Trezor Model One \(T1B1\), firmware 1\.13\.1, "BCM emulator", over UDP: an emulator, not a hardware device$/,
        notice: "",
    },
];

describe.each(devices)("bcm device, ssh and gpg commands with $name", ({ start, answers, notice }) => {
    let device: { env: Record<string, string>; stop: () => Promise<void> };
    beforeAll(async () => {
        device = await start();
    });
    afterAll(() => device.stop());
    const bcm = (...args: string[]) =>
        execa("npx", ["--no-install", "bcm", ...args], {
            cwd: repoRoot,
            reject: false,
            env: { ...device.env, BCM_HOME: dir },
        });

    it("says what answered: bcm info asks the device, and only the software device announces itself", async () => {
        const info = await bcm("info", "--json");
        expect(info.exitCode).toBe(0);
        expect(JSON.parse(info.stdout).device).toMatch(answers);
        expect(info.stderr).toBe(notice.trimEnd());
    });

    it("round-trips a value through cipher-key-value", async () => {
        const value = "00112233445566778899aabbccddeeff";
        const enc = await bcm("device", "cipher-key-value", "--path", "m/10016'/0", "--key", "test", "--value", value, "--encrypt");
        expect(enc.exitCode).toBe(0);
        expect(enc.stdout).toMatch(/^[0-9a-f]{32}$/);
        expect(enc.stdout).not.toBe(value);
        const dec = await bcm("device", "cipher-key-value", "--path", "m/10016'/0", "--key", "test", "--value", enc.stdout, "--decrypt");
        expect(dec.stdout).toBe(value);
    });

    it("prints an SSH key that ssh-keygen reads, and the same key every time", async () => {
        const first = await bcm("ssh", "pubkey", "satoshi@bcm.example");
        expect(first.exitCode).toBe(0);
        expect(first.stdout).toMatch(/^ecdsa-sha2-nistp256 AAAA[0-9A-Za-z+/=]+ <ssh:\/\/satoshi@bcm\.example\|nist256p1>$/);
        const keyFile = path.join(fs.mkdtempSync(path.join(dir, "ssh-")), "id.pub");
        fs.writeFileSync(keyFile, first.stdout + "\n");
        const fp = await execa("ssh-keygen", ["-l", "-f", keyFile]);
        expect(fp.stdout).toMatch(/^256 SHA256:\S+ .*\(ECDSA\)$/);
        expect((await bcm("ssh", "pubkey", "satoshi@bcm.example")).stdout).toBe(first.stdout);
    });

    it("prints a GPG key that GnuPG imports", async () => {
        const key = await bcm("gpg", "pubkey", "Satoshi <satoshi@bcm.example>", "--time", "1700000000");
        expect(key.exitCode).toBe(0);
        expect(key.stdout).toMatch(/^-----BEGIN PGP PUBLIC KEY BLOCK-----/);
        const gnupgHome = fs.mkdtempSync(path.join(dir, "gnupg-"));
        const imported = await execa("gpg", ["--homedir", gnupgHome, "--batch", "--import"], { input: key.stdout, reject: false });
        expect(imported.stderr).toMatch(/imported: 1/);
    });

    it("names the bad argument and exits 2 on malformed input", async () => {
        const badPath = await bcm("device", "cipher-key-value", "--path", "m/x", "--key", "k", "--value", "00", "--encrypt");
        expect(badPath.exitCode).toBe(2);
        // The notice (software device only), then one line naming the argument.
        expect(badPath.stderr.startsWith(notice)).toBe(true);
        expect(badPath.stderr.slice(notice.length)).toMatch(/^bcm: --path: [^\n]*$/);
        const badHex = await bcm("device", "cipher-key-value", "--path", "m/1", "--key", "k", "--value", "zz", "--encrypt");
        expect(badHex.exitCode).toBe(2);
        expect(badHex.stderr).toMatch(/--value/);
        const unknown = await bcm("device", "frobnicate");
        expect(unknown.exitCode).toBe(2);
    });

    it("has help for every command", async () => {
        for (const args of [["--help"], ["device", "--help"], ["ssh", "pubkey", "--help"], ["pass", "insert", "--help"], ["git", "tag", "--help"]]) {
            const help = await bcm(...args);
            expect(help.exitCode).toBe(0);
            expect(help.stdout).toMatch(/^Usage: bcm /);
        }
    });
});
