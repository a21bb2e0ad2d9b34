import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Stack } from "@pulumi/pulumi/automation";
import { execa } from "execa";
import { openStack, repoRoot } from "../../engine";
import { policyDir, writePolicyConfig } from "../../automation/cluster/policyConfig";
import { clusterWorkDir } from "../../automation/cluster/workdir";
import { prepareDeploy } from "../../automation/cluster/deviceValues";
import { TEST_MNEMONIC } from "../../device/testing/testMnemonic";
import { waitFor } from "../testing/support";
import { readDataCenterSpec } from "../../components/datacenter/dataCenterSpec";
import { deployWithPolicy } from "../../automation/cluster/deploy";
import { plainConfig } from "../../automation/cluster/workspace";
import { currentConfigText, snapshotHooks } from "../../automation/snapshots/hooks";
import { Progress } from "../../engine";
import { freePort, startTorNetwork, TorNetwork } from "../tornet";

// Living with a data center, on one deploy of the gateway, kafka and bitcoin tiers (regtest)
// on a private Tor network: `bcm health` reads it (and goes FAIL when the node stops, a volume
// fills past its threshold, Tor cannot bootstrap, and back to OK when fixed), `bcm backup`
// takes an encrypted backup that `verify` accepts and refuses once changed, the cluster is
// destroyed with its volumes and `bcm backup restore` makes it again: the same onion
// addresses, the same lnd node with its wallet and channel database (an invoice made before
// the backup is there after the restore).
const bridge = "10.218.0.1";
const chainVolume = "bcm-bitcoin-01-chain-regtest";

async function inTask(container: string, service: string, script: string): Promise<string> {
    const r = await execa(
        "lxc",
        [
            "exec", container, "--", "sh", "-c",
            `t="$(docker ps -q --filter label=com.docker.swarm.service.name=${service} | head -n 1)"; [ -n "$t" ] || { echo "no task of ${service}" >&2; exit 1; }; exec docker exec -i "$t" bash -c "$0"`,
            script,
        ],
        { stdin: "ignore" },
    );
    return r.stdout.trim();
}
const lncli = (args: string) => inTask("bcm-bitcoin-01", "lnd-regtest", `lncli --network=regtest --lnddir=/var/lib/lnd ${args}`);
const btcctl = (args: string) => inTask("bcm-bitcoin-01", "btcd-regtest", `btcctl --configfile=/run/secrets/btcctl.conf ${args}`);
/**
 * btcd wipes its regtest chain whenever it starts (by design), and lnd counts as synced only
 * behind a recent tip: after any restart, btcd mines past lnd's height (lnd follows the short
 * reorg), so lnd can be judged synced again.
 */
async function catchUp(): Promise<void> {
    const lndHeight = (JSON.parse(await lncli("getinfo")) as { block_height: number }).block_height;
    const count = Number(await btcctl("getblockcount"));
    if (count <= lndHeight) await btcctl(`generate ${lndHeight - count + 1} >/dev/null`);
}
const volumeExists = async (name: string) => (await execa("lxc", ["storage", "volume", "show", "default", `custom/${name}`], { reject: false, stdin: "ignore" })).exitCode === 0;

interface Health {
    status: string;
    verdicts: { tier: string; check: string; level: string; reason: string }[];
    notes: string[];
}

describe("backups, restore and health on a data center (real engine, LXD, Swarm, private Tor network)", () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-br-"));
    const stackName = `br${process.pid}`;
    const mnemonicFile = path.join(home, "mnemonic");
    const env = { BCM_HOME: home, PULUMI_CONFIG_PASSPHRASE: "br-test-passphrase", BCM_DEVICE: "mnemonic", BCM_MNEMONIC_FILE: mnemonicFile };
    const bcm = (...args: string[]) => execa("npx", ["--no-install", "bcm", ...args], { cwd: repoRoot, reject: false, stdin: "ignore", env });
    const health = async (...flags: string[]) => {
        const r = await bcm("health", "--cluster", stackName, "--json", ...flags);
        const report = JSON.parse(r.stdout) as Health;
        const line = (check: RegExp) => report.verdicts.find((v) => check.test(v.check));
        return { exitCode: r.exitCode, stderr: r.stderr, report, line };
    };
    let tornet: TorNetwork;
    /** Stops or continues the private network's Tor processes (this test's own, by their ids). */
    const signalTornet = async (signal: "STOP" | "CONT") => {
        const pids = (await execa("pgrep", ["-f", `${tornet.dir}/`], { reject: false })).stdout.split("\n").filter((p) => /^\d+$/.test(p));
        if (pids.length === 0) throw new Error(`no process of the private Tor network (${tornet.dir}) found`);
        await execa("kill", [`-${signal}`, ...pids]);
    };
    let upstream: { name: string; port: number } | undefined;
    let stack: Stack;
    let dc: Record<string, any>;
    let backupDir = "";
    const before: { onions: Record<string, string>; identity: string; invoice: string; rHash: string } = { onions: {}, identity: "", invoice: "", rHash: "" };

    beforeAll(async () => {
        const existing = await execa("lxc", ["list", "--format", "csv", "-c", "n", "^bcm-"], { stdin: "ignore" });
        if (existing.stdout.trim() !== "") throw new Error(`system containers already exist on this LXD (${existing.stdout.trim()}): destroy that data center first`);
        if (await volumeExists(chainVolume)) throw new Error(`${chainVolume} is left from an earlier run: delete it (lxc storage volume delete default ${chainVolume})`);
        tornet = await startTorNetwork({ address: bridge, names: {} });
        const images = JSON.parse((await execa("bash", [path.join(repoRoot, "images", "docker", "build.sh"), "--print"])).stdout.trim().split("\n").pop()!);
        upstream = { name: `bcm-it-br-upstream-${process.pid}`, port: await freePort(bridge) };
        await execa("docker", ["run", "-d", "--name", upstream.name, "-p", `${bridge}:${upstream.port}:5000`, images.registry]);
        stack = await openStack({ workDir: clusterWorkDir(home), stackName, passphrase: env.PULUMI_CONFIG_PASSPHRASE, home });
        let config: Record<string, string> = {
            "bcm:endpoints": JSON.stringify([{ name: "local", mode: "local" }]),
            "bcm:tiers": JSON.stringify({ gateway: {}, kafka: {}, bitcoin: {} }),
            "bcm:tor": JSON.stringify({ network: "private", dirAuthorities: tornet.dirAuthorityLines }),
            "bcm:chain": "regtest",
            "bcm:kafka": JSON.stringify({ topics: [{ name: "e2e", partitions: 2 }] }),
            // Not kept: destroy deletes the chain volume, as a lost machine would.
            "bcm:bitcoin": JSON.stringify({ keepChainData: false }),
            "bcm:dockerSocketDir": path.join(home, "sock"),
            "bcm:registryMirrorUpstream": `http://${bridge}:${upstream.port}`,
            // An update has two minutes to be healthy before it is rolled back.
            "bcm:snapshots": JSON.stringify({ keep: 2, healthSeconds: 120 }),
        };
        await stack.setAllConfig(Object.fromEntries(Object.entries(config).map(([k, value]) => [k, { value }])));
        fs.writeFileSync(mnemonicFile, TEST_MNEMONIC, { mode: 0o600 });
        config = await prepareDeploy(stack, config, { home, env: { ...process.env, ...env }, say: () => undefined, createControllerKey: true });
        const r = await stack.up({ policyPacks: [policyDir], policyPackConfigs: [writePolicyConfig(home, stackName, undefined, config)], onOutput: (l) => process.env.BCM_TEST_VERBOSE && process.stdout.write(l) });
        expect(r.summary.result).toBe("succeeded");
        dc = (await stack.outputs()).dataCenter.value;
    }, 20 * 60_000);

    afterAll(async () => {
        // Tor's network may have been frozen by a test: let it go before stopping it.
        if (tornet) await signalTornet("CONT").catch(() => undefined);
        const destroy = await bcm("cluster", "destroy", stackName);
        if (destroy.exitCode !== 0 && stack) await stack.destroy().catch(() => undefined);
        await execa("lxc", ["storage", "volume", "delete", "default", chainVolume], { reject: false, stdin: "ignore" });
        await tornet?.stop();
        if (upstream) await execa("docker", ["rm", "-f", upstream.name], { reject: false });
        fs.rmSync(home, { recursive: true, force: true });
    }, 10 * 60_000);

    it("bcm health: every check of a fresh data center, nothing FAIL; the public onion services answer through Tor", async () => {
        // lnd makes its wallet on the first start; Tor publishes the descriptors: wait for both to settle.
        await waitFor("lnd synced to the chain", 300, async () => {
            await catchUp();
            return (JSON.parse(await lncli("getinfo")) as { synced_to_chain: boolean }).synced_to_chain ? true : undefined;
        }, 3000);
        const h = await waitFor("bcm health without FAIL", 300, async () => {
            const r = await health();
            return r.exitCode === 0 ? r : undefined;
        }, 5000);
        expect(h.report.status).not.toBe("FAIL");
        expect(h.line(/^tor$/)).toMatchObject({ level: "OK", reason: expect.stringMatching(/^bootstrapped 100%, last circuit opened/) });
        expect(h.line(/^onion btcd-regtest-p2p$/)).toMatchObject({ level: "OK", reason: expect.stringMatching(/answered through Tor/) });
        expect(h.line(/^onion lnd-regtest$/)).toMatchObject({ level: "OK" });
        expect(h.line(/^node btcd-regtest$/)).toMatchObject({ level: "OK", reason: expect.stringMatching(/^height \d+ of \d+ headers, 0 peer\(s\), 100\.0% synced$/) });
        expect(h.line(/^lnd lnd-regtest$/)).toMatchObject({ level: "OK", reason: expect.stringMatching(/chain synced/) });
        expect(h.line(/^partitions$/)).toMatchObject({ tier: "kafka", level: "OK", reason: "no under-replicated partitions" });
        expect(h.line(/^volume default\/bcm-bitcoin-01-chain-regtest$/)).toMatchObject({ tier: "bitcoin", level: "OK" });
        expect(h.line(/^pool local\/default$/)).toMatchObject({ level: "OK" });
        expect(h.line(/^backup$/)).toMatchObject({ level: "WARN", reason: expect.stringMatching(/^no backup in /) });
        expect(h.report.notes.join("\n")).toMatch(/not probed \(client authorization.*\): .*registry/);
        const shown = await bcm("show", stackName, "--health", "--no-onions");
        expect(shown.exitCode).toBe(0);
        expect(shown.stdout).toMatch(/^health of .* (OK|WARN)$/m);
        expect(shown.stdout).toMatch(/^ {2}OK {4}bitcoin +node btcd-regtest /m);
    }, 15 * 60_000);

    it("bcm health: FAIL for the node when it is stopped, OK again when it runs", async () => {
        await execa("docker", ["-H", dc.dockerHost, "service", "scale", "--detach=false", "btcd-regtest=0"]);
        const stopped = await health("--no-onions");
        expect(stopped.exitCode).toBe(1);
        expect(stopped.line(/^node btcd-regtest$/)).toMatchObject({ level: "FAIL", reason: expect.stringMatching(/^btcd-regtest: no running task/) });
        expect(stopped.stderr).toMatch(/bcm: cluster br\d+: \d+ check\(s\) FAIL: .*bitcoin node btcd-regtest/);
        await execa("docker", ["-H", dc.dockerHost, "service", "scale", "--detach=false", "btcd-regtest=1"]);
        const back = await waitFor("the node OK", 180, async () => {
            await catchUp();
            const r = await health("--no-onions");
            return r.line(/^node btcd-regtest$/)?.level === "OK" ? r : undefined;
        }, 3000);
        expect(back.line(/^node btcd-regtest$/)!.reason).toMatch(/100\.0% synced/);
    }, 10 * 60_000);

    it("bcm health: FAIL for a volume filled past its threshold, OK once freed", async () => {
        const pool = JSON.parse((await execa("curl", ["-s", "--unix-socket", "/var/lib/lxd/unix.socket", "http://lxd/1.0/storage-pools/default/resources"])).stdout).metadata.space.total as number;
        const used = Number((await execa("lxc", ["exec", "bcm-bitcoin-01", "--", "du", "-sxB1", "/var/lib/bcm/chain-regtest"])).stdout.split(/\s+/)[0]);
        // The threshold sits 256 MiB above what the volume holds now; a 512 MiB file passes it.
        const fail = (((used + 256 * 1048576) / pool) * 100).toFixed(4);
        const flags = ["--no-onions", "--volume-warn", fail, "--volume-fail", fail];
        expect((await health(...flags)).line(/chain-regtest$/)).toMatchObject({ level: "OK" });
        await execa("lxc", ["exec", "bcm-bitcoin-01", "--", "fallocate", "-l", "512M", "/var/lib/bcm/chain-regtest/fill"]);
        try {
            const full = await health(...flags);
            expect(full.exitCode).toBe(1);
            expect(full.line(/chain-regtest$/)).toMatchObject({ level: "FAIL", reason: expect.stringMatching(new RegExp(`at or past ${fail.replace(".", "\\.")}%: free space before it fills$`)) });
        } finally {
            await execa("lxc", ["exec", "bcm-bitcoin-01", "--", "rm", "-f", "/var/lib/bcm/chain-regtest/fill"]);
        }
        expect((await health(...flags)).line(/chain-regtest$/)).toMatchObject({ level: "OK" });
    }, 10 * 60_000);

    it("bcm health: FAIL for Tor when it cannot bootstrap (the private network frozen), OK once it can", async () => {
        // Every process of the private Tor network (ours, found by its directory) stops answering.
        await signalTornet("STOP");
        try {
            await execa("docker", ["-H", dc.dockerHost, "service", "update", "--force", "--detach=false", "tor"]);
            const failing = await waitFor("Tor FAIL", 300, async () => {
                const r = await health("--tor-grace", "60");
                return r.line(/^tor$/)?.level === "FAIL" ? r : undefined;
            }, 10_000);
            expect(failing.exitCode).toBe(1);
            expect(failing.line(/^tor$/)!.reason).toMatch(/Tor cannot bootstrap/);
            expect(failing.line(/^onion lnd-regtest$/)).toMatchObject({ level: "FAIL", reason: expect.stringMatching(/not reachable through Tor/) });
        } finally {
            await signalTornet("CONT");
        }
        const ok = await waitFor("Tor OK", 420, async () => {
            const r = await health("--tor-grace", "60");
            return r.line(/^tor$/)?.level === "OK" && r.line(/^onion lnd-regtest$/)?.level === "OK" ? r : undefined;
        }, 10_000);
        expect(ok.line(/^tor$/)!.reason).toMatch(/^bootstrapped 100%/);
    }, 15 * 60_000);

    /** What `bcm stack deploy` does for a change of settings: the hooks of bcm:snapshots around deployWithPolicy. */
    const update = async (key: string, value: string): Promise<Error | undefined> => {
        const previousConfig = currentConfigText(stack);
        await stack.setConfig(key, { value });
        const ctx = { home, env: { ...process.env, ...env }, say: (l: string) => process.stdout.write(`${l}\n`) };
        const config = await prepareDeploy(stack, await plainConfig(stack), ctx);
        const spec = readDataCenterSpec((k) => config[`bcm:${k}`])!;
        try {
            await deployWithPolicy(
                stack,
                { cluster: stackName, what: `update of ${key}`, policyConfig: writePolicyConfig(home, stackName, undefined, config), ctx, hooks: snapshotHooks({ stack, cluster: stackName, ctx, settings: spec.snapshots, previousConfig, spec }) },
                new Progress("update"),
            );
            return undefined;
        } catch (err) {
            return err as Error;
        } finally {
            dc = (await stack.outputs()).dataCenter.value;
        }
    };
    const lndMarker = async () => JSON.parse(await lncli("addinvoice --amt 777 --memo rollback-marker")) as { r_hash: string };

    // A setting that deploys cleanly and cuts the node off: the authorities' v3 identities copied
    // wrong, so Tor trusts no consensus, not even the one it cached. (Only their addresses wrong
    // was not enough: Tor went on with its cached consensus, healthy, as it should.)
    it("a broken config (Tor's authorities with wrong identities: no consensus is trusted) fails its health gate and rolls back by itself, data and service back", async () => {
        const marker = await lndMarker();
        const torBefore = (await plainConfig(stack))["bcm:tor"];
        const wrongIdentity = (l: string) => l.replace(/v3ident=([0-9A-Fa-f]{40})/, (_, h: string) => `v3ident=${[...h].reverse().join("")}`);
        expect(tornet.dirAuthorityLines.every((l) => wrongIdentity(l) !== l)).toBe(true);
        const broken = JSON.stringify({ network: "private", dirAuthorities: tornet.dirAuthorityLines.map(wrongIdentity) });
        const started = Date.now();
        const err = await update("bcm:tor", broken);
        const seconds = (Date.now() - started) / 1000;
        process.stdout.write(`broken config: failed and rolled back in ${seconds.toFixed(0)} s: ${err?.message}\n`);
        expect(err?.message).toMatch(/failed after the update: not healthy within 120 s \(bcm:snapshots\.healthSeconds\): .*gateway tor: .*; rolled back to snapshot bcm-pre-up-\d{8}T\d{6}Z: restored \d+ container\(s\) and volume\(s\) and the stack's previous state/);
        expect((await plainConfig(stack))["bcm:tor"]).toBe(torBefore);
        const h = await waitFor("health back after the rollback", 300, async () => {
            await catchUp();
            const r = await health();
            return r.line(/^tor$/)?.level === "OK" && r.line(/^lnd lnd-regtest$/)?.level === "OK" && r.line(/^onion lnd-regtest$/)?.level === "OK" ? r : undefined;
        }, 10_000);
        expect(h.exitCode).toBe(0);
        // lnd's channel database is the data on regtest (btcd wipes its regtest chain at every start).
        expect(JSON.parse(await lncli(`lookupinvoice ${marker.r_hash}`))).toMatchObject({ memo: "rollback-marker" });
        // The next update of the same setting, fixed, goes through (the state is the one before the broken update).
        expect(await update("bcm:tor", torBefore)).toBeUndefined();
    }, 30 * 60_000);

    it("a broken image version (bitcoind from an image that cannot run it) fails the update and rolls back: btcd, its chain and lnd back", async () => {
        const marker = await lndMarker();
        const images = JSON.parse((await execa("bash", [path.join(repoRoot, "images", "docker", "build.sh"), "--print"])).stdout.trim().split("\n").pop()!);
        await execa("docker", ["tag", images.debian, "bcm/bitcoind:broken-0"]);
        try {
            const err = await update("bcm:bitcoin", JSON.stringify({ ...JSON.parse((await plainConfig(stack))["bcm:bitcoin"]), implementation: "bitcoind", image: "bcm/bitcoind:broken-0" }));
            process.stdout.write(`broken image: ${err?.message}\n`);
            expect(err?.message).toMatch(/update of bcm:bitcoin failed: .*; rolled back to snapshot bcm-pre-up-\d{8}T\d{6}Z: restored/);
        } finally {
            await execa("docker", ["rmi", "bcm/bitcoind:broken-0"], { reject: false });
        }
        expect(JSON.parse((await plainConfig(stack))["bcm:bitcoin"]).implementation).toBeUndefined();
        const h = await waitFor("btcd and lnd back", 300, async () => {
            await catchUp();
            const r = await health("--no-onions");
            return r.line(/^node btcd-regtest$/)?.level === "OK" && r.line(/^lnd lnd-regtest$/)?.level === "OK" ? r : undefined;
        }, 10_000);
        expect(h.line(/^node bitcoind-regtest$/)).toBeUndefined();
        expect(JSON.parse(await lncli(`lookupinvoice ${marker.r_hash}`))).toMatchObject({ memo: "rollback-marker" });
    }, 30 * 60_000);

    it("bcm cluster rollback: back to the last snapshot by hand", async () => {
        const topicsBefore = (await plainConfig(stack))["bcm:kafka"];
        expect(await update("bcm:kafka", JSON.stringify({ topics: [{ name: "e2e", partitions: 2 }, { name: "later", partitions: 1 }] }))).toBeUndefined();
        const listed = await bcm("cluster", "snapshots", stackName);
        expect(listed.stdout.trim().split("\n").length).toBe(2); // keep: 2
        const rolled = await bcm("cluster", "rollback", stackName);
        expect(rolled.exitCode).toBe(0);
        expect(rolled.stdout).toMatch(/^rolled back to snapshot bcm-pre-up-\d{8}T\d{6}Z: restored \d+ container\(s\) and volume\(s\) and the stack's previous state/m);
        expect((await plainConfig(stack))["bcm:kafka"]).toBe(topicsBefore);
        const h = await waitFor("health after the manual rollback", 300, async () => {
            await catchUp();
            const r = await health("--no-onions");
            return r.line(/^partitions$/)?.level === "OK" && r.line(/^lnd lnd-regtest$/)?.level === "OK" ? r : undefined;
        }, 10_000);
        expect(h.exitCode).toBe(0);
        dc = (await stack.outputs()).dataCenter.value;
        // The stack and the machines agree again: a preview finds nothing to change.
        const verify = await bcm("cluster", "verify", stackName);
        expect(verify.stderr).not.toMatch(/^bcm: /m);
        expect(verify.exitCode).toBe(0);
    }, 20 * 60_000);

    it("bcm backup create: one encrypted archive per tier and a signed manifest; verify accepts it", async () => {
        before.identity = (JSON.parse(await lncli("getinfo")) as { identity_pubkey: string }).identity_pubkey;
        const invoice = JSON.parse(await lncli("addinvoice --amt 1234 --memo bcm-backup-marker")) as { r_hash: string; payment_request: string };
        before.invoice = invoice.payment_request;
        before.rHash = invoice.r_hash;
        await inTask("bcm-kafka-01", "kafka-1", `echo kept-${process.pid} | bcm-kafka console-producer --bootstrap-server kafka-1:9092 --topic e2e`);
        before.onions = Object.fromEntries(Object.entries(dc.onions as Record<string, { address: string }>).map(([s, o]) => [s, o.address]));
        const started = Date.now();
        const created = await bcm("backup", "create", "--cluster", stackName, "--kafka");
        expect(created.stderr).toMatch(/pausing lnd-regtest \(1 → 0\)[\s\S]*resuming lnd-regtest \(0 → 1\)/);
        expect(created.exitCode).toBe(0);
        backupDir = /^backup of \S+: (\S+) /m.exec(created.stdout)![1];
        process.stdout.write(`backup made in ${((Date.now() - started) / 1000).toFixed(1)} s:\n${created.stdout}\n`);
        expect(fs.readdirSync(backupDir).sort()).toEqual(["bitcoin.tar.pgp", "gateway.tar.pgp", "kafka.tar.pgp", "manifest.json", "manifest.json.asc"]);
        expect(created.stderr).toMatch(/pausing kafka-connect-1 \(1 → 0\)[\s\S]*pausing kafka-controller-1[\s\S]*resuming kafka-controller-1[\s\S]*resuming kafka-connect-1/);
        for (const f of fs.readdirSync(backupDir)) expect(fs.statSync(path.join(backupDir, f)).mode & 0o777).toBe(0o600);
        // Nothing of lnd's data in clear: the invoice's memo is in its channel database.
        for (const f of ["bitcoin.tar.pgp", "gateway.tar.pgp"]) expect(fs.readFileSync(path.join(backupDir, f)).includes(Buffer.from("bcm-backup-marker"))).toBe(false);
        expect(fs.readFileSync(path.join(backupDir, "kafka.tar.pgp")).includes(Buffer.from(`kept-${process.pid}`))).toBe(false);
        const listed = await bcm("backup", "list", "--cluster", stackName);
        expect(listed.stdout).toContain(backupDir);
        const verified = await bcm("backup", "verify", backupDir);
        expect(verified.exitCode).toBe(0);
        expect(verified.stdout).toMatch(/^bitcoin\.tar\.pgp: .* decrypted by the device to .*SHA-256 sums match$/m);
        // lnd is back after the pause.
        await waitFor("lnd back", 180, async () => ((JSON.parse(await lncli("getinfo")) as { identity_pubkey: string }).identity_pubkey === before.identity ? true : undefined), 3000);
        expect((await health("--no-onions")).line(/^backup$/)).toMatchObject({ level: "OK" });
    }, 10 * 60_000);

    it("a changed archive or manifest is refused by verify and by restore, before anything is made", async () => {
        const tampered = fs.mkdtempSync(path.join(home, "tampered-"));
        for (const f of fs.readdirSync(backupDir)) fs.copyFileSync(path.join(backupDir, f), path.join(tampered, f));
        const archive = path.join(tampered, "bitcoin.tar.pgp");
        const bytes = fs.readFileSync(archive);
        bytes[bytes.length - 100] ^= 0x40;
        fs.writeFileSync(archive, bytes);
        const verify = await bcm("backup", "verify", tampered);
        expect(verify.exitCode).toBe(1);
        expect(verify.stderr).toMatch(/bcm: backup .*: bitcoin\.tar\.pgp: SHA-256 .* is not the manifest's .*; it is refused/);
        const restore = await bcm("backup", "restore", "--cluster", stackName, "--from", tampered);
        expect(restore.exitCode).toBe(1);
        expect(restore.stderr).toMatch(/bitcoin\.tar\.pgp: SHA-256 .* it is refused/);
        // The manifest's sums changed to match: its signature no longer verifies.
        const manifest = JSON.parse(fs.readFileSync(path.join(tampered, "manifest.json"), "utf8"));
        manifest.archives.find((a: { tier: string }) => a.tier === "bitcoin").encryptedSha256 = (await import("node:crypto")).createHash("sha256").update(bytes).digest("hex");
        fs.writeFileSync(path.join(tampered, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
        const resigned = await bcm("backup", "verify", tampered);
        expect(resigned.exitCode).toBe(1);
        expect(resigned.stderr).toMatch(/the manifest's signature does not verify against the controller's certificate/);
    }, 5 * 60_000);

    it("destroyed with its volumes, restored from the backup: the same onion addresses, the same lnd node with its channel database", async () => {
        const destroyed = await bcm("cluster", "destroy", stackName);
        expect(destroyed.exitCode).toBe(0);
        expect(await volumeExists(chainVolume)).toBe(false);
        expect((await execa("lxc", ["list", "--format", "csv", "-c", "n", "^bcm-"])).stdout.trim()).toBe("");
        const started = Date.now();
        const restored = await bcm("backup", "restore", "--cluster", stackName, "--from", backupDir);
        process.stdout.write(`restore took ${((Date.now() - started) / 1000).toFixed(1)} s:\n${restored.stdout}\n`);
        expect(restored.stderr).not.toMatch(/^bcm: /m);
        expect(restored.exitCode).toBe(0);
        stack = await openStack({ workDir: clusterWorkDir(home), stackName, passphrase: env.PULUMI_CONFIG_PASSPHRASE, home });
        dc = (await stack.outputs()).dataCenter.value;
        const after = Object.fromEntries(Object.entries(dc.onions as Record<string, { address: string }>).map(([s, o]) => [s, o.address]));
        expect(after).toEqual(before.onions);
        for (const [s, a] of Object.entries(before.onions)) expect(restored.stdout).toContain(`onion ${s}: ${a} (as backed up)`);
        const info = await waitFor("lnd unlocked", 300, async () => JSON.parse(await lncli("getinfo")) as { identity_pubkey: string; synced_to_chain: boolean }, 3000);
        expect(info.identity_pubkey).toBe(before.identity);
        const invoice = JSON.parse(await lncli(`lookupinvoice ${before.rHash}`)) as { memo: string; value: string; payment_request: string };
        expect(invoice).toMatchObject({ memo: "bcm-backup-marker", value: "1234", payment_request: before.invoice });
        // Kafka's topic with its message, from the brokers' and the controllers' restored data.
        const read = await waitFor("the backed-up message", 300, async () =>
            (await inTask("bcm-kafka-01", "kafka-1", "bcm-kafka console-consumer --bootstrap-server kafka-1:9092 --topic e2e --from-beginning --max-messages 1 --timeout-ms 30000 2>/dev/null")) || undefined,
            5000,
        );
        expect(read).toContain(`kept-${process.pid}`);
        // The public onion services answer at their old addresses, through the restored Tor.
        const h = await waitFor("the restored onions answer", 300, async () => {
            const r = await health();
            return r.line(/^onion lnd-regtest$/)?.level === "OK" && r.line(/^tor$/)?.level === "OK" ? r : undefined;
        }, 10_000);
        expect(h.line(/^onion btcd-regtest-p2p$/)).toMatchObject({ level: "OK", reason: expect.stringContaining(before.onions["btcd-regtest-p2p"]) });
    }, 30 * 60_000);
});
