import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execa } from "execa";
import { repoRoot } from "../../engine";
import { TEST_MNEMONIC } from "../../device/testing/testMnemonic";

// `bcm stack` as a user runs it: a real process on the project's engine and this machine's
// LXD. Tor stays offline (DisableNetwork 1). The data center's names are fixed, so the test
// suite holds /tmp/bcm-datacenter.lock (scripts/test.sh).
describe("bcm stack", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-stack-"));
    const mnemonicFile = path.join(dir, "mnemonic");
    fs.writeFileSync(mnemonicFile, TEST_MNEMONIC + "\n", { mode: 0o600 });
    const home = path.join(dir, "home");
    const cluster = `st${process.pid}`;
    const bcm = (...args: string[]) =>
        execa("npx", ["--no-install", "bcm", ...args], {
            cwd: repoRoot,
            reject: false,
            env: { BCM_DEVICE: "mnemonic", BCM_MNEMONIC_FILE: mnemonicFile, BCM_HOME: home },
        });
    const containers = async () => (await execa("lxc", ["list", "--format", "csv", "-c", "n", "^bcm-gateway-"], { stdin: "ignore" })).stdout.trim();

    beforeAll(async () => {
        if ((await containers()) !== "") throw new Error("a data center exists on this LXD already: destroy it first (npm run up -- --destroy)");
        const created = await bcm("cluster", "create", cluster, "--local");
        if (created.exitCode !== 0) throw new Error(`bcm cluster create failed: ${created.stderr}`);
    }, 10 * 60_000);

    afterAll(async () => {
        await bcm("stack", "remove", "gateway", "--cluster", cluster);
        await bcm("cluster", "destroy", cluster);
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("has help and refuses bad input before any engine starts, naming the option", async () => {
        for (const args of [["stack", "--help"], ["stack", "deploy", "--help"], ["stack", "remove", "--help"], ["stack", "list", "--help"]]) {
            const help = await bcm(...args);
            expect(help.exitCode).toBe(0);
            expect(help.stdout).toMatch(/^Usage: bcm stack/);
        }
        const noCluster = await bcm("stack", "deploy", "gateway");
        expect(noCluster.exitCode).toBe(2);
        expect(noCluster.stderr).toContain("required option '--cluster <name>' not specified");
        const badTier = await bcm("stack", "deploy", "Gate", "--cluster", cluster);
        expect(badTier.exitCode).toBe(2);
        expect(badTier.stderr).toContain('tier "Gate": a tier name is 1-16 lower-case letters');
        const badTor = await bcm("stack", "deploy", "gateway", "--cluster", cluster, "--tor", "onion");
        expect(badTor.exitCode).toBe(2);
        expect(badTor.stderr).toContain("Allowed choices are public, offline");
    });

    it("says which Tor network is missing and leaves the cluster as it was", async () => {
        const noTor = await bcm("stack", "deploy", "gateway", "--cluster", cluster);
        expect(noTor.exitCode).toBe(2);
        expect(noTor.stderr).toContain("has no Tor network yet: give --tor public (the Tor network) or --tor offline");
        expect((await bcm("stack", "list", "--cluster", cluster)).stdout).toContain("no tiers on cluster");
        expect(await containers()).toBe("");
    });

    it("deploys the gateway with the policy pack, lists it, and removes it again", async () => {
        const deployed = await bcm("stack", "deploy", "gateway", "--cluster", cluster, "--tor", "offline");
        expect(deployed.stderr).toContain("previewing");
        expect(deployed.exitCode).toBe(0);
        expect(deployed.stdout).toMatch(/tier gateway is up on cluster .*\n\ngateway +bcm-gateway-01 {2}10\.\d+\.\d+\.\d+/);
        expect(await containers()).toBe("bcm-gateway-01");
        const show = await bcm("show", cluster);
        expect(show.exitCode).toBe(0);
        expect(show.stdout).toMatch(/^ {2}bcm-gateway-01 +Running +10\./m);
        expect(show.stdout).toMatch(/^ {2}node {5}bcm-gateway-01 Ready Leader$/m);
        expect(show.stdout).toMatch(/^ {2}service {2}registry 1\/1 127\.0\.0\.1:5010\/bcm\/registry/m);
        expect(show.stdout).toMatch(/^ {2}service {2}tor 1\/1 127\.0\.0\.1:5010\/bcm\/tor.*@sha256:/m);
        const list = await bcm("stack", "list", "--cluster", cluster, "--json");
        expect(JSON.parse(list.stdout)).toEqual([{ tier: "gateway", placement: {} }]);

        // stop and start: the containers stop with their data kept, and the swarm comes back.
        const stopped = await bcm("cluster", "stop", cluster);
        expect(stopped.exitCode).toBe(0);
        expect(stopped.stdout).toContain("local/bcm-gateway-01: stopped");
        expect((await execa("lxc", ["list", "--format", "csv", "-c", "s", "^bcm-gateway-01$"], { stdin: "ignore" })).stdout.trim()).toBe("STOPPED");
        const started = await bcm("cluster", "start", cluster);
        expect(started.exitCode).toBe(0);
        expect(started.stdout).toContain("local/bcm-gateway-01: started");
        let back = "";
        for (let i = 0; i < 60 && !/registry 1\/1/.test(back); i++) {
            await new Promise((r) => setTimeout(r, 2000));
            back = (await bcm("show", cluster)).stdout;
        }
        expect(back).toMatch(/^ {2}service {2}registry 1\/1 /m);

        const notThere = await bcm("stack", "remove", "kafka", "--cluster", cluster);
        expect(notThere.exitCode).toBe(2);
        expect(notThere.stderr).toContain("tier kafka is not deployed on this cluster (deployed: gateway)");

        const removed = await bcm("stack", "remove", "gateway", "--cluster", cluster);
        expect(removed.exitCode).toBe(0);
        expect(await containers()).toBe("");
        expect((await bcm("stack", "list", "--cluster", cluster)).stdout).toContain("no tiers on cluster");
    });

    it("culls only what this cluster made and its stack no longer holds, and only with --yes", async () => {
        const lxc = (...args: string[]) => execa("lxc", args, { stdin: "ignore" });
        await lxc("init", "--empty", "bcm-orphan-01", "-c", `user.bcm.cluster=${cluster}`);
        await lxc("storage", "volume", "create", "default", "bcm-orphan-01-docker", `user.bcm.cluster=${cluster}`);
        await lxc("init", "--empty", "bcm-other-01", "-c", "user.bcm.cluster=another");
        try {
            const listed = await bcm("cluster", "cull", cluster);
            expect(listed.exitCode).toBe(0);
            expect(listed.stdout).toContain("orphan  local  instance  bcm-orphan-01");
            expect(listed.stdout).toContain("orphan  local  volume  default/bcm-orphan-01-docker");
            expect(listed.stdout).not.toContain("bcm-other-01");
            expect((await lxc("list", "--format", "csv", "-c", "n", "^bcm-orphan-01$")).stdout.trim()).toBe("bcm-orphan-01");
            const culled = await bcm("cluster", "cull", cluster, "--yes");
            expect(culled.exitCode).toBe(0);
            expect((await lxc("list", "--format", "csv", "-c", "n", "^bcm-orphan-01$")).stdout.trim()).toBe("");
            expect((await lxc("list", "--format", "csv", "-c", "n", "^bcm-other-01$")).stdout.trim()).toBe("bcm-other-01");
            expect((await bcm("cluster", "cull", cluster)).stdout).toContain("nothing to cull");
        } finally {
            await execa("lxc", ["delete", "-f", "bcm-orphan-01"], { reject: false, stdin: "ignore" });
            await execa("lxc", ["storage", "volume", "delete", "default", "bcm-orphan-01-docker"], { reject: false, stdin: "ignore" });
            await execa("lxc", ["delete", "-f", "bcm-other-01"], { reject: false, stdin: "ignore" });
        }
    });
});
