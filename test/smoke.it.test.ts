import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Stack } from "@pulumi/pulumi/automation";
import { execa } from "execa";
import { Engine, engineEnv, findEngine, homeLayout, openStack, repoRoot, typescriptPlugins } from "../engine";

// The engine check on the project's own engine, with the real providers, against the real
// local dockerd: up, up again with no changes, destroy.
describe("smoke stack on the built engine", () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-smoke-"));
    const stackName = `smoke${process.pid}`;
    const passphrase = "smoke-test-passphrase";
    let engine: Engine;
    let stack: Stack;

    beforeAll(async () => {
        engine = await findEngine();
        stack = await openStack({ workDir: path.join(repoRoot, "test", "smoke"), stackName, passphrase, home, engine });
    });

    afterAll(async () => {
        // Whatever happened above, leave no network behind.
        if (stack) {
            await stack.destroy().catch(() => undefined);
            await stack.workspace.removeStack(stackName).catch(() => undefined);
        }
        fs.rmSync(home, { recursive: true, force: true });
    });

    it("is the pinned CLI with the plugins the SDKs ask for", async () => {
        const env = engineEnv(engine, home, passphrase);
        const version = await execa(path.join(engine.binDir, "pulumi"), ["version"], { env });
        expect(version.stdout.trim()).toBe(`v${engine.cliVersion}`);

        const lock = JSON.parse(fs.readFileSync(path.join(repoRoot, "package-lock.json"), "utf8"));
        const ls = await execa(path.join(engine.binDir, "pulumi"), ["plugin", "ls", "--json"], { env });
        const installed = (JSON.parse(ls.stdout) as { name: string; kind: string; version: string }[])
            .filter((p) => p.kind === "resource")
            .map((p) => `${p.name}@${p.version}`)
            .sort();
        const wanted = [
            ...["command", "docker", "random"].map((n) => `${n}@${lock.packages[`node_modules/@pulumi/${n}`].version}`),
            ...typescriptPlugins.map((p) => `${p.name}@${p.version}`),
        ].sort();
        expect(installed).toEqual(wanted);
    });

    it("goes up with a secret, a command and a docker network", async () => {
        const up = await stack.up();
        expect(up.summary.result).toBe("succeeded");
        expect(up.summary.resourceChanges?.create).toBe(5); // stack, component, three resources

        const outputs = await stack.outputs();
        expect(outputs.secret.secret).toBe(true);
        expect(outputs.secret.value).toMatch(/^[A-Za-z0-9]{24}$/);
        expect(outputs.commandOutput.value.trim()).toBe("24");
        expect(outputs.commandOutput.secret).toBe(true);

        const inspect = await execa("docker", ["network", "inspect", outputs.networkName.value, "--format", "{{.Id}}"]);
        expect(inspect.stdout.trim()).toBe(outputs.networkId.value);

        // The secret is encrypted at rest: the file backend's state never holds it in plaintext.
        const { stateDir } = homeLayout(home);
        const files = (await execa("grep", ["-rl", outputs.secret.value, stateDir], { reject: false })).stdout;
        expect(files).toBe("");
    });

    it("reports no changes on a second up", async () => {
        const again = await stack.up();
        expect(again.summary.result).toBe("succeeded");
        expect(Object.keys(again.summary.resourceChanges ?? {})).toEqual(["same"]);
        expect(again.summary.resourceChanges?.same).toBe(5);
    });

    it("destroys everything it made", async () => {
        const outputs = await stack.outputs();
        const destroyed = await stack.destroy();
        expect(destroyed.summary.result).toBe("succeeded");
        expect(destroyed.summary.resourceChanges?.delete).toBe(5);

        const inspect = await execa("docker", ["network", "inspect", outputs.networkName.value], { reject: false });
        expect(inspect.exitCode).not.toBe(0);
        const state = await stack.exportStack();
        expect(state.deployment.resources ?? []).toHaveLength(0);
    });
});
