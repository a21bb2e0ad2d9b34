import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Stack } from "@pulumi/pulumi/automation";
import { execa } from "execa";
import { docker, runOnce } from "../testing/swarmProbe";
import { openStack, repoRoot } from "../../engine";
import { policyDir, writePolicyConfig } from "../../automation/cluster/policyConfig";
import { avroThroughRestScript } from "../testing/kafkaRest";
import { waitFor } from "../testing/support";
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


/** The KRaft quorum as the broker reports it (LeaderId, CurrentVoters, …). */
const quorumStatus = () => inTask("bcm-kafka-01", "kafka-1", "bcm-kafka metadata-quorum --bootstrap-server kafka-1:9092 describe --status 2>/dev/null");
const quorumLed = async () => (/^LeaderId:\s+1001$/m.test(await quorumStatus().catch(() => "")) ? true : undefined);
/** A topic's keys, in order, as a read_committed consumer sees them. */
const topicKeys = async (topic: string) =>
    (await inTask("bcm-kafka-01", "kafka-1",
        `bcm-kafka console-consumer --bootstrap-server kafka-1:9092 --topic ${topic} --from-beginning --isolation-level read_committed --property print.key=true --property print.value=false --timeout-ms 20000 2>/dev/null`,
    )).split("\n").filter((l) => l !== "");
const btcctl = (args: string) => inTask("bcm-bitcoin-01", "btcd-regtest", `btcctl --configfile=/run/secrets/btcctl.conf ${args}`);
/** Every block hash of btcd's best chain from height 0, and each block's txids, in one exec. */
async function chainFromNode(tip: number): Promise<{ hashes: string[]; txids: string[] }> {
    const out = await inTask("bcm-bitcoin-01", "btcd-regtest",
        `c="btcctl --configfile=/run/secrets/btcctl.conf"; for h in $(seq 0 ${tip}); do b=$($c getblockhash $h); echo "B $b"; $c getblock $b | tr -d ' ",' | sed -n '/^tx:\[/,/^\]/p' | grep -E '^[0-9a-f]{64}$' | sed 's/^/T /'; done`);
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
    let tornet: TorNetwork;
    let upstream: { name: string; port: number } | undefined;
    let stack: Stack;
    let dc: Record<string, any>;
    let config: Record<string, string>;
    let policy: { policyPacks: string[]; policyPackConfigs: string[] };
    let identity: string;
    const up = async (opts: { refresh?: boolean } = {}) => {
        const r = await stack.up({ ...policy, ...opts, onOutput: (l) => process.env.BCM_TEST_VERBOSE && process.stdout.write(l) });
        expect(r.summary.result).toBe("succeeded");
        dc = (await stack.outputs()).dataCenter.value;
        return r;
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
        stack = await openStack({ workDir: repoRoot, stackName, passphrase: "wl-test-passphrase", home });
        config = {
            "bcm:endpoints": JSON.stringify([{ name: "local", mode: "local" }]),
            "bcm:tiers": JSON.stringify({ gateway: {}, kafka: {}, bitcoin: {} }),
            "bcm:tor": JSON.stringify({ network: "private", dirAuthorities: tornet.dirAuthorityLines }),
            "bcm:chain": "regtest",
            "bcm:kafka": JSON.stringify({ topics: [{ name: "e2e", partitions: 2 }] }),
            // Kept (the default on the real chains; regtest's default is not to keep it).
            "bcm:bitcoin": JSON.stringify({ keepChainData: true }),
            "bcm:dockerSocketDir": path.join(home, "sock"),
            "bcm:registryMirrorUpstream": `http://${bridge}:${upstream.port}`,
        };
        await stack.setAllConfig(Object.fromEntries(Object.entries(config).map(([k, value]) => [k, { value }])));
        policy = { policyPacks: [policyDir], policyPackConfigs: [writePolicyConfig(home, stackName, undefined, config)] };
    }, 10 * 60_000);

    afterAll(async () => {
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
        for (const s of ["kafka-controller-1", "kafka-1", "kafka-connect-1", "schema-registry-1", "kafka-rest-1", "chain-bridge-regtest", "btcd-regtest", "lnd-regtest", "tor", "registry"]) {
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
        expect(dc.workloads.bitcoin).toMatchObject({ implementation: "btcd", node: "btcd-regtest", lnd: "lnd-regtest", rpc: "btcd-regtest:18334" });
        expect(dc.workloads.bitcoin.miningAddress).toMatch(/^bcrt1q[02-9ac-hj-np-z]{38}$/);
    }, 20 * 60_000);

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

    it("keeps RPC off every published port, and serves it to the controller only through the authenticated onion service", async () => {
        const published = await docker(dc.dockerHost, ["service", "inspect", "btcd-regtest", "lnd-regtest", "--format", "{{json .Endpoint.Ports}}"]);
        expect(published.stdout.split("\n")).toEqual(["null", "null"]);
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

    it("shows no changes on a second up", async () => {
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

        await stack.setConfig("bcm:bitcoin", { value: JSON.stringify({ keepChainData: false }) });
        policy.policyPackConfigs = [writePolicyConfig(home, stackName, undefined, { ...config, "bcm:bitcoin": JSON.stringify({ keepChainData: false }) })];
        await up();
        // The kept volume came back: lnd runs with the wallet it had.
        expect(await waitFor("lnd with the kept wallet", 300, async () => ((await lndIdentity()) === identity ? true : undefined), 2000)).toBe(true);
        expect((await stack.destroy()).summary.result).toBe("succeeded");
        expect(await volumeExists(chainVolume)).toBe(false);
    }, 25 * 60_000);
});
