import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Stack } from "@pulumi/pulumi/automation";
import { execa } from "execa";
import { clusterWorkspace } from "../../automation/cluster/workspace";
import { repoRoot } from "../../engine";
import { MnemonicDevice } from "../../device/mnemonicDevice";
import { deriveStackPassphrase } from "../../device/stackPassphrase";
import { TEST_MNEMONIC } from "../../device/testing/testMnemonic";

/** The command lines of every process on the machine. */
function allCommandLines(): string[] {
    return fs
        .readdirSync("/proc")
        .filter((p) => /^\d+$/.test(p))
        .map((p) => {
            try {
                return fs.readFileSync(`/proc/${p}/cmdline`, "utf8").replace(/\0/g, " ");
            } catch {
                return "";
            }
        });
}

// `bcm pulumi -- <args>`: plain Pulumi on a cluster stack with the passphrase from the device
// (software device, public test mnemonic) in the engine's environment only, and the policy
// pack on up and preview. A preview of a bare local cluster only reads this machine's LXD.
describe("bcm pulumi (real engine, software device)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-pulumi-"));
    const home = path.join(dir, "home");
    const mnemonicFile = path.join(dir, "mnemonic");
    const name = `pp${process.pid}`;
    let passphrase: string;
    const bcm = (...args: string[]) =>
        execa("npx", ["--no-install", "bcm", ...args], {
            cwd: repoRoot,
            reject: false,
            stdin: "ignore",
            env: { BCM_DEVICE: "mnemonic", BCM_MNEMONIC_FILE: mnemonicFile, BCM_HOME: home, PULUMI_CONFIG_PASSPHRASE: "" },
        });

    beforeAll(async () => {
        fs.writeFileSync(mnemonicFile, TEST_MNEMONIC + "\n", { mode: 0o600 });
        const device = new MnemonicDevice(TEST_MNEMONIC);
        passphrase = await deriveStackPassphrase(device, name);
        await device.close();
        const stack = await Stack.create(name, await clusterWorkspace(home, passphrase));
        await stack.setConfig("bcm:endpoints", { value: JSON.stringify([{ name: "local", mode: "local" }]) });
    }, 5 * 60_000);

    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("previews the cluster stack with the policy pack, the passphrase on no command line", async () => {
        const seen: string[] = [];
        const timer = setInterval(() => seen.push(...allCommandLines().filter((l) => l.includes(passphrase))), 100);
        let r;
        try {
            r = await bcm("pulumi", "--", "preview", "-s", name);
        } finally {
            clearInterval(timer);
        }
        expect(r.exitCode).toBe(0);
        expect(r.stdout).toMatch(/lxd:index:Profile/);
        // The pack ran: the engine lists it among the policies it enforced.
        expect(r.stdout).toMatch(/Policies:\s*\n\s*\S+\s*bcm@v/);
        expect(seen).toEqual([]);
        // The pack's config is the stack's, written by bcm (hostPaths: the BCM home).
        const config = JSON.parse(fs.readFileSync(path.join(home, "clusters", `${name}.policy.json`), "utf8"));
        expect(config["no-privileged-containers"].hostPaths).toEqual([home]);
    }, 5 * 60_000);

    it("passes other commands through with the passphrase (config is decrypted), and refuses an up without a stack", async () => {
        const config = await bcm("pulumi", "--", "config", "-s", name, "--json");
        expect(config.exitCode).toBe(0);
        expect(JSON.parse(config.stdout)["bcm:endpoints"].value).toContain("local");
        const noStack = await bcm("pulumi", "--", "up", "--yes");
        expect(noStack.exitCode).toBe(2);
        expect(noStack.stderr).toMatch(/^bcm: pulumi up: name the cluster with -s <cluster>/m);
        const bypass = await bcm("pulumi", "--", "up", "-s", name, "--policy-pack-config", "/dev/null");
        expect(bypass.exitCode).toBe(2);
        expect(bypass.stderr).toMatch(/--policy-pack-config: bcm pulumi sets the policy pack's config itself/);
    }, 5 * 60_000);
});
