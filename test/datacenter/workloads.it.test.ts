import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Stack } from "@pulumi/pulumi/automation";
import { execa } from "execa";
import { docker, runOnce } from "../testing/swarmProbe";
import { openStack, repoRoot } from "../../engine";
import { policyDir, writePolicyConfig } from "../../automation/cluster/policyConfig";
import { prepareDeploy } from "../../automation/cluster/deviceValues";
import { TEST_MNEMONIC } from "../../device/testing/testMnemonic";
import { waitFor } from "../testing/support";
import { freePort, startTorNetwork, TorClient, TorNetwork } from "../tornet";

// The workload tiers end to end on the standalone data center: gateway, kafka and bitcoin
// (btcd and lnd on regtest), deployed with the policy pack, the gateway's Tor on a private
// Tor network this test runs on the LXD bridge (never the public one).
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


const zookeeperMode = () => inTask("bcm-kafka-01", "zookeeper-1", "exec 3<>/dev/tcp/127.0.0.1/2181; printf srvr >&3; cat <&3", {});
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
    let deviceEnv: NodeJS.ProcessEnv;
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
        // What the CLI does before every deploy: lnd's wallet secret from the device (the software
        // device on the public test mnemonic), the controller's certificate, the wallet's birthday.
        const mnemonicFile = path.join(home, "mnemonic");
        fs.writeFileSync(mnemonicFile, TEST_MNEMONIC, { mode: 0o600 });
        deviceEnv = { ...process.env, BCM_DEVICE: "mnemonic", BCM_MNEMONIC_FILE: mnemonicFile };
        config = await prepareDeploy(stack, config, { home, env: deviceEnv, say: () => undefined, createControllerKey: true });
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
        for (const s of ["zookeeper-1", "kafka-1", "kafka-connect-1", "btcd-regtest", "lnd-regtest", "tor", "registry"]) {
            expect(services.stdout.split("\n")).toContain(`${s} 1/1`);
        }
        expect(dc.workloads.kafka).toMatchObject({ bootstrapServers: "kafka-1:9092", zookeeperConnect: "zookeeper-1:2181", replicationFactor: 1, topics: ["e2e"] });
        expect(dc.workloads.bitcoin).toMatchObject({ implementation: "btcd", node: "btcd-regtest", lnd: "lnd-regtest", rpc: "btcd-regtest:18334" });
        expect(dc.workloads.bitcoin.miningAddress).toMatch(/^bcrt1q[02-9ac-hj-np-z]{38}$/);
    }, 20 * 60_000);

    it("has a healthy ZooKeeper and round-trips a message through the broker on the stack's topic", async () => {
        expect(await waitFor("ZooKeeper serving", 120, async () => ((await zookeeperMode()).includes("Mode: standalone") ? await zookeeperMode() : undefined), 2000)).toMatch(/Zookeeper version: 3\.8/);
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
            expect(JSON.parse(rpc.stdout)).toMatchObject({ result: 101 });
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
        expect(await waitFor("ZooKeeper serving again", 240, async () => ((await zookeeperMode()).includes("Mode: standalone") ? true : undefined), 2000)).toBe(true);
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

        const bitcoin = JSON.stringify({ ...JSON.parse(config["bcm:bitcoin"]!), keepChainData: false });
        await stack.setConfig("bcm:bitcoin", { value: bitcoin });
        policy.policyPackConfigs = [writePolicyConfig(home, stackName, undefined, { ...config, "bcm:bitcoin": bitcoin })];
        await up();
        // The kept volume came back: lnd runs with the wallet it had.
        expect(await waitFor("lnd with the kept wallet", 300, async () => ((await lndIdentity()) === identity ? true : undefined), 2000)).toBe(true);
        expect((await stack.destroy()).summary.result).toBe("succeeded");
        expect(await volumeExists(chainVolume)).toBe(false);
    }, 25 * 60_000);
});
