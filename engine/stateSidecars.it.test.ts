import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
import { execa } from "execa";
import { engineEnv, findEngine, homeLayout, openStack, repoRoot } from ".";

// On the real engine: a stack whose checkpoint's sidecar a kill left empty cannot even be
// selected ("failed to load checkpoint: EOF"), and opening it through BCM mends that.
describe("a checkpoint sidecar a killed run left empty", () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-sidecar-"));
    const stackName = `sidecar${process.pid}`;
    const workDir = path.join(repoRoot, "test", "smoke");
    const passphrase = `sidecar-${process.pid}`;

    let stack: Stack | undefined;

    // removeStack also removes the stack's settings file, which the engine writes into test/smoke.
    afterAll(async () => {
        await stack?.workspace.removeStack(stackName).catch(() => undefined);
        fs.rmSync(home, { recursive: true, force: true });
    });

    it("stops the engine at EOF, and BCM's open removes it and opens the stack", async () => {
        const engine = await findEngine();
        stack = await openStack({ workDir, stackName, passphrase, home, engine });
        expect(stack.name).toBe(stackName);
        const { stateDir } = homeLayout(home);
        const checkpoints = fs.readdirSync(path.join(stateDir, ".pulumi", "stacks"), { recursive: true }).map(String).filter((f) => f.endsWith(`${stackName}.json`));
        expect(checkpoints).toHaveLength(1);
        const checkpoint = path.join(stateDir, ".pulumi", "stacks", checkpoints[0]!);
        const before = fs.readFileSync(checkpoint, "utf8");
        // What os.Create leaves when the kill comes before the JSON.
        fs.writeFileSync(`${checkpoint}.attrs`, "");

        const select = await execa(path.join(engine.binDir, "pulumi"), ["stack", "select", "--stack", stackName, "--non-interactive", "--cwd", workDir], {
            env: engineEnv(engine, home, passphrase),
            reject: false,
        });
        expect(select.exitCode).not.toBe(0);
        expect(select.stderr).toContain("failed to load checkpoint: EOF");

        const written: string[] = [];
        const write = process.stderr.write.bind(process.stderr);
        process.stderr.write = ((chunk: string) => (written.push(String(chunk)), true)) as typeof process.stderr.write;
        try {
            stack = await openStack({ workDir, stackName, passphrase, home, engine });
            expect(stack.name).toBe(stackName);
            expect(await stack.exportStack()).toMatchObject({ version: 3 });
        } finally {
            process.stderr.write = write;
        }
        expect(written.join("")).toContain(`[bcm] state: removed ${checkpoint}.attrs`);
        expect(fs.readFileSync(checkpoint, "utf8")).toBe(before);
    }, 120_000);
});
