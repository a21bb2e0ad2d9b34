import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execa } from "execa";
import { repoRoot } from "../../engine";
import { TEST_MNEMONIC } from "../../device/testing/testMnemonic";
import { startEmulatorProcess } from "../../device/testing/trezorEmulator/process";

// `bcm init` as a user runs it, with the public test mnemonic on the software device and on
// a Trezor (BCM's emulator over UDP); the results are checked with GnuPG and pass themselves.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-init-"));
const mnemonicFile = path.join(dir, "mnemonic");
fs.writeFileSync(mnemonicFile, TEST_MNEMONIC + "\n", { mode: 0o600 });
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const devices = [
    {
        name: "the software device",
        start: async () => ({ env: { BCM_DEVICE: "mnemonic", BCM_MNEMONIC_FILE: mnemonicFile }, stop: async () => undefined }),
        answers: /^device: software device \(BCM_DEVICE=mnemonic\): keys from a mnemonic in this computer.s memory$/m,
    },
    {
        name: "a Trezor over UDP (BCM's emulator)",
        start: () => startEmulatorProcess({ mnemonicFile }),
        answers: /^device: Trezor Model One \(T1B1\), firmware 1\.13\.1, "BCM emulator", over UDP: an emulator, not a hardware device$/m,
    },
];

describe.each(devices)("bcm init with $name", ({ start, answers }) => {
    const home = fs.mkdtempSync(path.join(dir, "home-"));
    let device: { env: Record<string, string>; stop: () => Promise<void> };
    beforeAll(async () => {
        device = await start();
    });
    afterAll(() => device.stop());
    const bcm = (...args: string[]) =>
        execa("npx", ["--no-install", "bcm", ...args], {
            cwd: repoRoot,
            reject: false,
            env: { ...device.env, BCM_HOME: home },
        });
    const userId = "Satoshi <satoshi@controller>";

    it("asks for the user id, naming the option", async () => {
        const r = await bcm("init");
        expect(r.exitCode).toBe(2);
        expect(r.stderr).toContain("--user-id: give the certificate's user id");
        expect(fs.existsSync(path.join(home, "controller.asc"))).toBe(false);
    });

    it("writes the certificate, a pass store GnuPG and pass accept, the state directory, and finds the engine", async () => {
        const r = await bcm("init", "--user-id", userId);
        expect(r.exitCode).toBe(0);
        expect(r.stdout).toMatch(answers);
        expect(r.stdout).toMatch(/^engine: pulumi 3\.248\.0 in /m);
        const gnupg = path.join(home, "..", `gnupg-${path.basename(home)}`);
        fs.mkdirSync(gnupg, { mode: 0o700 });
        const imported = await execa("gpg", ["--homedir", gnupg, "--batch", "--import", path.join(home, "controller.asc")], { reject: false });
        expect(imported.exitCode).toBe(0);
        const listed = await execa("gpg", ["--homedir", gnupg, "--batch", "--with-colons", "--list-keys"]);
        const fpr = listed.stdout.split("\n").find((l) => l.startsWith("fpr:"))!.split(":")[9];
        expect(listed.stdout).toMatch(/^uid:.*Satoshi/m);
        expect(fs.readFileSync(path.join(home, "password-store", ".gpg-id"), "utf8").trim()).toBe(fpr);
        const ls = await execa("pass", ["ls"], { env: { PASSWORD_STORE_DIR: path.join(home, "password-store"), GNUPGHOME: gnupg }, reject: false });
        expect(ls.exitCode).toBe(0);
        expect(fs.statSync(path.join(home, "state")).isDirectory()).toBe(true);
    });

    it("changes nothing on a second run, and refuses a store made for another key without touching anything", async () => {
        const cert = fs.readFileSync(path.join(home, "controller.asc"), "utf8");
        const again = await bcm("init", "--user-id", userId);
        expect(again.exitCode).toBe(0);
        expect(again.stdout).toContain("(unchanged)");
        const other = await bcm("init", "--user-id", "Other <other@controller>");
        expect(other.exitCode).toBe(2);
        expect(other.stderr).toMatch(/password-store is encrypted to [0-9A-F]{40}, not to this device's key [0-9A-F]{40}/);
        expect(fs.readFileSync(path.join(home, "controller.asc"), "utf8")).toBe(cert);
        expect(fs.readdirSync(home).filter((f) => f.endsWith(".old"))).toEqual([]);
    });
});
