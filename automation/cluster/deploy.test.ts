import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Stack } from "@pulumi/pulumi/automation";
import { Progress } from "../../engine";
import { lockDirs } from "../../engine/stackLock";
import { deployWithPolicy } from "./deploy";

/** A stack that records the calls deployWithPolicy makes, on a file backend in `state`. */
function fakeStack(state: string, pending: object[] = []) {
    const calls: string[] = [];
    let deployment: Record<string, unknown> = { resources: [], pending_operations: pending };
    const stack = {
        name: "standalone",
        workspace: { envVars: { PULUMI_BACKEND_URL: `file://${state}` }, projectSettings: async () => ({ name: "bcm" }) },
        exportStack: async () => (calls.push("export"), { version: 3, deployment }),
        importStack: async (d: { deployment: Record<string, unknown> }) => {
            calls.push(`import(${JSON.stringify(d.deployment.pending_operations ?? null)})`);
            deployment = d.deployment;
        },
        refresh: async () => (calls.push("refresh"), { summary: { resourceChanges: { same: 3, delete: 1 } } }),
        preview: async () => (calls.push("preview"), {}),
        up: async () => (calls.push("up"), { summary: { result: "succeeded" } }),
    };
    return { stack: stack as unknown as Stack, calls };
}

describe("deployWithPolicy finishes an interrupted run first", () => {
    const state = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-deploy-"));
    afterAll(() => fs.rmSync(state, { recursive: true, force: true }));
    const settings = (lines: string[], extra: object = {}) => ({
        cluster: "standalone", what: "up", policyConfig: "/dev/null", ctx: { say: (l: string) => lines.push(l) }, ...extra,
    });

    it("reads back the resources whose delete was interrupted", async () => {
        const urn = "urn:pulumi:s::bcm::docker:index/service:Service::tor";
        const { stack, calls } = fakeStack(state, [{ type: "deleting", resource: { urn, type: "docker:index/service:Service" } }]);
        const refreshed: unknown[] = [];
        (stack as unknown as { refresh: (o: unknown) => unknown }).refresh = async (o: unknown) => (refreshed.push(o), { summary: { resourceChanges: { delete: 1 } } });
        const lines: string[] = [];
        await deployWithPolicy(stack, settings(lines), new Progress("up", () => undefined));
        expect(refreshed).toEqual([{ target: [urn] }]);
        // The read-back changed the state: it is exported again for the check of objects deleted by hand (vanished.ts).
        expect(calls).toEqual(["export", "import(null)", "export", "preview", "up"]);
        expect(lines).toContain("[bcm up] stack standalone: read back 1 resource(s) whose delete was interrupted: 1 already gone, 0 still there");
    });

    it("drops pending operations, refreshes when asked, then previews and updates, in that order", async () => {
        const { stack, calls } = fakeStack(state, [{ type: "creating", resource: { urn: "urn:pulumi:s::bcm::docker:index/service:Service::registry", type: "docker:index/service:Service" } }]);
        const lines: string[] = [];
        await deployWithPolicy(stack, settings(lines, { refresh: true }), new Progress("up", () => undefined));
        expect(calls).toEqual(["export", "import(null)", "refresh", "preview", "up"]);
        expect(lines.filter((l) => /interrupted|refreshed/.test(l))).toEqual([
            // The docker create's half-made object is looked for before the drop (dockerRecovery.ts); this one names none.
            '[bcm up] stack standalone: docker service registry (create interrupted): not checked, its inputs name no object; if the run fails "already exists", remove it by hand',
            "[bcm up] stack standalone: 1 operation(s) interrupted by an earlier run (creating docker:index/service:Service registry) dropped from the state; this run does them again",
            "[bcm up] refreshed standalone: the state now says 1 delete (drift found)",
        ]);
    });

    it("clears a lock whose holder is gone, and stops before the preview (putting back what the caller changed) on a lock still held", async () => {
        const dir = lockDirs(state, "bcm", "standalone")[0];
        fs.mkdirSync(dir, { recursive: true });
        // pid_max is at most 4194304: this pid never exists.
        fs.writeFileSync(path.join(dir, "gone.json"), JSON.stringify({ pid: 4_194_999, username: "root", hostname: os.hostname(), timestamp: new Date().toISOString() }));
        let run = fakeStack(state);
        const lines: string[] = [];
        await deployWithPolicy(run.stack, settings(lines), new Progress("up", () => undefined));
        expect(lines.some((l) => /cleared the lock of an interrupted run \(pid 4194999, since .*\): its process 4194999 no longer exists/.test(l))).toBe(true);
        expect(fs.readdirSync(dir)).toEqual([]);

        fs.writeFileSync(path.join(dir, "live.json"), JSON.stringify({ pid: process.pid, username: "root", hostname: os.hostname(), timestamp: new Date().toISOString() }));
        run = fakeStack(state);
        let undone = false;
        await expect(deployWithPolicy(run.stack, { ...settings([]), undo: async () => void (undone = true) }, new Progress("up", () => undefined))).rejects.toThrow(
            new RegExp(`^stack standalone is being changed by another run \\(pid ${process.pid}, since .*\\); wait for it to end, then run the command again$`),
        );
        expect(run.calls).toEqual([]);
        expect(undone).toBe(true);
        expect(fs.readdirSync(dir)).toEqual(["live.json"]);
    });
});
