import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import { execa } from "execa";
import { Engine, engineEnv, findEngine, installPlugins, recoverInterruptedRun, repoRoot } from "../engine";
import { policyDir, writePolicyConfig } from "../automation/cluster/policyConfig";
import { plainProperty } from "../automation/cluster/dockerRecovery";
import { waitFor } from "./testing/support";
import { markerVariable, processesWithMarker, roleOf, waitForNoProcesses } from "./testing/processes";

// SIGKILL of the engine in the middle of an `up` on the real engine, LXD and dockerd, with a
// resource of every plugin (random, lxd, docker, command) and the policy pack running:
// every process of that run (language host, program, policy pack, each plugin, the command
// it was running) is gone within seconds, and the next run finishes what was left.
const secondsAllowed = 10;

describe("a killed engine leaves nothing running, and the next run finishes (real engine, LXD, dockerd)", () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-orphans-"));
    const stackName = `orph${process.pid}`;
    const marker = `orphans-${process.pid}-${Date.now()}`;
    const holdFile = path.join(home, "hold-delete");
    let engine: Engine;
    let stack: Stack;
    let policy: { policyPacks: string[]; policyPackConfigs: string[] };

    beforeAll(async () => {
        engine = await findEngine();
        const envVars: Record<string, string> = { ...engineEnv(engine, home, "orphans-test-passphrase"), [markerVariable]: marker };
        fs.mkdirSync(envVars.PULUMI_HOME, { recursive: true });
        fs.mkdirSync(new URL(envVars.PULUMI_BACKEND_URL).pathname, { recursive: true });
        await installPlugins(engine, envVars);
        const pulumiCommand = await PulumiCommand.get({ root: engine.dir });
        stack = await LocalWorkspace.createOrSelectStack({ stackName, workDir: path.join(repoRoot, "test", "orphans") }, { pulumiCommand, envVars });
        await stack.setConfig("holdSeconds", { value: "300" });
        policy = { policyPacks: [policyDir], policyPackConfigs: [writePolicyConfig(home, stackName, undefined)] };
    });

    afterAll(async () => {
        if (stack) {
            await recoverInterruptedRun(stack, () => undefined).catch(() => undefined);
            await stack.destroy().catch(() => undefined);
            await stack.workspace.removeStack(stackName).catch(() => undefined);
        }
        // Whatever failed above: nothing of this test stays on the daemons.
        await execa("lxc", ["profile", "delete", `bcm-orphans-${stackName}`], { reject: false, stdin: "ignore" });
        await execa("docker", ["network", "rm", `bcm-orphans-${stackName}`], { reject: false });
        for (const p of processesWithMarker(marker)) {
            try {
                process.kill(p.pid, "SIGKILL");
            } catch {
                // gone
            }
        }
        fs.rmSync(home, { recursive: true, force: true });
    });

    it(`ends the language host, the program, the policy pack, every plugin and the running command within ${secondsAllowed}s of the engine's SIGKILL`, async () => {
        const up = stack.up(policy).then(
            () => "finished",
            (err: unknown) => (err instanceof Error ? err.message : String(err)),
        );
        const wanted = ["engine", "language host", "program", "policy pack", "LXD provider", "command plugin", "random plugin", "docker plugin", "sleep"];
        const running = await waitFor("every plugin running and the command sleeping", 300, async () => {
            const procs = processesWithMarker(marker);
            const roles = new Set(procs.map(roleOf));
            return wanted.every((w) => roles.has(w)) ? procs : undefined;
        });
        const pulumi = running.find((p) => roleOf(p) === "engine")!;
        process.kill(pulumi.pid, "SIGKILL");
        const killedAt = Date.now();
        expect(await up).not.toBe("finished");

        const left = await waitForNoProcesses(marker, secondsAllowed);
        const took = (Date.now() - killedAt) / 1000;
        expect(left.map((p) => `${roleOf(p)} (pid ${p.pid}): ${p.cmdline.slice(0, 120)}`)).toEqual([]);
        process.stdout.write(`[orphans] ${running.length} processes of the run (${[...new Set(running.map(roleOf))].join(", ")}) all gone ${took.toFixed(1)}s after the engine's SIGKILL\n`);
    }, 10 * 60_000);

    it("finishes on the next run: the stale lock and the pending operations are cleared, each said in one line", async () => {
        // A pending create's secret input, as recovery reads it (dockerRecovery's plainProperty:
        // a half-made Swarm secret's name is one): the engine exports it decrypted.
        const pending = ((await stack.exportStack()).deployment?.pending_operations ?? []) as { resource: { urn: string; inputs?: { environment?: Record<string, unknown> } } }[];
        const slowCreate = pending.find((o) => o.resource.urn.endsWith("::slow"));
        expect(plainProperty(slowCreate?.resource.inputs?.environment?.SECRET)).toMatch(/^[A-Za-z0-9]{16}$/);
        const lines: string[] = [];
        const r = await recoverInterruptedRun(stack, (l) => lines.push(l));
        expect(r.clearedLocks).toBe(1);
        expect(r.droppedOperations).toBeGreaterThanOrEqual(1);
        expect(lines[0]).toMatch(new RegExp(`^stack ${stackName}: cleared the lock of an interrupted run \\(pid \\d+, since .*\\): its process \\d+ no longer exists$`));
        expect(lines[1]).toMatch(/operation\(s\) interrupted by an earlier run \(.*creating command:local:Command slow.*\) dropped from the state/);
        // Nothing is left to clear the second time.
        expect(await recoverInterruptedRun(stack, (l) => lines.push(l))).toMatchObject({ clearedLocks: 0, droppedOperations: 0 });
        await stack.setConfig("holdSeconds", { value: "0" });
        await stack.setConfig("holdFile", { value: holdFile });
        const up = await stack.up(policy);
        expect(up.summary.result).toBe("succeeded");
        const again = await stack.up(policy);
        expect(Object.keys(again.summary.resourceChanges ?? {})).toEqual(["same"]);
    }, 10 * 60_000);

    it("finishes a destroy killed in the middle of a delete: the resource is read back, the next destroy deletes the rest", async () => {
        fs.writeFileSync(holdFile, "");
        const destroy = stack.destroy().then(
            () => "finished",
            (err: unknown) => (err instanceof Error ? err.message : String(err)),
        );
        const pulumi = await waitFor("the delete command running", 300, async () => {
            const procs = processesWithMarker(marker);
            return procs.some((p) => roleOf(p) === "sleep") ? procs.find((p) => roleOf(p) === "engine") : undefined;
        });
        process.kill(pulumi.pid, "SIGKILL");
        expect(await destroy).not.toBe("finished");
        expect(await waitForNoProcesses(marker, secondsAllowed)).toEqual([]);
        fs.rmSync(holdFile);

        const lines: string[] = [];
        expect(await recoverInterruptedRun(stack, (l) => lines.push(l))).toMatchObject({ clearedLocks: 1, droppedOperations: 1 });
        expect(lines[1]).toMatch(/1 operation\(s\) interrupted by an earlier run \(deleting command:local:Command slow\)/);
        expect(lines[2]).toBe(`stack ${stackName}: read back 1 resource(s) whose delete was interrupted: 0 already gone, 1 still there`);
        const done = await stack.destroy();
        expect(done.summary.result).toBe("succeeded");
        expect((await execa("lxc", ["profile", "show", `bcm-orphans-${stackName}`], { reject: false, stdin: "ignore" })).exitCode).not.toBe(0);
        expect((await execa("docker", ["network", "inspect", `bcm-orphans-${stackName}`], { reject: false })).exitCode).not.toBe(0);
    }, 10 * 60_000);
});
