import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execa } from "execa";
import { repoRoot } from "../../engine";
import { TEST_MNEMONIC } from "../../device/testing/testMnemonic";

// Ctrl-C as a user presses it: SIGINT to a running `bcm cluster create` while the engine
// previews. The engine is cancelled, bcm exits 130 with a one-line reason, and the half-made
// cluster is not left behind (no stack, nothing on LXD).
describe("bcm and Ctrl-C", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-sigint-"));
    const mnemonicFile = path.join(dir, "mnemonic");
    fs.writeFileSync(mnemonicFile, TEST_MNEMONIC + "\n", { mode: 0o600 });
    const env = { BCM_DEVICE: "mnemonic", BCM_MNEMONIC_FILE: mnemonicFile, BCM_HOME: path.join(dir, "home") };
    const name = `int${process.pid}`;
    const bcm = (...args: string[]) => execa("node", [path.join(repoRoot, "automation", "bin", "bcm.js"), ...args], { cwd: repoRoot, reject: false, env });

    afterAll(async () => {
        await bcm("cluster", "destroy", name);
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("cancels a create cleanly: exit 130, no stack, no profile", async () => {
        const create = bcm("cluster", "create", name, "--local");
        let stderr = "";
        const previewing = new Promise<void>((resolve) => {
            create.stderr!.on("data", (chunk: Buffer) => {
                stderr += chunk.toString();
                if (stderr.includes("previewing")) resolve();
            });
        });
        await Promise.race([previewing, create]);
        create.kill("SIGINT");
        const done = await create;
        expect(done.exitCode).toBe(130);
        expect(done.stderr).toMatch(/^bcm: interrupted: .* cancelled/m);
        const list = await bcm("cluster", "list", "--json");
        expect(JSON.parse(list.stdout).map((c: { name: string }) => c.name)).not.toContain(name);
        const profiles = JSON.parse((await execa("lxc", ["profile", "list", "--format", "json"], { stdin: "ignore" })).stdout) as { name: string; description: string }[];
        expect(profiles.filter((p) => p.description.includes(`cluster ${name}`))).toEqual([]);
    });
});
