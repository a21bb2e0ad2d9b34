import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execa } from "execa";
import { repoRoot } from "../../automation/engine";
import { TEST_MNEMONIC } from "../../automation/identity/testing/test-mnemonic";

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
        expect(deployed.stdout).toMatch(/tier gateway is up on cluster .*\n {2}bcm-gateway-01 {2}10\.\d+\.\d+\.\d+/);
        expect(await containers()).toBe("bcm-gateway-01");
        const list = await bcm("stack", "list", "--cluster", cluster, "--json");
        expect(JSON.parse(list.stdout)).toEqual([{ tier: "gateway", placement: {} }]);

        const notThere = await bcm("stack", "remove", "kafka", "--cluster", cluster);
        expect(notThere.exitCode).toBe(2);
        expect(notThere.stderr).toContain("tier kafka is not deployed on this cluster (deployed: gateway)");

        const removed = await bcm("stack", "remove", "gateway", "--cluster", cluster);
        expect(removed.exitCode).toBe(0);
        expect(await containers()).toBe("");
        expect((await bcm("stack", "list", "--cluster", cluster)).stdout).toContain("no tiers on cluster");
    });
});
