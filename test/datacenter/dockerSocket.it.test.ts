import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Stack } from "@pulumi/pulumi/automation";
import { execa } from "execa";
import { openStack, repoRoot } from "../../engine";
import { policyDir, writePolicyConfig } from "../../automation/cluster/policyConfig";
import { waitFor } from "../testing/support";

// The operator's Docker socket (the one BCM prints as DOCKER_HOST) carries every docker
// command: exec and attach with and without -t, stdin included, with the command's output
// and exit code. An LXD proxy device lost those (its relay closes both directions when the
// client half-closes); the gateway's InstanceSocket forwarder does not. Gateway tier only,
// Tor offline; holds /tmp/bcm-datacenter.lock through scripts/test.sh.
describe("the operator's Docker socket (real engine, LXD, Swarm)", () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-sock-"));
    const socketDir = path.join(home, "sockets");
    const socket = path.join(socketDir, "bcm-gateway-01.sock");
    const stackName = `sock${process.pid}`;
    let stack: Stack;
    let policy: { policyPacks: string[]; policyPackConfigs: string[] };
    let host: string;
    let task: string;
    let toolbox: string;
    /** docker -H <the socket> …, never throwing: tests look at stdout, stderr and the exit code. */
    const docker = (args: string[], input?: string) => execa("docker", ["-H", host, ...args], { reject: false, ...(input !== undefined ? { input } : { stdin: "ignore" as const }) });
    const forwarders = async () => (await execa("pgrep", ["-f", `bcm-docker-forward -listen ${socket} `], { reject: false })).stdout.split("\n").filter((l) => l !== "");

    beforeAll(async () => {
        const existing = await execa("lxc", ["list", "--format", "csv", "-c", "n", "^bcm-"], { stdin: "ignore" });
        if (existing.stdout.trim() !== "") throw new Error(`system containers already exist on this LXD (${existing.stdout.trim()}): destroy that data center first`);
        stack = await openStack({ workDir: repoRoot, stackName, passphrase: "sock-test-passphrase", home });
        const config: Record<string, string> = {
            "bcm:endpoints": JSON.stringify([{ name: "local", mode: "local" }]),
            "bcm:tiers": JSON.stringify({ gateway: {} }),
            "bcm:tor": JSON.stringify({ network: "offline" }),
            "bcm:dockerSocketDir": socketDir,
        };
        await stack.setAllConfig(Object.fromEntries(Object.entries(config).map(([k, value]) => [k, { value }])));
        policy = { policyPacks: [policyDir], policyPackConfigs: [writePolicyConfig(home, stackName, undefined, config)] };
        const up = await stack.up({ ...policy, onOutput: (l) => process.env.BCM_TEST_VERBOSE && process.stdout.write(l) });
        expect(up.summary.result).toBe("succeeded");
        const dc = (await stack.outputs()).dataCenter.value as { dockerHost: string; images: { toolbox: string } };
        host = dc.dockerHost;
        toolbox = dc.images.toolbox;
        task = await waitFor("the registry's task container", 120, async () => {
            const ps = await docker(["ps", "-q", "--filter", "label=com.docker.swarm.service.name=registry"]);
            return ps.stdout.trim().split("\n")[0] || undefined;
        });
    }, 20 * 60_000);

    afterAll(async () => {
        if (stack) {
            await stack.destroy().catch(() => undefined);
            await stack.workspace.removeStack(stackName).catch(() => undefined);
        }
        fs.rmSync(home, { recursive: true, force: true });
    });

    it("is a root-only unix socket on the host, served by one forwarder", async () => {
        expect(host).toBe(`unix://${socket}`);
        const st = fs.statSync(socket);
        expect(st.isSocket()).toBe(true);
        expect(st.mode & 0o777).toBe(0o600);
        expect(st.uid).toBe(0);
        expect(fs.statSync(socketDir).mode & 0o077).toBe(0);
        expect(await forwarders()).toHaveLength(1);
    });

    it("returns exec's output and exit code, with and without -t, and passes stdin on", async () => {
        const ok = await docker(["exec", task, "echo", "ok"]);
        expect([ok.exitCode, ok.stdout, ok.stderr]).toEqual([0, "ok", ""]);
        const failing = await docker(["exec", task, "sh", "-c", "echo out; echo err >&2; exit 3"]);
        expect([failing.exitCode, failing.stdout, failing.stderr]).toEqual([3, "out", "err"]);
        const tty = await docker(["exec", "-t", task, "sh", "-c", "echo ok; exit 4"]);
        expect([tty.exitCode, tty.stdout.replace(/\r/g, "")]).toEqual([4, "ok"]);
        const stdin = await docker(["exec", "-i", task, "sh", "-c", "cat; exit 5"], "through stdin\n");
        expect([stdin.exitCode, stdin.stdout]).toEqual([5, "through stdin"]);
    });

    it("returns attach's output and exit code (docker run, docker attach), stdin included", async () => {
        const run = await docker(["run", "--rm", "-i", toolbox, "sh", "-c", "read l; echo got $l; exit 6"], "hello\n");
        expect([run.exitCode, run.stdout]).toEqual([6, "got hello"]);
        const name = `attach-${process.pid}`;
        try {
            await docker(["run", "-d", "--name", name, toolbox, "sh", "-c", "sleep 3; echo attached; exit 7"]);
            const attach = await docker(["attach", "--no-stdin", name]);
            expect([attach.exitCode, attach.stdout]).toEqual([7, "attached"]);
            await docker(["rm", "-f", name]);
            // Docker ends an attach when the client's stdin ends (for a container not started
            // with stdin-once, on its own socket too): stdin stays open until the answer is in.
            await docker(["run", "-d", "-i", "--name", name, toolbox, "sh", "-c", "read l; echo attached $l; sleep 2; exit 8"]);
            const p = execa("docker", ["-H", host, "attach", name], { reject: false });
            let out = "";
            p.stdout!.on("data", (b: Buffer) => {
                out += b.toString();
                if (out.includes("attached again")) p.stdin!.end();
            });
            p.stdin!.write("again\n");
            const done = await p;
            expect([done.exitCode, done.stdout]).toEqual([8, "attached again"]);
        } finally {
            await docker(["rm", "-f", name]);
        }
    });

    it("is started again by the next up when its forwarder is gone (a reboot, a kill)", async () => {
        for (const pid of await forwarders()) process.kill(Number(pid), "SIGKILL");
        expect((await docker(["version", "--format", "{{.Server.Version}}"])).exitCode).not.toBe(0);
        const up = await stack.up(policy);
        expect(up.summary.resourceChanges).toMatchObject({ update: 1 });
        expect((await docker(["exec", task, "echo", "back"])).stdout).toBe("back");
        const again = await stack.up(policy);
        expect(Object.keys(again.summary.resourceChanges ?? {})).toEqual(["same"]);
    });

    it("is gone with the data center: no socket, no forwarder", async () => {
        await stack.destroy();
        expect(fs.existsSync(socket)).toBe(false);
        expect(await forwarders()).toEqual([]);
    });
});
