import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execa, ResultPromise } from "execa";
import { standaloneDestroy, standaloneUp } from "../../automation/standalone";
import { deriveLndSecrets, lndSecret } from "../../device/lndSecret";
import { bytesToHex } from "../../device/bytes";
import { deviceFromEnvironment } from "../../device/fromEnvironment";
import { TEST_MNEMONIC } from "../../device/testing/testMnemonic";
import { bcmHome, repoRoot } from "../../engine";
import { clusterWorkDir } from "../../automation/cluster/workdir";
import { docker, lastLine, taskTexts, waitFor } from "../testing/support";
import { freePort, startTorNetwork, TorNetwork } from "../tornet";

// Issue 13 end to end: the Lightning node of the standalone data center (gateway, kafka and
// bitcoin tiers on regtest) comes from the device, as a user would run it. The rest of the
// world stands outside: a btcd and an lnd of the test's own on the host, reached only through
// a private Tor network on the LXD bridge (test/tornet). The tier's btcd syncs from that peer
// (bcm:bitcoin.peers), the wallet is funded there, a channel is opened and paid across, the
// backup kept encrypted; then the data center goes with its volumes, comes back from the same
// device with the same node and balance, the channel backup is restored and the peer
// force-closes. The seed words restore the same node in a plain lnd; no secret shows up in
// any argv, log, environment, LXD config, docker inspect or state file. Then another device
// meets the kept wallet (refused, nothing overwritten), and signet with Tor offline creates
// and unlocks its wallet without peers. Run under `flock /tmp/bcm-datacenter.lock`.
const bridge = "10.218.0.1";
const cluster = "standalone";
const chainVolume = "bcm-bitcoin-01-chain-regtest";
const signetVolume = "bcm-bitcoin-01-chain-signet";
// A second public test seed (BIP-39's all-"abandon" vector): "another device".
const OTHER_MNEMONIC = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
const rpc = { user: "outside", pass: `outside-${process.pid}` };
const started = Date.now();
const elapsed = () => `${Math.round((Date.now() - started) / 1000)} s`;
const log = (line: string) => process.stderr.write(`[lightning.it ${elapsed()}] ${line}\n`);

interface Run {
    exitCode: number;
    stdout: string;
    stderr: string;
}

/** A wallet transaction as `lncli listchaintxns` shows it. */
interface ChainTx {
    amount: string;
    num_confirmations: number;
    raw_tx_hex: string;
}
/** A coinbase: one input, spending nothing (all-zero outpoint, index 0xffffffff), segwit marker or not. */
const isCoinbase = (rawHex: string) => /^[0-9a-f]{8}(0001)?010{64}ffffffff/.test(rawHex);

const volumeExists = async (name: string) => (await execa("lxc", ["storage", "volume", "show", "default", `custom/${name}`], { reject: false, stdin: "ignore" })).exitCode === 0;

describe("Lightning from the device, end to end (real engine, LXD, Swarm, regtest, private Tor network)", () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-ln-"));
    const otherHome = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-ln-other-"));
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-ln-work-"));
    const names = { btcd: `bcm-it-ln-btcd-${process.pid}`, lnd: `bcm-it-ln-lnd-${process.pid}`, plain: `bcm-it-ln-plain-${process.pid}`, upstream: `bcm-it-ln-upstream-${process.pid}` };
    let tornet: TorNetwork;
    let images: Record<string, string>;
    let ports: Record<"btcdP2p" | "btcdRpc" | "lndPeer" | "lndRpc" | "plainRpc" | "plainRest" | "upstream", number>;
    let deviceEnv: NodeJS.ProcessEnv;
    let otherEnv: NodeJS.ProcessEnv;
    let config: Record<string, string>;
    let dc: Record<string, any>;
    let identity: { nodePubkey: string; firstAddress: string };
    let outsidePubkey: string;
    let lndOnion: string;
    /** What must never show up outside the Swarm secrets and the device's output. */
    const secrets: Record<string, string> = {};
    let sampler: ResultPromise | undefined;
    const psFile = path.join(work, "ps.txt");
    let balanceBefore: number;
    let walletHash: string;
    const walletDbHash = async () =>
        (await execa("lxc", ["exec", "bcm-bitcoin-01", "--", "sha256sum", "/var/lib/bcm/chain-regtest/lnd/data/chain/bitcoin/regtest/wallet.db"], { stdin: "ignore" })).stdout.split(" ")[0];
    let fetched: string;
    const timings: Record<string, string> = {};

    const bcm = async (args: string[], env: NodeJS.ProcessEnv = deviceEnv, input?: string): Promise<Run> => {
        const r = await execa("node", [path.join(repoRoot, "automation", "bin", "bcm.js"), ...args], { env: { ...env, BCM_HOME: env === otherEnv ? otherHome : home }, reject: false, ...(input !== undefined ? { input } : { stdin: "ignore" }) });
        return { exitCode: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
    };
    /** `bcm lncli --cluster standalone -- ARGS` as JSON; fails with its stderr. */
    const lncli = async <T = any>(...args: string[]): Promise<T> => {
        const r = await bcm(["lncli", "--cluster", cluster, "--", ...args]);
        if (r.exitCode !== 0) throw new Error(`bcm lncli ${args.join(" ")} exited ${r.exitCode}: ${r.stderr.trim()}`);
        return JSON.parse(r.stdout) as T;
    };
    const outsideBtcctl = (...args: string[]) =>
        docker("exec", names.btcd, "btcctl", "--regtest", `--rpcserver=127.0.0.1:${ports.btcdRpc}`, "--rpccert=/data/rpc.cert", `--rpcuser=${rpc.user}`, `--rpcpass=${rpc.pass}`, ...args);
    const outsideLncli = async <T = any>(container: string, port: number, ...args: string[]): Promise<T> =>
        JSON.parse(await docker("exec", container, "lncli", "--lnddir=/lnd", "--network=regtest", `--rpcserver=127.0.0.1:${port}`, ...args)) as T;
    const mine = async (n: number) => {
        await outsideBtcctl("generate", String(n));
        return Number(await outsideBtcctl("getblockcount"));
    };
    const tierState = async () => (await lncli<{ state: string }>("state")).state;
    const serverActive = (what: string, seconds = 600) => waitFor(what, seconds, async () => ((await tierState()) === "SERVER_ACTIVE" ? true : undefined), 3000);
    const syncedTo = (height: number, seconds = 600) =>
        waitFor(`the tier's lnd at height ${height}`, seconds, async () => {
                const i = await lncli<{ block_height: number; synced_to_chain: boolean; identity_pubkey: string }>("getinfo");
            return i.block_height >= height && i.synced_to_chain ? i : undefined;
        }, 3000);
    const confirmedBalance = async () => Number((await lncli<{ confirmed_balance: string }>("walletbalance")).confirmed_balance);
    const up = async (env: NodeJS.ProcessEnv, h: string, cfg: Record<string, string>) => {
        const t0 = Date.now();
        const out = await standaloneUp({ home: h, env, config: cfg, say: (l) => process.env.BCM_TEST_VERBOSE && log(l) });
        log(`up in ${Math.round((Date.now() - t0) / 1000)} s`);
        return out as Record<string, any>;
    };

    beforeAll(async () => {
        const existing = await execa("lxc", ["list", "--format", "csv", "-c", "n", "^bcm-"], { stdin: "ignore" });
        if (existing.stdout.trim() !== "") throw new Error(`system containers already exist on this LXD (${existing.stdout.trim()}): destroy that data center first, and run this test under flock /tmp/bcm-datacenter.lock`);
        for (const v of [chainVolume, signetVolume]) if (await volumeExists(v)) throw new Error(`${v} is left from an earlier run: delete it (lxc storage volume delete default ${v})`);
        images = JSON.parse(lastLine((await execa("bash", [path.join(repoRoot, "images", "docker", "build.sh"), "--print"])).stdout));
        if (!images.lnd || !images.btcd) throw new Error("the lnd and btcd images are not built: run bash scripts/setup.sh");
        for (const [file, mnemonic, key] of [[path.join(home, "mnemonic"), TEST_MNEMONIC, "device"], [path.join(otherHome, "mnemonic"), OTHER_MNEMONIC, "other"]] as const) {
            fs.writeFileSync(file, mnemonic, { mode: 0o600 });
            const env = { ...process.env, BCM_DEVICE: "mnemonic", BCM_MNEMONIC_FILE: file };
            if (key === "device") deviceEnv = env;
            else otherEnv = env;
        }
        // The values the device gives this cluster's node: they must stay where they belong.
        const device = await deviceFromEnvironment(deviceEnv, { warn: () => undefined });
        try {
            const secret = await lndSecret(device, cluster, "regtest");
            const d = deriveLndSecrets(secret);
            Object.assign(secrets, { secret: bytesToHex(secret), entropy: bytesToHex(d.entropy), password: d.walletPassword, macaroonRootKey: bytesToHex(d.macaroonRootKey), salt: bytesToHex(d.aezeedSalt) });
        } finally {
            await device.close();
        }
        // The identity from the device alone, before anything exists.
        const id = await bcm(["lightning", "identity", "--cluster", cluster, "--chain", "regtest"]);
        expect({ exitCode: id.exitCode, stderr: id.stderr }).toMatchObject({ exitCode: 0 });
        identity = JSON.parse(id.stdout);
        expect(identity.nodePubkey).toMatch(/^0[23][0-9a-f]{64}$/);
        expect(identity.firstAddress).toMatch(/^bcrt1q/);

        tornet = await startTorNetwork({ address: bridge, names: {} });
        ports = {
            btcdP2p: await freePort(bridge), btcdRpc: await freePort("127.0.0.1"), lndPeer: await freePort(bridge), lndRpc: await freePort("127.0.0.1"),
            plainRpc: await freePort("127.0.0.1"), plainRest: await freePort("127.0.0.1"), upstream: await freePort(bridge),
        };
        // The outside btcd: it keeps the chain while the data center comes and goes; its blocks pay the node's first address.
        const btcdDir = path.join(work, "btcd");
        fs.mkdirSync(btcdDir, { mode: 0o777 });
        fs.chmodSync(btcdDir, 0o777);
        await docker("run", "-d", "--name", names.btcd, "--network", "host", "-v", `${btcdDir}:/data`, images.btcd,
            "--regtest", "--datadir=/data/chain", "--logdir=/data/logs", "--rpccert=/data/rpc.cert", "--rpckey=/data/rpc.key",
            `--rpcuser=${rpc.user}`, `--rpcpass=${rpc.pass}`, `--rpclisten=127.0.0.1:${ports.btcdRpc}`, `--listen=${bridge}:${ports.btcdP2p}`,
            `--miningaddr=${identity.firstAddress}`, "--txindex");
        await waitFor("the outside btcd", 60, async () => ((await outsideBtcctl("getblockcount").catch(() => "")) !== "" ? true : undefined), 1000);
        // segwit activates at block 432 on btcd's regtest; coinbase matures after 100.
        expect(await mine(550)).toBe(550);
        // The outside lnd, the channel's peer.
        for (const [c, rpcPort, extra] of [[names.lnd, ports.lndRpc, [`--listen=${bridge}:${ports.lndPeer}`, "--noseedbackup", "--norest", "--alias=outside"]]] as const) {
            const dir = path.join(work, c);
            fs.mkdirSync(dir, { mode: 0o777 });
            fs.chmodSync(dir, 0o777);
            await docker("run", "-d", "--name", c, "--network", "host", "-v", `${dir}:/lnd`, "-v", `${btcdDir}:/btcd:ro`, "--entrypoint", "lnd", images.lnd,
                "--lnddir=/lnd", "--bitcoin.regtest", "--bitcoin.node=btcd", `--btcd.rpchost=127.0.0.1:${ports.btcdRpc}`, `--btcd.rpcuser=${rpc.user}`,
                `--btcd.rpcpass=${rpc.pass}`, "--btcd.rpccert=/btcd/rpc.cert", `--rpclisten=127.0.0.1:${rpcPort}`, "--nobootstrap", ...extra);
        }
        outsidePubkey = (await waitFor("the outside lnd", 180, () => outsideLncli<{ identity_pubkey: string; synced_to_chain: boolean }>(names.lnd, ports.lndRpc, "getinfo").then((i) => (i.synced_to_chain ? i : undefined)), 2000)).identity_pubkey;
        // Both reached only as onion services of the private Tor network.
        const btcdOnion = (await tornet.startOnionService({ name: "btcd", targetPort: ports.btcdP2p, virtualPort: 18444 })).onion;
        lndOnion = (await tornet.startOnionService({ name: "lnd", targetPort: ports.lndPeer, virtualPort: 9735 })).onion;
        await execa("docker", ["run", "-d", "--name", names.upstream, "-p", `${bridge}:${ports.upstream}:5000`, images.registry!]);
        config = {
            "bcm:endpoints": JSON.stringify([{ name: "local", mode: "local" }]),
            "bcm:tiers": JSON.stringify({ gateway: {}, kafka: {}, bitcoin: {} }),
            "bcm:tor": JSON.stringify({ network: "private", dirAuthorities: tornet.dirAuthorityLines }),
            "bcm:chain": "regtest",
            "bcm:bitcoin": JSON.stringify({ peers: [`${btcdOnion}:18444`] }),
            "bcm:dockerSocketDir": path.join(home, "sock"),
            "bcm:registryMirrorUpstream": `http://${bridge}:${ports.upstream}`,
        };
        timings.setup = elapsed();
        log(`outside world ready: btcd ${btcdOnion}, lnd ${outsidePubkey}@${lndOnion}`);
    }, 20 * 60_000);

    afterAll(async () => {
        sampler?.kill();
        for (const [h, env] of [[home, deviceEnv], [otherHome, otherEnv]] as const) {
            if (env) await standaloneDestroy({ home: h, env, say: () => undefined }).catch(() => undefined);
        }
        for (const v of [chainVolume, signetVolume]) await execa("lxc", ["storage", "volume", "delete", "default", v], { reject: false, stdin: "ignore" });
        await tornet?.stop();
        for (const c of Object.values(names)) await execa("docker", ["rm", "-f", c], { reject: false });
        for (const d of [home, otherHome, work]) fs.rmSync(d, { recursive: true, force: true });
        log(`timings: ${JSON.stringify(timings)}`);
    }, 10 * 60_000);

    /** The steps build on each other: after a failure the later ones stop at once instead of waiting out their time-outs. */
    let failed: string | undefined;
    const step = (name: string, fn: () => Promise<void>, timeout: number) =>
        it(name, async () => {
            if (failed) throw new Error(`not run: the step "${failed}" failed`);
            try {
                await fn();
            } catch (err) {
                failed = name;
                throw err;
            }
        }, timeout);

    step("deploys from the device: lnd reaches SERVER_ACTIVE with the derived identity and finds the coins mined to its first address", async () => {
        // Every command line on this machine during the deploy, for the secret check below.
        sampler = execa("bash", ["-c", `while :; do ps -eww -o args= >> ${psFile}; sleep 0.5; done`], { reject: false });
        dc = await up(deviceEnv, home, config);
        config = { ...config, "bcm:bitcoin": JSON.stringify({ ...JSON.parse(config["bcm:bitcoin"]!), lndBirthday: dc.workloads.bitcoin.lndBirthday }) };
        expect(dc.workloads.bitcoin.lightning).toEqual(identity);
        await serverActive("lnd SERVER_ACTIVE");
        const info = await syncedTo(550);
        expect(info).toMatchObject({ identity_pubkey: identity.nodePubkey });
        // The recovery scan found what was mined to the derived first address before the wallet existed.
        expect(await waitFor("the recovered balance", 300, async () => ((await confirmedBalance()) > 0 ? true : undefined), 3000)).toBe(true);
        // bcm lightning identity checks the running node too.
        const id = await bcm(["lightning", "identity", "--cluster", cluster, "--chain", "regtest"]);
        expect({ code: id.exitCode, out: JSON.parse(id.stdout) }).toEqual({ code: 0, out: identity });
        expect(id.stderr).toContain(`the running lnd of cluster ${cluster} is this node`);
        // bitcoin-cli reaches the full node in its task; its exit code is ours.
        expect(Number((await bcm(["bitcoin-cli", "--cluster", cluster, "--", "getblockcount"])).stdout)).toBeGreaterThanOrEqual(550);
        expect((await bcm(["bitcoin-cli", "--cluster", cluster, "--", "nosuchcommand"])).exitCode).not.toBe(0);
        timings.firstDeploy = elapsed();
    }, 30 * 60_000);

    step("refuses a chain the cluster does not run, and a device that opens nothing of it, in one line naming the fix", async () => {
        const other = await bcm(["lightning", "identity", "--cluster", cluster, "--chain", "signet"]);
        expect(other.exitCode).toBe(1);
        expect(other.stderr.trim().split("\n").pop()).toBe(`bcm: cluster ${cluster} runs regtest, not signet; fix: ask with --chain regtest (a data center runs one chain; another chain is another cluster)`);
        // A birthday in the future is named before anything changes: the stack keeps the one it has.
        const birthday = JSON.parse(config["bcm:bitcoin"]!).lndBirthday as string;
        const future = { ...config, "bcm:bitcoin": JSON.stringify({ ...JSON.parse(config["bcm:bitcoin"]!), lndBirthday: "2999-01-01" }) };
        await expect(up(deviceEnv, home, future)).rejects.toThrow(/^bcm:bitcoin\.lndBirthday: 2999-01-01 is in the future \(today is \d{4}-\d{2}-\d{2}\); set bcm:bitcoin\.lndBirthday to the day the wallet was first deployed/);
        const settings = fs.readFileSync(path.join(clusterWorkDir(home), `Pulumi.${cluster}.yaml`), "utf8");
        expect(settings).toContain(birthday);
        expect(settings).not.toContain("2999-01-01");
        // Another passphrase is another seed: the stack itself does not open.
        const stranger = await bcm(["lightning", "identity", "--cluster", cluster, "--chain", "regtest"], { ...deviceEnv, BCM_PASSPHRASE: "not the one" });
        expect(stranger.exitCode).toBe(1);
        expect(stranger.stderr.trim().split("\n").pop()).toMatch(/^bcm: the device answers for another seed: it does not open cluster standalone's stack; fix: /);
    }, 5 * 60_000);

    step("unlocks by itself after the lnd task and the bitcoin tier's container restart", async () => {
        await docker("-H", dc.dockerHost, "service", "update", "--force", "--detach", "lnd-regtest");
        await waitFor("lnd restarting", 120, async () => ((await tierState().catch(() => "down")) !== "SERVER_ACTIVE" ? true : undefined), 1000);
        await serverActive("lnd SERVER_ACTIVE after its task restarted");
        await execa("lxc", ["restart", "--timeout", "120", "bcm-bitcoin-01"], { stdin: "ignore" });
        await serverActive("lnd SERVER_ACTIVE after the container restarted", 900);
        expect((await syncedTo(550)).identity_pubkey).toBe(identity.nodePubkey);
        timings.restarts = elapsed();
    }, 30 * 60_000);

    step("opens a channel to the outside node through Tor, pays across it, and keeps the new backup encrypted (volume and Kafka)", async () => {
        const connected = await waitFor("a connection to the outside lnd", 300, async () => {
            const r = await bcm(["lncli", "--cluster", cluster, "--", "connect", `${outsidePubkey}@${lndOnion}:9735`]);
            return r.exitCode === 0 || /already connected/.test(r.stderr) ? true : undefined;
        }, 5000);
        expect(connected).toBe(true);
        const opened = Date.now();
        await lncli("openchannel", "--node_key", outsidePubkey, "--local_amt", "1000000");
        // Within seconds a backup naming the (pending) channel is kept, encrypted.
        const index = await waitFor("a backup with the channel", 60, async () => {
            const r = await bcm(["lightning", "backups", "--cluster", cluster, "--json"]);
            const i = r.exitCode === 0 ? JSON.parse(r.stdout) : undefined;
            return i?.backups?.[0]?.channels >= 1 ? i : undefined;
        }, 1000);
        log(`backup with the channel after ${Date.now() - opened} ms`);
        expect(index).toMatchObject({ version: 1, nodePubkey: identity.nodePubkey });
        // The funding transaction goes to the outside btcd through Tor; mined there.
        await waitFor("the funding transaction on the outside btcd", 180, async () => (JSON.parse(await outsideBtcctl("getrawmempool")).length > 0 ? true : undefined), 2000);
        const height = await mine(6);
        await syncedTo(height);
        await waitFor("the channel active", 300, async () => ((await lncli<{ channels: { active: boolean }[] }>("listchannels")).channels.some((c) => c.active) ? true : undefined), 3000);
        const invoice = await outsideLncli<{ payment_request: string }>(names.lnd, ports.lndRpc, "addinvoice", "--amt", "10000");
        const paid = await bcm(["lncli", "--cluster", cluster, "--", "payinvoice", "--force", invoice.payment_request]);
        expect({ code: paid.exitCode, err: paid.stderr.split("\n").filter((l) => /error/i.test(l)) }).toEqual({ code: 0, err: [] });
        expect((await lncli<{ payments: { status: string }[] }>("listpayments")).payments.map((p) => p.status)).toEqual(["SUCCEEDED"]);
        // The kafka tier runs: the backup went to the compacted topic too, keyed by the node.
        const records = await execa("lxc", ["exec", "bcm-kafka-01", "--", "sh", "-c",
            't="$(docker ps -q --filter label=com.docker.swarm.service.name=kafka-1 | head -n 1)"; exec docker exec "$t" bcm-kafka console-consumer --bootstrap-server kafka-1:9092 --topic bcm.lnd.channel-backups --from-beginning --max-messages 1 --timeout-ms 60000 --property print.key=true --property key.separator=" " 2>/dev/null'], { stdin: "ignore", reject: false });
        expect(records.stdout.startsWith(`${identity.nodePubkey} `)).toBe(true);
        // Fetched and decrypted with the device, owner-only.
        const fetch = await bcm(["lightning", "backups", "--cluster", cluster, "--fetch", path.join(work, "fetched")]);
        expect(fetch.exitCode).toBe(0);
        fetched = /^fetched: (.+)$/m.exec(fetch.stdout)![1]!;
        expect(fs.statSync(fetched).mode & 0o777).toBe(0o600);
        const clear = fs.readFileSync(fetched);
        secrets.backupHex = clear.subarray(0, 48).toString("hex");
        secrets.backupBase64 = clear.subarray(0, 48).toString("base64");
        balanceBefore = await confirmedBalance();
        expect(balanceBefore).toBeGreaterThan(0);
        timings.channel = elapsed();
    }, 30 * 60_000);

    step("keeps every secret off command lines, logs, environments, LXD config, docker inspect and the state files", async () => {
        const seed = await bcm(["lightning", "seed", "--cluster", cluster]);
        sampler?.kill();
        sampler = undefined;
        expect(seed.exitCode).toBe(0);
        const words = [...seed.stdout.matchAll(/\b\d+\. ([a-z]+)/g)].map((m) => m[1]!);
        expect(words).toHaveLength(24);
        expect(seed.stdout).toMatch(new RegExp(`birthday: ${JSON.parse(config["bcm:bitcoin"]!).lndBirthday} \\(\\d+ days`));
        secrets.words = words.join(" ");
        secrets.wordsJson = JSON.stringify(words).slice(1, -1);
        const places: Record<string, string> = {};
        places.ps = fs.readFileSync(psFile, "utf8");
        const environs = await execa("sh", ["-c", "for f in /proc/[0-9]*/environ; do tr '\\0' '\\n' < $f 2>/dev/null; done"], { reject: false });
        places.environ = environs.stdout;
        const services = (await docker("-H", dc.dockerHost, "service", "ls", "--format", "{{.Name}}")).split("\n");
        places.serviceInspect = await docker("-H", dc.dockerHost, "service", "inspect", ...services);
        const containers: string[] = dc.containers.map((x: { name: string }) => x.name);
        for (const c of containers) places[`lxc ${c}`] = (await execa("lxc", ["config", "show", "--expanded", c], { stdin: "ignore" })).stdout;
        // Every task's logs, read on its node.
        Object.assign(places, await taskTexts(containers));
        // Every file of the BCM home (the state, the stack settings, the policy configuration, the
        // onion keys) but the mnemonic itself and the engine's own binaries.
        const files = (await execa("find", [home, "-path", path.join(home, "pulumi"), "-prune", "-o", "-type", "f", "!", "-name", "mnemonic", "-print"], { reject: false })).stdout.split("\n").filter((f) => f !== "");
        expect(files.some((f) => /\.json$/.test(f))).toBe(true);
        for (const f of files) places[f] = fs.readFileSync(f, "latin1");
        const leaks: string[] = [];
        for (const [where, text] of Object.entries(places)) for (const [what, value] of Object.entries(secrets)) if (value && text.includes(value)) leaks.push(`${what} in ${where}`);
        expect(leaks).toEqual([]);
        // The sampler saw the node's processes (lnd unlocking itself from its password file).
        expect(places.ps).toMatch(/lnd .*--wallet-unlock-password-file=/);
    }, 15 * 60_000);

    step("restores the same wallet from the 24 words in a plain lnd", async () => {
        const dir = path.join(work, "plain");
        fs.mkdirSync(dir, { mode: 0o777 });
        fs.chmodSync(dir, 0o777);
        await docker("run", "-d", "--name", names.plain, "--network", "host", "-v", `${dir}:/lnd`, "-v", `${path.join(work, "btcd")}:/btcd:ro`, "--entrypoint", "lnd", images.lnd,
            "--lnddir=/lnd", "--bitcoin.regtest", "--bitcoin.node=btcd", `--btcd.rpchost=127.0.0.1:${ports.btcdRpc}`, `--btcd.rpcuser=${rpc.user}`,
            `--btcd.rpcpass=${rpc.pass}`, "--btcd.rpccert=/btcd/rpc.cert", `--rpclisten=127.0.0.1:${ports.plainRpc}`, `--restlisten=127.0.0.1:${ports.plainRest}`, "--nolisten", "--nobootstrap");
        await waitFor("the plain lnd's REST", 120, async () => (fs.existsSync(path.join(dir, "tls.cert")) ? true : undefined), 1000);
        // InitWallet as `lncli create` does with "I have an aezeed": the words, no passphrase, a password of its own.
        const body = JSON.stringify({ wallet_password: Buffer.from("plain-password").toString("base64"), cipher_seed_mnemonic: secrets.words!.split(" ") });
        const init = await waitFor("InitWallet", 120, async () => {
            const r = await execa("curl", ["-sk", "--fail-with-body", "-X", "POST", "--data-binary", "@-", `https://127.0.0.1:${ports.plainRest}/v1/initwallet`], { input: body, reject: false });
            return r.exitCode === 0 ? r.stdout : undefined;
        }, 2000);
        expect(JSON.parse(init)).toHaveProperty("admin_macaroon");
        const plain = await waitFor("the plain lnd's getinfo", 180, () => outsideLncli<{ identity_pubkey: string }>(names.plain, ports.plainRpc, "getinfo").catch(() => undefined), 2000);
        expect(plain.identity_pubkey).toBe(identity.nodePubkey);
        await execa("docker", ["rm", "-f", names.plain], { reject: false });
        timings.words = elapsed();
    }, 10 * 60_000);

    step("comes back from the device after a destroy with its volumes: the same node and balance; the channel backup makes the peer force-close and the funds return", async () => {
        await standaloneDestroy({ home, env: deviceEnv, say: () => undefined });
        expect(await volumeExists(chainVolume)).toBe(false);
        // This time the wallet is kept when the data center goes (for the next test).
        config = { ...config, "bcm:bitcoin": JSON.stringify({ ...JSON.parse(config["bcm:bitcoin"]!), keepChainData: true }) };
        dc = await up(deviceEnv, home, config);
        await serverActive("lnd SERVER_ACTIVE after the rebuild", 900);
        expect((await lncli<{ identity_pubkey: string }>("getinfo")).identity_pubkey).toBe(identity.nodePubkey);
        const height = Number(await outsideBtcctl("getblockcount"));
        await syncedTo(height, 900);
        expect(await waitFor(`the balance ${balanceBefore} after the rescan`, 600, async () => ((await confirmedBalance()) === balanceBefore ? true : undefined), 5000)).toBe(true);
        timings.rebuild = elapsed();
        const restored = await bcm(["lightning", "restore", "--cluster", cluster, "--file", fetched]);
        expect({ code: restored.exitCode, err: restored.stderr.includes("error") }).toEqual({ code: 0, err: false });
        // The peer sees the restored node's lost state and force-closes; lnd sweeps its side of the
        // closing transaction into the wallet. Every block mined pays the wallet too (a coinbase
        // maturing), so the channel's funds are found as what no coinbase brought.
        const restoredAt = Number(await outsideBtcctl("getblockcount"));
        const back = await waitFor("the peer's force-close and the channel's funds back in the wallet", 900, async () => {
            await mine(1);
            const closed = await outsideLncli<{ channels: { close_type: string }[] }>(names.lnd, ports.lndRpc, "closedchannels");
            if (!closed.channels.some((c) => c.close_type === "LOCAL_FORCE_CLOSE")) return undefined;
            const txs = (await lncli<{ transactions: ChainTx[] }>("listchaintxns", "--start_height", String(restoredAt), "--end_height", "-1")).transactions;
            const received = txs.filter((t) => !isCoinbase(t.raw_tx_hex) && t.num_confirmations > 0).reduce((sum, t) => sum + Number(t.amount), 0);
            return received > 900_000 ? received : undefined;
        }, 5000);
        log(`the channel's funds back: ${back} sat in the sweep after the peer's force-close`);
        // lnd stopped, the wallet file as it stays on the kept volume.
        await docker("-H", dc.dockerHost, "service", "scale", "--detach", "lnd-regtest=0");
        await waitFor("lnd stopped", 120, async () => ((await execa("lxc", ["exec", "bcm-bitcoin-01", "--", "sh", "-c", "docker ps -q --filter label=com.docker.swarm.service.name=lnd-regtest"], { stdin: "ignore" })).stdout.trim() === "" ? true : undefined), 2000);
        walletHash = await walletDbHash();
        await standaloneDestroy({ home, env: deviceEnv, say: () => undefined });
        expect(await volumeExists(chainVolume)).toBe(true);
        timings.restore = elapsed();
    }, 45 * 60_000);

    step("refuses another device's deploy over the kept wallet in one line, and overwrites nothing", async () => {
        // A controller of another device deploys the same data center on this LXD, where the first one's wallet was kept: bcm-lnd-start refuses it.
        const offline: Record<string, string> = { ...config, "bcm:tiers": JSON.stringify({ gateway: {}, bitcoin: {} }), "bcm:tor": JSON.stringify({ network: "offline" }), "bcm:bitcoin": JSON.stringify({ keepChainData: true }), "bcm:dockerSocketDir": path.join(otherHome, "sock") };
        delete offline["bcm:registryMirrorUpstream"];
        const refused = await up(otherEnv, otherHome, offline).then(() => undefined, (err: Error) => err);
        expect(refused?.message).toMatch(/^lnd refused to start: bcm-lnd-start: error: the wallet on this volume belongs to another seed .*; fix: .*nothing was changed$/);
        expect(refused?.message).not.toContain("\n");
        expect(await walletDbHash()).toBe(walletHash);
        await standaloneDestroy({ home: otherHome, env: otherEnv, say: () => undefined });
        await execa("lxc", ["storage", "volume", "delete", "default", chainVolume], { stdin: "ignore" });
        timings.refusal = elapsed();
    }, 45 * 60_000);

    step("on signet with Tor offline, creates and unlocks the wallet with no peer at all", async () => {
        const signet: Record<string, string> = {
            ...config,
            "bcm:tiers": JSON.stringify({ gateway: {}, bitcoin: {} }),
            "bcm:tor": JSON.stringify({ network: "offline" }),
            "bcm:chain": "signet",
            "bcm:bitcoin": JSON.stringify({ keepChainData: false }),
        };
        delete signet["bcm:registryMirrorUpstream"];
        const out = await up(deviceEnv, home, signet);
        const state = await waitFor("lnd-signet unlocked", 600, async () => {
            const s = (await lncli<{ state: string }>("state")).state;
            return ["RPC_ACTIVE", "SERVER_ACTIVE"].includes(s) ? s : undefined;
        }, 3000);
        log(`signet lnd state ${state}`);
        const id = await bcm(["lightning", "identity", "--cluster", cluster, "--chain", "signet"]);
        expect(id.exitCode).toBe(0);
        expect(JSON.parse(id.stdout)).toEqual(out.workloads.bitcoin.lightning);
        await standaloneDestroy({ home, env: deviceEnv, say: () => undefined });
        expect(await volumeExists(signetVolume)).toBe(false);
        timings.signet = elapsed();
    }, 30 * 60_000);
});
