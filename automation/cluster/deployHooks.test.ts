import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Stack, UpResult } from "@pulumi/pulumi/automation";
import { Progress } from "../../engine";
import { deployWithPolicy, DeployHooks } from "./deploy";

// A stack whose preview plans `changes` and whose up succeeds or fails: deployWithPolicy's
// order of calls around the update, without an engine (its state is a file backend with no
// lock and no pending operation, so the recovery step finds nothing to do).
const state = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-hooks-"));
afterAll(() => fs.rmSync(state, { recursive: true, force: true }));
function fakeStack(changes: number, upFails?: string): { stack: Stack; calls: string[] } {
    const calls: string[] = [];
    const stack = {
        name: "c1",
        workspace: { envVars: { PULUMI_BACKEND_URL: `file://${state}` }, projectSettings: async () => ({ name: "bcm" }) },
        exportStack: async () => ({ version: 3, deployment: { resources: [], pending_operations: [] } }),
        preview: async (o: { onEvent: (e: unknown) => void }) => {
            calls.push("preview");
            o.onEvent({ summaryEvent: { resourceChanges: { same: 3, update: changes } } });
            return {};
        },
        up: async () => {
            calls.push("up");
            if (upFails) throw new Error(`error: ${upFails}`);
            return { summary: { result: "succeeded" } } as unknown as UpResult;
        },
    } as unknown as Stack;
    return { stack, calls };
}

const settings = (calls: string[], hooks: DeployHooks) => ({
    cluster: "c1",
    what: "up",
    policyConfig: "/dev/null",
    ctx: { say: () => undefined },
    undo: async () => void calls.push("undo"),
    hooks,
});

const recording = (calls: string[], over: Partial<DeployHooks> = {}): DeployHooks => ({
    beforeUpdate: async (n) => void calls.push(`before ${n}`),
    afterUpdate: async () => void calls.push("after"),
    onFailure: async (why) => {
        calls.push(`failure: ${why}`);
        return "rolled back to snapshot s";
    },
    ...over,
});

describe("deployWithPolicy's hooks around the update", () => {
    it("calls before (with the planned changes), the update, then after", async () => {
        const { stack, calls } = fakeStack(2);
        await deployWithPolicy(stack, settings(calls, recording(calls)), new Progress("t"));
        expect(calls).toEqual(["preview", "before 2", "up", "after"]);
    });

    it("a failed update calls onFailure, and the error says what failed and what it did", async () => {
        const { stack, calls } = fakeStack(1, "service btcd did not converge");
        await expect(deployWithPolicy(stack, settings(calls, recording(calls)), new Progress("t"))).rejects.toThrow(
            "cluster c1: up failed: service btcd did not converge; rolled back to snapshot s; fix the cause and run the command again",
        );
        expect(calls).toEqual(["preview", "before 1", "up", "failure: service btcd did not converge"]);
    });

    it("a failed afterUpdate (the health gate) fails the deploy and calls onFailure", async () => {
        const { stack, calls } = fakeStack(1);
        const hooks = recording(calls, { afterUpdate: async () => Promise.reject(new Error("not healthy within 120 s: tor stuck")) });
        await expect(deployWithPolicy(stack, settings(calls, hooks), new Progress("t"))).rejects.toThrow(
            "cluster c1: up failed after the update: not healthy within 120 s: tor stuck; rolled back to snapshot s; fix the cause and run the command again",
        );
        expect(calls).toEqual(["preview", "before 1", "up", "failure: not healthy within 120 s: tor stuck"]);
    });

    it("a before hook that refuses (no space) puts back what the caller changed and never updates", async () => {
        const { stack, calls } = fakeStack(1);
        const hooks = recording(calls, { beforeUpdate: async () => Promise.reject(new Error("storage pool default has 1 GiB free")) });
        await expect(deployWithPolicy(stack, settings(calls, hooks), new Progress("t"))).rejects.toThrow("storage pool default has 1 GiB free");
        expect(calls).toEqual(["preview", "undo"]);
    });
});
