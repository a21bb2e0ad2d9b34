import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Stack } from "@pulumi/pulumi/automation";
import { execa } from "execa";
import { docker, runOnce } from "../testing/swarmProbe";
import { openStack, repoRoot } from "../../engine";
import { policyDir, writePolicyConfig } from "../../automation/cluster/policyConfig";
import { clusterWorkDir } from "../../automation/cluster/workdir";
import { verifyCluster } from "../../automation/cluster/inspect";
import { prepareDeploy } from "../../automation/cluster/deviceValues";
import type { ElectrumConnection } from "../../automation/cluster/electrum";
import { TEST_MNEMONIC } from "../../device/testing/testMnemonic";
import { avroThroughRestScript } from "../testing/kafkaRest";
import { waitFor } from "../testing/support";
import { bdkPython, BdkSession, BdkTarget, startBdk } from "../testing/bdk";
import { deviceWallet, scriptHash } from "../testing/deviceWallet";
import { ElectrumError, electrumSession, ElectrumSession } from "../testing/electrumClient";
import { electrumView, NodeBlock, NodeTx } from "../testing/nodeView";
import { freePort, startTorNetwork, TorClient, TorNetwork } from "../tornet";

// The workload tiers end to end on the standalone data center: gateway, kafka (KRaft, the
// schema registry, the REST proxy, the chain bridge) and bitcoin (btcd and lnd on regtest),
// deployed with the policy pack, the gateway's Tor on a private Tor network this test runs on
// the LXD bridge (never the public one).
const bridge = "10.218.0.1";
const chainVolume = "bcm-bitcoin-01-chain-regtest";

/** Runs a shell script inside the running task of a swarm service, in the tier container that hosts it. */
async function inTask(container: string, service: string, script: string, opts: { user?: string } = {}): Promise<string> {
    const r = await execa(
        "lxc",
        [
            "exec", container, "--", "sh", "-c",
            `t="$(docker ps -q --filter label=com.docker.swarm.service.name=${service} | head -n 1)"; [ -n "$t" ] || { echo "no task of ${service}" >&2; exit 1; }; ` +
                `exec docker exec ${opts.user ? `-u ${opts.user} ` : ""}-i "$t" bash -c "$0"`,
            script,
        ],
        { stdin: "ignore" },
    );
    return r.stdout.trim();
}


/** The device's wallets (BIP84 accounts 0 and 1 of the test mnemonic): btcd mines to A's first address. */
const A = deviceWallet(TEST_MNEMONIC, 0);
const B = deviceWallet(TEST_MNEMONIC, 1);
/** The scripts whose Electrum answers are checked against the node: each wallet's first receive and change addresses. */
const checkedScripts = [A, B].flatMap((w) => ([0, 1] as const).flatMap((k) => [0, 1, 2, 3, 4].map((i) => w.script(k, i))));
const btcctl = (args: string) => inTask("bcm-bitcoin-01", "btcd-regtest", `btcctl --configfile=/run/secrets/btcctl.conf ${args}`);
/** bcm-electrum's status.json, as `bcm-electrum status` prints it in the server's task. */
const electrumStatus = async () =>
    JSON.parse(await inTask("bcm-bitcoin-01", "electrum-regtest", "bcm-electrum status")) as {
        state: string; height: number; node_height: number; percent: number; blocks_per_sec: number; start_height: number; rebuilt?: string;
    };
/** The regtest block subsidy at a height (halving every 150 blocks). */
const subsidy = (height: number) => Math.floor(5_000_000_000 / 2 ** Math.floor(height / 150));

/**
 * The node's chain and mempool, from btcctl in btcd's task: every block (`getblock HASH 2`,
 * following nextblockhash; blocks already read are kept) and every mempool transaction.
 */
const nodeBlocks: NodeBlock[] = [];
async function nodeChain(): Promise<{ blocks: NodeBlock[]; mempool: NodeTx[] }> {
    // The last block read is read again: its nextblockhash leads on.
    const from = Math.max(nodeBlocks.length - 1, 0);
    const out = await btcctlScript(
        `h="$($c getblockhash ${from})"; while [ -n "$h" ]; do b="$($c getblock "$h" 2 | tr -d '\\n')"; echo "$b"; ` +
            `h="$(printf '%s' "$b" | sed -n 's/.*"nextblockhash": *"\\([0-9a-f]*\\)".*/\\1/p')"; done; echo MEMPOOL; ` +
            `for t in $($c getrawmempool | tr -d '[]", '); do $c getrawtransaction "$t" 1 | tr -d '\\n'; echo; done`,
    );
    const [chainPart, mempoolPart] = out.split("MEMPOOL");
    nodeBlocks.length = from;
    for (const line of chainPart.split("\n").filter((l) => l.trim() !== "")) nodeBlocks.push(JSON.parse(line) as NodeBlock);
    nodeBlocks.forEach((b, i) => expect(b.height).toBe(i));
    return { blocks: nodeBlocks, mempool: mempoolPart.split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l) as NodeTx) };
}
const btcctlScript = (script: string) => inTask("bcm-bitcoin-01", "btcd-regtest", `c="btcctl --configfile=/run/secrets/btcctl.conf"; ${script}`);

/**
 * The server's get_history and get_balance of every checked script equal what the node's
 * chain and mempool say (polled while the server catches up with a new block or mempool
 * transaction, then asserted); returns the node's view.
 */
async function answersMatchTheNode(session: ElectrumSession) {
    let last: { server: unknown[]; node: unknown[] } = { server: [], node: [] };
    const matched = await waitFor("the server's answers to equal the node's", 90, async () => {
        const { blocks, mempool } = await nodeChain();
        const view = electrumView(blocks, mempool, checkedScripts);
        const tip = ((await session.request("blockchain.headers.subscribe")) as { height: number }).height;
        const server: unknown[] = [tip];
        const node: unknown[] = [blocks.length - 1];
        for (const script of checkedScripts) {
            const sh = scriptHash(script);
            server.push(script, await session.request("blockchain.scripthash.get_history", [sh]), await session.request("blockchain.scripthash.get_balance", [sh]));
            node.push(script, view.get(sh)!.history, view.get(sh)!.balance);
        }
        last = { server, node };
        return JSON.stringify(server) === JSON.stringify(node) ? { view, blocks, mempool } : undefined;
    }, 2000).catch((err: Error) => err);
    expect(last.server).toEqual(last.node);
    if (matched instanceof Error) throw matched;
    return matched;
}

/** The KRaft quorum as the broker reports it (LeaderId, CurrentVoters, …). */
const quorumStatus = () => inTask("bcm-kafka-01", "kafka-1", "bcm-kafka metadata-quorum --bootstrap-server kafka-1:9092 describe --status 2>/dev/null");
const quorumLed = async () => (/^LeaderId:\s+1001$/m.test(await quorumStatus().catch(() => "")) ? true : undefined);
/** A topic's keys, in order, as a read_committed consumer sees them. */
const topicKeys = async (topic: string) =>
    (await inTask("bcm-kafka-01", "kafka-1",
        `bcm-kafka console-consumer --bootstrap-server kafka-1:9092 --topic ${topic} --from-beginning --isolation-level read_committed --property print.key=true --property print.value=false --timeout-ms 20000 2>/dev/null`,
    )).split("\n").filter((l) => l !== "");
/** Every block hash of btcd's best chain from height 0, and each block's txids, in one exec. */
async function chainFromNode(tip: number): Promise<{ hashes: string[]; txids: string[] }> {
    const out = await inTask("bcm-bitcoin-01", "btcd-regtest",
        `c="btcctl --configfile=/run/secrets/btcctl.conf"; for h in $(seq 0 ${tip}); do b=$($c getblockhash $h); echo "B $b"; $c getblock $b | tr -d ' ",' | sed -n '/^tx:\\[/,/^\\]/p' | grep -E '^[0-9a-f]{64}$' | sed 's/^/T /'; done`);
    const lines = out.split("\n");
    return { hashes: lines.filter((l) => l.startsWith("B ")).map((l) => l.slice(2)), txids: lines.filter((l) => l.startsWith("T ")).map((l) => l.slice(2)) };
}
const blockCount = async () => Number(await inTask("bcm-bitcoin-01", "btcd-regtest", "btcctl --configfile=/run/secrets/btcctl.conf getblockcount"));
const lndInfo = async () =>
    JSON.parse(await inTask("bcm-bitcoin-01", "lnd-regtest", "lncli --network=regtest --lnddir=/var/lib/lnd getinfo")) as { block_height: number; synced_to_chain: boolean; identity_pubkey: string };
/** lnd's node key: it comes from the wallet on the chain volume, so the same key means the same wallet. */
const lndIdentity = async () => (await lndInfo()).identity_pubkey;
const volumeExists = async (name: string) =>
    (await execa("lxc", ["storage", "volume", "show", "default", `custom/${name}`], { reject: false, stdin: "ignore" })).exitCode === 0;

describe("workload tiers: kafka and bitcoin on the standalone data center (real engine, LXD, Swarm, private Tor network)", () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-wl-"));
    const stackName = `wl${process.pid}`;
    const passphrase = "wl-test-passphrase";
    /** The bcm command on this stack, as a user runs it (the stack is a cluster of the BCM home `home`). */
    const bcm = (...args: string[]) => execa("npx", ["--no-install", "bcm", ...args], { cwd: repoRoot, reject: false, stdin: "ignore", env: { BCM_HOME: home, PULUMI_CONFIG_PASSPHRASE: passphrase } });
    let walletTor: TorClient | undefined;
    let bdk: BdkSession | undefined;
    let connection: ElectrumConnection;
    let python: string;
    let tornet: TorNetwork;
    let upstream: { name: string; port: number } | undefined;
    let stack: Stack;
    let dc: Record<string, any>;
    let config: Record<string, string>;
    let policy: { policyPacks: string[]; policyPackConfigs: string[] };
    let identity: string;
    let deviceEnv: NodeJS.ProcessEnv;
    const up = async (opts: { refresh?: boolean } = {}) => {
        const r = await stack.up({ ...policy, ...opts, onOutput: (l) => process.env.BCM_TEST_VERBOSE && process.stdout.write(l) });
        expect(r.summary.result).toBe("succeeded");
        dc = (await stack.outputs()).dataCenter.value;
        return r;
    };

    /** What a preview would change, each step named with its diff (a bare count says nothing about which resource drifts). */
    const changedSteps = async () => {
        const steps: string[] = [];
        await stack.preview({ ...policy, onEvent: (e) => {
            const m = e.resourcePreEvent?.metadata;
            if (m && m.op !== "same") steps.push(`${m.op} ${m.urn.split("::").pop()} [${(m.diffs ?? []).join(", ")}]`);
        } });
        return steps;
    };

    beforeAll(async () => {
        const existing = await execa("lxc", ["list", "--format", "csv", "-c", "n", "^bcm-"], { stdin: "ignore" });
        if (existing.stdout.trim() !== "") {
            throw new Error(`system containers already exist on this LXD (${existing.stdout.trim()}): destroy that data center first (npm run up -- --destroy)`);
        }
        if (await volumeExists(chainVolume)) throw new Error(`${chainVolume} is left from an earlier run: delete it (lxc storage volume delete default ${chainVolume})`);
        tornet = await startTorNetwork({ address: bridge, names: {} });
        // The Docker Hub mirror will not start without its upstream: a registry on the host,
        // reached through the private Tor network, stands in for Docker Hub.
        const images = JSON.parse((await execa("bash", [path.join(repoRoot, "images", "docker", "build.sh"), "--print"])).stdout.trim().split("\n").pop()!);
        upstream = { name: `bcm-it-wl-upstream-${process.pid}`, port: await freePort(bridge) };
        await execa("docker", ["run", "-d", "--name", upstream.name, "-p", `${bridge}:${upstream.port}:5000`, images.registry]);
        // A cluster stack of the BCM home (the program `bcm` runs), so `bcm show` and `bcm electrum connect` find it.
        stack = await openStack({ workDir: clusterWorkDir(home), stackName, passphrase, home });
        python = await bdkPython();
        config = {
            "bcm:endpoints": JSON.stringify([{ name: "local", mode: "local" }]),
            "bcm:tiers": JSON.stringify({ gateway: {}, kafka: {}, bitcoin: {} }),
            "bcm:tor": JSON.stringify({ network: "private", dirAuthorities: tornet.dirAuthorityLines }),
            "bcm:chain": "regtest",
            "bcm:kafka": JSON.stringify({ topics: [{ name: "e2e", partitions: 2 }] }),
            // Kept (the default on the real chains; regtest's default is not to keep it); blocks pay to the device's wallet A.
            "bcm:bitcoin": JSON.stringify({ keepChainData: true, miningAddress: A.address(0, 0) }),
            "bcm:dockerSocketDir": path.join(home, "sock"),
            "bcm:registryMirrorUpstream": `http://${bridge}:${upstream.port}`,
        };
        await stack.setAllConfig(Object.fromEntries(Object.entries(config).map(([k, value]) => [k, { value }])));
        // What the CLI does before every deploy: lnd's wallet secret from the device (the software
        // device on the public test mnemonic), the controller's certificate, the wallet's birthday.
        const mnemonicFile = path.join(home, "mnemonic");
        fs.writeFileSync(mnemonicFile, TEST_MNEMONIC, { mode: 0o600 });
        deviceEnv = { ...process.env, BCM_DEVICE: "mnemonic", BCM_MNEMONIC_FILE: mnemonicFile };
        config = await prepareDeploy(stack, config, { home, env: deviceEnv, say: () => undefined, createControllerKey: true });
        policy = { policyPacks: [policyDir], policyPackConfigs: [writePolicyConfig(home, stackName, undefined, config)] };
    }, 10 * 60_000);

    afterAll(async () => {
        await bdk?.stop();
        await walletTor?.stop();
        if (stack) {
            await stack.destroy().catch(() => undefined);
            await stack.workspace.removeStack(stackName).catch(() => undefined);
        }
        await execa("lxc", ["storage", "volume", "delete", "default", chainVolume], { reject: false, stdin: "ignore" });
        await tornet?.stop();
        if (upstream) await execa("docker", ["rm", "-f", upstream.name], { reject: false });
        fs.rmSync(home, { recursive: true, force: true });
    });

    it("comes up with the policy pack: three tiers in one swarm, every workload service running", async () => {
        await up();
        expect(dc.containers.map((c: { name: string }) => c.name)).toEqual(["bcm-gateway-01", "bcm-kafka-01", "bcm-bitcoin-01"]);
        const services = await docker(dc.dockerHost, ["service", "ls", "--format", "{{.Name}} {{.Replicas}}"]);
        for (const s of ["kafka-controller-1", "kafka-1", "kafka-connect-1", "schema-registry-1", "kafka-rest-1", "chain-bridge-regtest", "btcd-regtest", "lnd-regtest", "electrum-regtest", "tor", "registry"]) {
            expect(services.stdout.split("\n")).toContain(`${s} 1/1`);
        }
        expect(dc.workloads.kafka).toMatchObject({
            bootstrapServers: "kafka-1:9092",
            controllerQuorum: "1001@kafka-controller-1:9093",
            replicationFactor: 1,
            schemaRegistryUrls: "http://schema-registry-1:8081",
            restProxyUrls: "http://kafka-rest-1:8082",
            topics: ["e2e"],
        });
        expect(dc.workloads.bitcoin.chainTopics).toEqual({ blocks: "bitcoin.regtest.blocks", transactions: "bitcoin.regtest.transactions" });
        expect(dc.workloads.bitcoin).toMatchObject({
            implementation: "btcd", node: "btcd-regtest", lnd: "lnd-regtest", rpc: "btcd-regtest:18334",
            electrum: { service: "electrum-regtest", address: "electrum-regtest:50001" },
        });
        expect(dc.workloads.bitcoin.miningAddress).toBe(A.address(0, 0));
    }, 20 * 60_000);

    it("passes bcm cluster verify with all three tiers (endpoints answer, no change with the policy pack)", async () => {
        const lines = await verifyCluster(stackName, {
            home,
            env: { ...process.env, PULUMI_CONFIG_PASSPHRASE: passphrase },
            say: () => undefined,
            deviceKind: Promise.resolve("mnemonic"),
        });
        expect(lines).toEqual([expect.stringMatching(/^endpoint local \(local, unix:\/\/.*\) answers$/), `stack ${stackName}: no pending changes (preview with the policy pack)`]);
    }, 10 * 60_000);

    it("keeps the registry's writes behind credentials and deletes off; its ports and Tor's answer the data center, not a stranger on the bridge", async () => {
        const gw = (script: string) => execa("lxc", ["exec", "bcm-gateway-01", "--", "sh", "-c", script], { stdin: "ignore", reject: false });
        const code = async (script: string) => (await gw(`curl -s -o /dev/null -w '%{http_code}' ${script}`)).stdout;
        // Pushes: refused without credentials, taken with them; the pull side takes no write at all.
        expect(await code("-X POST http://127.0.0.1:5011/v2/bcm/probe/blobs/uploads/")).toBe("401");
        const { user, password } = dc.registryPush;
        expect(dc.registryPush.address).toMatch(/:5011$/);
        const authed = await execa("lxc", ["exec", "bcm-gateway-01", "--", "sh", "-c", `curl -s -o /dev/null -w '%{http_code}' -K - -X POST http://127.0.0.1:5011/v2/bcm/probe/blobs/uploads/`], {
            input: `user = "${user}:${password}"\n`,
        });
        expect(authed.stdout).toBe("202");
        expect(await code("-X POST http://127.0.0.1:5010/v2/bcm/probe/blobs/uploads/")).toBe("405");
        // Deletes: off on both sides (a manifest that exists, by digest).
        const ref = dc.images.tor as string;
        const [repo, digest] = ref.replace(/^127\.0\.0\.1:5010\//, "").split("@");
        expect(await code(`-X DELETE http://127.0.0.1:5010/v2/${repo}/manifests/${digest}`)).toBe("405");
        const del = await execa("lxc", ["exec", "bcm-gateway-01", "--", "sh", "-c", `curl -s -o /dev/null -w '%{http_code}' -K - -X DELETE http://127.0.0.1:5011/v2/${repo}/manifests/${digest}`], {
            input: `user = "${user}:${password}"\n`,
        });
        expect(del.stdout).toBe("405");
        expect((await execa("curl", ["-sf", `http://${dc.registry}/v2/${repo}/manifests/${digest}`, "-H", "Accept: application/vnd.docker.distribution.manifest.v2+json"])).exitCode).toBe(0);

        // A container on the same LXD bridge that is not part of the data center.
        const gwAddress = (dc.registry as string).split(":")[0];
        const stranger = `bcm-stranger-${process.pid}`;
        const image = ((await stack.outputs()).endpoints.value as { images: Record<string, string> }[])[0].images["bcm-base"];
        await execa("lxc", ["launch", image, stranger], { stdin: "ignore" });
        try {
            await waitFor(`${stranger}'s address`, 60, async () => ((await execa("lxc", ["exec", stranger, "--", "ip", "-4", "-o", "addr", "show", "eth0"], { reject: false })).stdout.includes("inet ") ? true : undefined), 1000);
            const tcp = (from: string, port: number) =>
                execa("lxc", ["exec", from, "--", "timeout", "6", "bash", "-c", `exec 3<>/dev/tcp/${gwAddress}/${port}`], { stdin: "ignore", reject: false });
            // A DNS query for "bcm.test" (any answer, even NXDOMAIN, means the port answered).
            const query = "\\x12\\x34\\x01\\x00\\x00\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x03bcm\\x04test\\x00\\x00\\x01\\x00\\x01";
            const dns = (from: string[]) => {
                const cmd = [...from, "timeout", "6", "bash", "-c", `exec 3<>/dev/udp/${gwAddress}/9053; printf '${query}' >&3; head -c 2 <&3 | od -An -tx1`];
                return execa(cmd[0], cmd.slice(1), { stdin: "ignore", reject: false });
            };
            for (const port of [5010, 5011, 5000, 9050]) {
                const r = await tcp(stranger, port);
                expect({ port, refused: r.exitCode !== 0 }).toEqual({ port, refused: true });
            }
            expect((await dns(["lxc", "exec", stranger, "--"])).stdout.trim()).toBe("");
            // The data center itself: the controller (this host) reaches SOCKS and DNS; a tier container pulls through its 127.0.0.1:5010.
            expect((await execa("timeout", ["6", "bash", "-c", `exec 3<>/dev/tcp/${gwAddress}/9050`], { reject: false })).exitCode).toBe(0);
            expect((await dns([])).stdout.trim()).toBe("12 34");
            expect((await execa("lxc", ["exec", "bcm-bitcoin-01", "--", "curl", "-sf", "http://127.0.0.1:5010/v2/"], { stdin: "ignore", reject: false })).exitCode).toBe(0);
        } finally {
            await execa("lxc", ["delete", "--force", stranger], { stdin: "ignore", reject: false });
        }
    }, 10 * 60_000);

    it("has a KRaft quorum led by its controller and round-trips a message through the broker on the stack's topic", async () => {
        expect(await waitFor("the controller leading", 120, quorumLed, 2000)).toBe(true);
        const described = await inTask("bcm-kafka-01", "kafka-1", "bcm-kafka topics --bootstrap-server kafka-1:9092 --describe --topic e2e");
        expect(described).toMatch(/PartitionCount: 2/);
        const message = `hello-${process.pid}`;
        await inTask("bcm-kafka-01", "kafka-1", `echo ${message} | bcm-kafka console-producer --bootstrap-server kafka-1:9092 --topic e2e`);
        const read = await inTask(
            "bcm-kafka-01", "kafka-1",
            "bcm-kafka console-consumer --bootstrap-server kafka-1:9092 --topic e2e --from-beginning --max-messages 1 --timeout-ms 60000 2>/dev/null",
        );
        expect(read).toContain(message);
        // Kafka Connect answers on the tier's overlay, next to its broker.
        const connect = await runOnce(dc.dockerHost, "wl-connect-probe", dc.images.toolbox, ["bcm-kafka"], "engine.labels.bcm-tier == kafka", "curl -sf --retry 10 --retry-all-errors --retry-delay 3 http://kafka-connect-1:8083/");
        expect(JSON.parse(connect.out.trim())).toMatchObject({ version: expect.stringMatching(/^3\.9\./) });
    }, 10 * 60_000);

    it("mines regtest blocks on btcd, and lnd reports the same height", async () => {
        await waitFor("btcd's RPC", 120, async () => ((await blockCount()) >= 0 ? true : undefined), 2000);
        await inTask("bcm-bitcoin-01", "btcd-regtest", "btcctl --configfile=/run/secrets/btcctl.conf generate 101 >/dev/null");
        const info = JSON.parse(await inTask("bcm-bitcoin-01", "btcd-regtest", "btcctl --configfile=/run/secrets/btcctl.conf getblockchaininfo"));
        expect(info).toMatchObject({ chain: "regtest", blocks: 101 });
        const lnd = await waitFor("lnd at height 101", 180, async () => {
            const i = await lndInfo();
            return i.block_height === 101 && i.synced_to_chain ? i : undefined;
        }, 2000);
        expect(lnd.block_height).toBe(101);
        identity = lnd.identity_pubkey;
        expect(identity).toMatch(/^0[23][0-9a-f]{64}$/);
        // The wallet is the device's: the node key the controller derived from the same secret.
        expect(identity).toBe(dc.workloads.bitcoin.lightning.nodePubkey);
    }, 10 * 60_000);

    it("registers a schema in the registry, produces Avro with it through the REST proxy, and reads it back through a consumer instance", async () => {
        const script = avroThroughRestScript("http://schema-registry-1:8081", "http://kafka-rest-1:8082", "e2e-avro");
        const r = await runOnce(dc.dockerHost, "wl-streams-probe", dc.images.toolbox, ["bcm-kafka"], "engine.labels.bcm-tier == kafka", script);
        const answer = JSON.parse(r.out.trim().split("\n").pop()!);
        expect(answer.produced).toMatchObject({ value_schema_id: answer.schema_id, offsets: [{ partition: 0, offset: 0, error_code: null }] });
        expect(answer.records).toEqual([{ topic: "e2e-avro", key: null, value: { n: 42, note: { string: "through the proxy" } }, partition: 0, offset: 0 }]);
        // The record in Kafka is in the registry's wire format: magic byte 0, then the schema's id.
        const head = await inTask("bcm-kafka-01", "kafka-1",
            "bcm-kafka console-consumer --bootstrap-server kafka-1:9092 --topic e2e-avro --from-beginning --max-messages 1 --timeout-ms 30000 2>/dev/null | head -c 5 | od -An -tu1");
        expect(head.trim().split(/\s+/).map(Number)).toEqual([0, 0, 0, 0, answer.schema_id]);
    }, 10 * 60_000);

    it("carries the chain into Kafka: every block and transaction once and in order, through a bridge killed mid-way", async () => {
        const blocks = "bitcoin.regtest.blocks";
        const txs = "bitcoin.regtest.transactions";
        // The 101 blocks mined above (and the genesis block) are in.
        expect(await waitFor("blocks 0..101 in Kafka", 240, async () => ((await topicKeys(blocks)).length >= 102 ? true : undefined), 3000)).toBe(true);
        await btcctl("generate 25 >/dev/null");
        // Killed while it writes: the swarm starts it again (restart policy), and it resumes after the last committed block.
        await execa("lxc", ["exec", "bcm-kafka-01", "--", "sh", "-c", "docker kill $(docker ps -q --filter label=com.docker.swarm.service.name=chain-bridge-regtest)"], { stdin: "ignore" });
        await btcctl("generate 25 >/dev/null");
        const node = await chainFromNode(151);
        expect(node.hashes).toHaveLength(152);
        const got = await waitFor("blocks 0..151 in Kafka", 300, async () => {
            const keys = await topicKeys(blocks);
            return keys.length >= 152 ? keys : undefined;
        }, 3000);
        expect(got).toEqual(node.hashes);
        expect(await topicKeys(txs)).toEqual(node.txids);
        const restarts = await docker(dc.dockerHost, ["service", "ps", "chain-bridge-regtest", "--format", "{{.CurrentState}}"]);
        expect(restarts.stdout.split("\n").length).toBeGreaterThanOrEqual(2);
    }, 15 * 60_000);

    it("restarts broker kafka-1 through a Swarm update ten times in a row, each converging, with the topic's data kept", async () => {
        for (let i = 1; i <= 10; i++) {
            const r = await docker(dc.dockerHost, ["service", "update", "--force", "--detach=false", "--quiet", "kafka-1"], { reject: false });
            const state = (await docker(dc.dockerHost, ["service", "inspect", "kafka-1", "--format", "{{.UpdateStatus.State}}"])).stdout.trim();
            expect({ update: i, exitCode: r.exitCode, state, stderr: r.stderr }).toEqual({ update: i, exitCode: 0, state: "completed", stderr: "" });
        }
        const read = await waitFor("the first message after ten restarts", 120, async () =>
            (await inTask("bcm-kafka-01", "kafka-1", "bcm-kafka console-consumer --bootstrap-server kafka-1:9092 --topic e2e --from-beginning --max-messages 1 --timeout-ms 30000 2>/dev/null")) || undefined,
            2000,
        );
        expect(read).toContain(`hello-${process.pid}`);
    }, 20 * 60_000);

    it("runs a user's stream app (bcm:kafka.apps) from the private registry: it reads and writes its topic, Kafka refuses it any other, and nothing else of the tier is reachable from it", async () => {
        // The app, as a user would build it: an image of their own (here on the toolbox's
        // Python with confluent-kafka) that reports what it could do, then stays up.
        const app = [
            "import json, os, socket, time",
            "from confluent_kafka import Consumer, Producer",
            "conf = {'bootstrap.servers': os.environ['KAFKA_BOOTSTRAP_SERVERS'], 'security.protocol': os.environ['KAFKA_SECURITY_PROTOCOL'],",
            "        'sasl.mechanism': os.environ['KAFKA_SASL_MECHANISM'], 'sasl.username': os.environ['KAFKA_SASL_USERNAME'],",
            "        'sasl.password': open(os.environ['KAFKA_SASL_PASSWORD_FILE']).read().strip()}",
            "topic = os.environ['BCM_KAFKA_TOPICS'].split(',')[0]",
            "def produce(t):",
            "    errors = []",
            "    p = Producer(dict(conf, **{'message.timeout.ms': 30000}), error_cb=lambda e: errors.append(str(e)))",
            "    p.produce(t, b'from-the-app', on_delivery=lambda e, m: errors.append(str(e)) if e else None)",
            "    left = p.flush(40)",
            "    return 'ok' if not errors and left == 0 else ('; '.join(errors) or 'not delivered')",
            "def reach(host, port):",
            "    try:",
            "        socket.create_connection((host, port), timeout=5).close()",
            "        return 'open'",
            "    except Exception as e:",
            "        return type(e).__name__",
            "result = {'own': produce(topic), 'other': produce('bitcoin.regtest.blocks')}",
            "c = Consumer(dict(conf, **{'group.id': os.environ['BCM_KAFKA_GROUP_PREFIX'] + '-reader', 'auto.offset.reset': 'earliest'}))",
            "c.subscribe([topic])",
            "got, deadline = None, time.time() + 60",
            "while got is None and time.time() < deadline:",
            "    m = c.poll(1)",
            "    if m is not None and not m.error(): got = m.value().decode()",
            "c.close()",
            "result['read'] = got",
            "for name, (host, port) in {'registry': ('schema-registry-1', 8081), 'internal': ('kafka-1', 9092), 'rest': ('kafka-rest-1', 8082), 'connect': ('kafka-connect-1', 8083), 'tor': ('tor', 9050)}.items():",
            "    result[name] = reach(host, port)",
            "print('BCM-APP-RESULT ' + json.dumps(result), flush=True)",
            "time.sleep(10 ** 9)",
        ].join("\n");
        const context = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-wl-app-"));
        const login = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-wl-login-"));
        const images = JSON.parse((await execa("bash", [path.join(repoRoot, "images", "docker", "build.sh"), "--print"])).stdout.trim().split("\n").pop()!);
        const ref = `127.0.0.1:5011/e2e/kafka-app:${process.pid}`;
        try {
            fs.writeFileSync(path.join(context, "app.py"), app);
            fs.writeFileSync(path.join(context, "Dockerfile"), `FROM ${images.toolbox}\nCOPY app.py /app.py\nCMD ["python3", "/app.py"]\n`);
            await execa("docker", ["build", "-q", "-t", `e2e/kafka-app:${process.pid}`, context]);
            // Pushed as the README says: to the registry's push side with the stack's credentials, from the first gateway container's dockerd.
            const onGateway = (...args: string[]) => execa("docker", ["-H", dc.dockerHost, ...args], { env: { ...process.env, DOCKER_CONFIG: login } });
            await execa("sh", ["-c", `docker save e2e/kafka-app:${process.pid} | docker -H "$H" load -q`], { env: { ...process.env, H: dc.dockerHost } });
            await execa("docker", ["-H", dc.dockerHost, "login", "-u", dc.registryPush.user, "--password-stdin", "127.0.0.1:5011"], { input: dc.registryPush.password, env: { ...process.env, DOCKER_CONFIG: login } });
            await onGateway("tag", `e2e/kafka-app:${process.pid}`, ref);
            await onGateway("push", "-q", ref);
        } finally {
            fs.rmSync(context, { recursive: true, force: true });
            fs.rmSync(login, { recursive: true, force: true });
            await execa("docker", ["rmi", `e2e/kafka-app:${process.pid}`], { reject: false });
        }
        config["bcm:kafka"] = JSON.stringify({ topics: [{ name: "e2e", partitions: 2 }, { name: "e2e-app", partitions: 1 }], apps: [{ name: "e2e", image: `e2e/kafka-app:${process.pid}`, topics: ["e2e-app"] }] });
        await stack.setConfig("bcm:kafka", { value: config["bcm:kafka"] });
        policy.policyPackConfigs = [writePolicyConfig(home, stackName, undefined, config)];
        await up();
        expect(dc.workloads.kafka.apps).toEqual(["kafka-app-e2e"]);
        const line = await waitFor("the app's report", 240, async () => {
            // `docker service logs` hangs at times (docker/cli#4678): each look has half a minute.
            const logs = await execa("docker", ["-H", dc.dockerHost, "service", "logs", "--raw", "kafka-app-e2e"], { reject: false, stdin: "ignore", timeout: 30_000 });
            return logs.stdout.split("\n").find((l) => l.startsWith("BCM-APP-RESULT "));
        }, 3000);
        const result = JSON.parse(line.slice("BCM-APP-RESULT ".length)) as Record<string, string | null>;
        expect(result).toMatchObject({ own: "ok", read: "from-the-app", registry: "open" });
        expect(result.other).toMatch(/TOPIC_AUTHORIZATION_FAILED|not authorized/i);
        // kafka-1's internal listener is not on the apps' network; the REST proxy, Connect and Tor have no name there.
        expect(result.internal).not.toBe("open");
        for (const k of ["rest", "connect", "tor"]) expect({ [k]: result[k] }).toEqual({ [k]: "gaierror" });
        // Its record is in its topic, as the tier's own clients see it.
        expect(await topicKeys("e2e-app")).toHaveLength(1);
        const grants = () => inTask("bcm-kafka-01", "kafka-1", "bcm-kafka acls --bootstrap-server kafka-1:9092 --list --principal User:app-e2e 2>/dev/null");
        const credential = () => inTask("bcm-kafka-01", "kafka-1", "bcm-kafka configs --bootstrap-server kafka-1:9092 --describe --entity-type users --entity-name app-e2e 2>/dev/null");
        expect(await grants()).toMatch(/name=e2e-app, patternType=LITERAL[\s\S]*principal=User:app-e2e/);
        expect(await credential()).toContain("SCRAM-SHA-512");
        // With an app in the stack, the next up has nothing to do.
        expect(await changedSteps()).toEqual([]);

        // Taken out of the stack, the app goes with its grants and its credential (its image stays the user's).
        config["bcm:kafka"] = JSON.stringify({ topics: [{ name: "e2e", partitions: 2 }, { name: "e2e-app", partitions: 1 }] });
        await stack.setConfig("bcm:kafka", { value: config["bcm:kafka"] });
        policy.policyPackConfigs = [writePolicyConfig(home, stackName, undefined, config)];
        await up();
        expect(dc.workloads.kafka.apps).toEqual([]);
        expect((await docker(dc.dockerHost, ["service", "ls", "--format", "{{.Name}}"])).stdout.split("\n")).not.toContain("kafka-app-e2e");
        // (The listing's header names the principal whether or not it has ACLs.)
        expect(await grants()).not.toMatch(/principal=User:app-e2e/);
        expect(await credential()).not.toContain("SCRAM-SHA-512");
    }, 20 * 60_000);

    it("keeps RPC off every published port, and serves it to the controller only through the authenticated onion service", async () => {
        const published = await docker(dc.dockerHost, ["service", "inspect", "btcd-regtest", "lnd-regtest", "electrum-regtest", "--format", "{{json .Endpoint.Ports}}"]);
        expect(published.stdout.split("\n")).toEqual(["null", "null", "null"]);
        const rpcOnion = dc.onions["btcd-regtest-rpc"];
        expect(rpcOnion.address).toMatch(/^[a-z2-7]{56}\.onion$/);
        const authDir = path.join(home, "auth");
        fs.mkdirSync(authDir, { mode: 0o700 });
        fs.writeFileSync(path.join(authDir, "rpc.auth_private"), rpcOnion.clientAuthLines.controller + "\n", { mode: 0o600 });
        const clients: TorClient[] = [await tornet.startClient({ clientAuthDir: authDir }), await tornet.startClient({})];
        try {
            const { user, password } = dc.workloads.bitcoin.rpcCredentials;
            const rpc = await execa("curl", [
                "-sk", "--max-time", "60", "--retry", "6", "--retry-all-errors", "--retry-delay", "3",
                "--socks5-hostname", clients[0].socks, "-u", `${user}:${password}`,
                "-d", '{"jsonrpc":"1.0","id":1,"method":"getblockcount","params":[]}',
                `https://${rpcOnion.address}:18334/`,
            ]);
            expect(JSON.parse(rpc.stdout)).toMatchObject({ result: 151 });
            // Without the client key the RPC onion is unreachable; the P2P and lnd onions are open to anyone.
            const stranger = await execa("curl", ["-sk", "--max-time", "30", "--socks5-hostname", clients[1].socks, `https://${rpcOnion.address}:18334/`], { reject: false });
            expect(stranger.exitCode).not.toBe(0);
            // A connection that reaches the node is closed by it after curl's HTTP request (empty
            // reply 52, or reset 56); an unreachable onion fails in the SOCKS handshake (97) or times out.
            for (const [name, port] of [["btcd-regtest-p2p", 18444], ["lnd-regtest", 9735]] as const) {
                const reached = await waitFor(`${name}'s onion`, 180, async () => {
                    const r = await execa("curl", ["-s", "--max-time", "30", "--socks5-hostname", clients[1].socks, `http://${dc.onions[name].address}:${port}/`], { reject: false });
                    return [52, 56].includes(r.exitCode ?? -1) ? r.exitCode : undefined;
                }, 2000);
                expect({ name, reached: [52, 56].includes(reached!) }).toEqual({ name, reached: true });
            }
        } finally {
            await Promise.all(clients.map((c) => c.stop()));
        }
    }, 10 * 60_000);

    it("serves the device's wallet through the Electrum onion with the key `bcm electrum connect` wrote: BDK sees what btcd mines to it and a payment to it, spends through it, every answer as the node's; without the key, no connection", async () => {
        const printed = await bcm("electrum", "connect", "--cluster", stackName);
        expect(printed.stderr).toBe("");
        expect(printed.exitCode).toBe(0);
        const json = await bcm("electrum", "connect", "--cluster", stackName, "--json");
        expect(json.exitCode).toBe(0);
        connection = JSON.parse(json.stdout) as ElectrumConnection;
        expect(connection).toMatchObject({ cluster: stackName, chain: "regtest", service: "electrum-regtest", onion: dc.onions["electrum-regtest"].address, port: 50001, torNetwork: "private" });
        expect(connection.authFile).toBe(path.join(home, "onion-auth", stackName, "electrum-regtest-controller.auth_private"));
        expect(printed.stdout).toContain(`  onion address:  ${connection.onion}\n  port:           50001 `);
        expect(printed.stdout).toContain(`  client key:     ${connection.clientAuthLine}\n  written to:     ${connection.authFile}\n`);
        expect(connection.clientAuthLine).toMatch(new RegExp(`^${connection.onion.replace(".onion", "")}:descriptor:x25519:[A-Z2-7]{52}$`));
        expect(fs.readFileSync(connection.authFile, "utf8")).toBe(connection.clientAuthLine + "\n");
        expect(fs.statSync(connection.authFile).mode & 0o777).toBe(0o600);

        // The wallet's Tor reads its client keys from the directory `bcm electrum connect` wrote to, and nowhere else.
        walletTor = await tornet.startClient({ clientAuthDir: path.dirname(connection.authFile) });
        const target = (w: typeof A, name: string): BdkTarget => ({ wallet: name, descriptor: w.descriptor, changeDescriptor: w.changeDescriptor, url: connection.url, socks5: walletTor!.socks });
        const [walletA, walletB] = [target(A, "A"), target(B, "B")];
        bdk = startBdk(python);
        const session = await waitFor("the Electrum onion service", 180, () => electrumSession(walletTor!.socks, connection.onion, connection.port), 3000);
        try {
            expect(await session.request("server.version", ["bcm-test", "1.4"])).toEqual([expect.stringMatching(/^bcm-electrum /), "1.4"]);
            // Segwit is active on btcd's regtest from height 432: until then no P2WPKH output can be spent.
            await btcctl(`generate ${432 - (await blockCount())} >/dev/null`);
            await answersMatchTheNode(session);

            // btcd mined every block to A's first address: BDK sees each coinbase, the last 99 immature.
            const mined = await bdk.sync(walletA);
            const tip = await blockCount();
            expect(mined.tip).toBe(tip);
            expect(mined.txs.filter((t) => t.confirmed && t.sent === 0).map((t) => t.height)).toEqual(Array.from({ length: tip }, (_, i) => i + 1));
            const immature = Array.from({ length: 99 }, (_, i) => subsidy(tip - i)).reduce((a, b) => a + b, 0);
            const total = Array.from({ length: tip }, (_, i) => subsidy(i + 1)).reduce((a, b) => a + b, 0);
            expect(mined.balance).toEqual({ confirmed: total - immature, immature, trusted_pending: 0, untrusted_pending: 0, total });

            // A pays B through the server; btcd takes it and mines it.
            const spend = await bdk.send(walletA, B.address(0, 0), 100_000_000);
            expect(JSON.parse(await btcctl("getrawmempool"))).toEqual([spend.txid]);
            await btcctl("generate 1 >/dev/null");
            await answersMatchTheNode(session);
            const b = await bdk.sync(walletB);
            expect(b.txs).toEqual([{ txid: spend.txid, confirmed: true, height: tip + 1, received: 100_000_000, sent: 0 }]);
            expect(b.balance).toMatchObject({ confirmed: 100_000_000, total: 100_000_000 });

            // B pays A: unconfirmed first (answers with the mempool entry and its fee), then confirmed.
            const payment = await bdk.send(walletB, A.address(0, 1), 30_000_000);
            const pending = await answersMatchTheNode(session);
            expect(pending.mempool.map((t) => t.txid)).toEqual([payment.txid]);
            expect(pending.view.get(scriptHash(A.script(0, 1)))!.history).toEqual([{ tx_hash: payment.txid, height: 0, fee: payment.fee }]);
            const unconfirmed = await bdk.sync(walletA);
            // A's own spend, confirmed: what left the wallet is the payment and its fee (the rest came back as change).
            const spent = unconfirmed.txs.find((t) => t.txid === spend.txid)!;
            expect(spent).toMatchObject({ confirmed: true, height: tip + 1 });
            expect(spent.sent - spent.received).toBe(100_000_000 + spend.fee);
            expect(unconfirmed.txs.find((t) => t.txid === payment.txid)).toEqual({ txid: payment.txid, confirmed: false, height: null, received: 30_000_000, sent: 0 });
            expect(unconfirmed.balance.untrusted_pending).toBe(30_000_000);
            await btcctl("generate 1 >/dev/null");
            const confirmed = await answersMatchTheNode(session);
            expect(confirmed.mempool).toEqual([]);
            const received = await bdk.sync(walletA);
            expect(received.txs.find((t) => t.txid === payment.txid)).toEqual({ txid: payment.txid, confirmed: true, height: tip + 2, received: 30_000_000, sent: 0 });
            expect(received.balance.untrusted_pending).toBe(0);
            expect(received.balance.total).toBe(unconfirmed.balance.total + subsidy(tip + 2) + payment.fee);
        } finally {
            session.close();
        }

        // A Tor client without the key cannot reach the server: neither BDK nor a raw connection.
        const stranger = await tornet.startClient({});
        try {
            await expect(bdk.sync({ ...walletA, wallet: "A-stranger", socks5: stranger.socks })).rejects.toThrow(/^BDK sync: /);
            await expect(electrumSession(stranger.socks, connection.onion, connection.port)).rejects.toThrow(/SOCKS connect to .*\.onion:50001 refused|closed the connection|no answer/);
        } finally {
            await stranger.stop();
        }
    }, 20 * 60_000);

    it("says in bcm show how far it has indexed, answers server.version at once and refuses history until caught up (btcd's link slowed, the index started afresh)", async () => {
        // btcd's overlay link is slowed to 16 kbit/s (tc tbf in its task's network namespace), so indexing takes minutes, not a second.
        const btcdLinks = (op: "add" | "del") =>
            execa("lxc", ["exec", "bcm-bitcoin-01", "--", "sh", "-c",
                `pid="$(docker inspect -f '{{.State.Pid}}' "$(docker ps -q --filter label=com.docker.swarm.service.name=btcd-regtest | head -n 1)")"; ` +
                    `for i in $(nsenter -t "$pid" -n ip -o link | awk -F': ' '$2 != "lo" { sub(/@.*/, "", $2); print $2 }'); do ` +
                    `nsenter -t "$pid" -n tc qdisc ${op} dev "$i" root ${op === "add" ? "tbf rate 16kbit burst 1600 latency 30s" : ""} || exit 1; done`,
            ], { stdin: "ignore" });
        const tip = await blockCount();
        const history = scriptHash(A.script(0, 0));
        await btcdLinks("add");
        let session: ElectrumSession | undefined;
        try {
            // The server is stopped, its index deleted; the swarm starts it again, on an empty index.
            await execa("lxc", ["exec", "bcm-bitcoin-01", "--", "sh", "-c",
                "docker kill \"$(docker ps -q --filter label=com.docker.swarm.service.name=electrum-regtest | head -n 1)\" && rm -f /var/lib/bcm/chain-regtest/electrum/index.db /var/lib/bcm/chain-regtest/electrum/status.json",
            ], { stdin: "ignore" });
            const indexing = await waitFor("the server indexing afresh", 120, async () => {
                const s = await electrumStatus();
                return s.state === "indexing" && s.start_height === -1 && s.height > 0 && s.blocks_per_sec > 0 ? s : undefined;
            }, 1000);
            expect(indexing.node_height).toBe(tip);

            session = await waitFor("the Electrum onion service", 120, () => electrumSession(walletTor!.socks, connection.onion, connection.port), 3000);
            const started = Date.now();
            expect(await session.request("server.version", ["bcm-test", "1.4"])).toEqual([expect.stringMatching(/^bcm-electrum /), "1.4"]);
            expect(Date.now() - started).toBeLessThan(10_000);
            const refusal = await session.request("blockchain.scripthash.get_history", [history]).then(() => undefined, (e: unknown) => e);
            expect(refusal).toBeInstanceOf(ElectrumError);
            expect(refusal).toMatchObject({ code: -32000, message: expect.stringMatching(new RegExp(`^indexing \\d+\\.\\d% \\(\\d+/${tip}\\): try again when the index has caught up with the node$`)) });

            // bcm show prints the server's last status: a rate over the last 2 s, which is 0 when no batch was committed then; shown again until it moves.
            const shown: { percent: number; height: number; of: number; rate: number }[] = [];
            const moving = await waitFor("bcm show reporting the indexing with a rate", 120, async () => {
                const show = await bcm("show", stackName);
                if (show.exitCode !== 0) throw new Error(`bcm show: exit ${show.exitCode}: ${show.stderr}`);
                const line = /^ {2}electrum electrum-regtest {2}indexing (\d+\.\d)% \(height (\d+) of (\d+), ([\d.]+) blocks\/s, ([\d.]+) txs\/s\)$/m.exec(show.stdout);
                if (!line) throw new Error(`bcm show has no indexing line for electrum-regtest:\n${show.stdout}`);
                const [, percent, height, of, rate] = line.map(Number);
                shown.push({ percent, height, of, rate });
                return rate > 0 ? shown[shown.length - 1] : undefined;
            }, 0);
            expect({ of: moving.of, below: moving.height < tip && moving.percent < 100 }).toEqual({ of: tip, below: true });
            expect(shown.map((r) => r.height)).toEqual(shown.map((r) => r.height).sort((x, y) => x - y));
        } finally {
            await btcdLinks("del");
        }
        try {
            const synced = await waitFor("the server caught up", 180, async () => {
                const s = await electrumStatus();
                return s.state === "synced" && s.height === tip ? s : undefined;
            }, 1000);
            expect(synced.node_height).toBe(tip);
            await answersMatchTheNode(session!);
            expect((await bcm("show", stackName)).stdout).toMatch(new RegExp(`^ {2}electrum electrum-regtest {2}synced at height ${tip} \\(node ${tip}\\), \\d+ connection\\(s\\)$`, "m"));
        } finally {
            session?.close();
        }
    }, 10 * 60_000);

    it("shows no changes on a second up", async () => {
        expect(await changedSteps()).toEqual([]);
        const again = await up();
        expect(Object.keys(again.summary.resourceChanges ?? {})).toEqual(["same"]);
    }, 10 * 60_000);

    // btcd deletes its regtest chain whenever it starts (by design: regtest is for tests), so what
    // the kept volume shows on regtest is lnd's wallet; on the other chains it keeps btcd's chain too.
    it("restores stopped tier containers on the next up (no refresh needed), with Kafka's data and lnd's wallet where they were", async () => {
        // A clean stop, as a host shutdown does: dockerd stops the tasks, btcd flushes its chain state.
        await execa("lxc", ["stop", "--timeout", "120", "bcm-kafka-01", "bcm-bitcoin-01"], { stdin: "ignore" });
        // No --refresh: the LXD provider finds the stopped containers on the daemon by itself.
        await up();
        const state = await execa("lxc", ["list", "--format", "csv", "-c", "ns", "^bcm-(kafka|bitcoin)-01$"], { stdin: "ignore" });
        expect(state.stdout.split("\n").sort()).toEqual(["bcm-bitcoin-01,RUNNING", "bcm-kafka-01,RUNNING"]);
        expect(await waitFor("the quorum led again", 240, quorumLed, 2000)).toBe(true);
        expect(await waitFor("btcd's RPC again", 240, async () => ((await blockCount()) >= 0 ? true : undefined), 2000)).toBe(true);
        expect(await waitFor("lnd with the same wallet", 240, async () => ((await lndIdentity()) === identity ? true : undefined), 2000)).toBe(true);
        // The Electrum server resumes from its index on the kept volume and follows btcd's new (wiped) regtest chain down.
        const height = await blockCount();
        const following = await waitFor("the Electrum server following btcd again", 240, async () => {
            const s = await electrumStatus();
            return s.state === "synced" && s.height === height && s.node_height === height ? s : undefined;
        }, 2000);
        // It resumed an index it found on the volume (a new one starts at -1), which was not damaged.
        expect({ resumed: following.start_height >= 0, rebuilt: following.rebuilt }).toEqual({ resumed: true, rebuilt: undefined });
        const read = await waitFor("the message after the restart", 240, async () =>
            (await inTask("bcm-kafka-01", "kafka-1", "bcm-kafka console-consumer --bootstrap-server kafka-1:9092 --topic e2e --from-beginning --max-messages 1 --timeout-ms 30000 2>/dev/null")) || undefined,
            2000,
        );
        expect(read).toContain(`hello-${process.pid}`);
    }, 15 * 60_000);

    it("keeps the chain volume on destroy when protected, takes it back on the next up, and deletes it when not protected", async () => {
        expect((await stack.destroy()).summary.result).toBe("succeeded");
        expect((await execa("lxc", ["list", "--format", "csv", "-c", "n", "^bcm-"], { stdin: "ignore" })).stdout.trim()).toBe("");
        expect(await volumeExists(chainVolume)).toBe(true);
        expect(await volumeExists("bcm-bitcoin-01-docker")).toBe(false);

        const unprotected = JSON.stringify({ ...JSON.parse(config["bcm:bitcoin"]), keepChainData: false });
        await stack.setConfig("bcm:bitcoin", { value: unprotected });
        policy.policyPackConfigs = [writePolicyConfig(home, stackName, undefined, { ...config, "bcm:bitcoin": unprotected })];
        await up();
        // The kept volume came back: lnd runs with the wallet it had.
        expect(await waitFor("lnd with the kept wallet", 300, async () => ((await lndIdentity()) === identity ? true : undefined), 2000)).toBe(true);
        expect((await stack.destroy()).summary.result).toBe("succeeded");
        expect(await volumeExists(chainVolume)).toBe(false);
    }, 25 * 60_000);
});
