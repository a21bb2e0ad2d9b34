import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { sha256 } from "@noble/hashes/sha2";
import { execa } from "execa";
import { btcctlConf, btcdConf, nodeCommand } from "../../components/bitcoin/config";
import { p2wpkhAddress } from "../../components/bitcoin/miningAddress";
import { docker, lastLine, waitFor } from "../../test/testing/support";
import { startTorNetwork, TorClient, TorNetwork } from "../../test/tornet";

// bcm:bitcoin.peers on regtest, for real: btcd takes blocks on regtest only from a peer at
// 127.0.0.1 (its netsync isSyncCandidate), so the tier's btcd reaches each peer through a
// loopback forward in its task that dials through Tor (components/bitcoin/peers.ts). Here the
// node runs exactly as the tier runs it (bcm/btcd, the rendered btcd.conf, the task's
// command), its peer is another bcm/btcd reached only as an onion service of the private
// Tor network on Docker's bridge, and the node syncs the peer's chain through it.
const run = `bcm-it-peers-${process.pid}-${randomBytes(3).toString("hex")}`;
const miningAddress = p2wpkhAddress(sha256(new TextEncoder().encode("bcm regtest mining address")), "bcrt");

describe("btcd on regtest syncs from a peer reached only through Tor (the tier's loopback forwards)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-it-peers-"));
    const names = { peer: `${run}-peer`, node: `${run}-node` };
    let tornet: TorNetwork | undefined;
    let client: TorClient | undefined;
    let image = "";
    const rpc = { user: "bcm", password: randomBytes(16).toString("hex") };

    beforeAll(async () => {
        image = JSON.parse(lastLine((await execa("bash", [path.join(__dirname, "build.sh"), "--print", "btcd"])).stdout)).btcd;
    }, 5 * 60_000);

    afterAll(async () => {
        await execa("docker", ["rm", "-f", ...Object.values(names)], { reject: false });
        await client?.stop();
        await tornet?.stop();
        fs.rmSync(dir, { recursive: true, force: true });
    }, 2 * 60_000);

    it("connects only to its loopback forward and follows the onion peer's chain", async () => {
        // The peer: a regtest btcd on Docker's bridge, 120 blocks, reached only as an onion service.
        await docker("run", "-d", "--name", names.peer, image, "--regtest", "--listen=0.0.0.0:18444", "--rpclisten=127.0.0.1:18334",
            `--rpcuser=${rpc.user}`, `--rpcpass=${rpc.password}`, "--nodnsseed", `--miningaddr=${miningAddress}`);
        const peerCtl = (...args: string[]) => docker("exec", names.peer, "btcctl", "--regtest", `--rpcuser=${rpc.user}`, `--rpcpass=${rpc.password}`, "--rpcserver=127.0.0.1:18334", ...args);
        await waitFor("the peer's RPC", 60, async () => ((await peerCtl("getblockcount").catch(() => "")) !== "" ? true : undefined), 500);
        await peerCtl("generate", "120");
        // Docker's bridge address: its IPAM gateway, which some dockerd starts leave out of the config (then docker0's own).
        const gateway = (await docker("network", "inspect", "bridge", "--format", "{{(index .IPAM.Config 0).Gateway}}")).trim();
        const bridge = gateway || ((await execa("ip", ["-4", "-o", "addr", "show", "dev", "docker0"])).stdout.match(/inet (\d+\.\d+\.\d+\.\d+)\//)?.[1] ?? "");
        const peerIp = (await docker("inspect", names.peer, "--format", "{{.NetworkSettings.IPAddress}}")).trim();
        tornet = await startTorNetwork({ address: bridge, names: {} });
        const onion = (await tornet.startOnionService({ name: "peer", targetHost: peerIp, targetPort: 18444, virtualPort: 18444 })).onion;
        // The gateway's Tor for the node: a client of the private network, SOCKS on the bridge.
        client = await tornet.startClient();

        // The node, as the bitcoin tier runs it.
        const settings = { chain: "regtest" as const, rpc, torSocks: client.socks, miningAddress, peers: [`${onion}:18444`] };
        const files: Record<string, string> = { "btcd.conf": btcdConf(settings), "btcctl.conf": btcctlConf(settings) };
        const key = path.join(dir, "btcd-rpc.key");
        const cert = path.join(dir, "btcd-rpc.cert");
        await execa("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", key, "-out", cert]);
        for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
        for (const f of fs.readdirSync(dir)) fs.chmodSync(path.join(dir, f), 0o644);
        const task = nodeCommand("btcd", "regtest", settings.peers, settings.torSocks);
        expect(task.command?.[0]).toBe("sh");
        await docker("run", "-d", "--name", names.node,
            ...fs.readdirSync(dir).flatMap((f) => ["-v", `${path.join(dir, f)}:/run/secrets/${f}:ro`]),
            "--entrypoint", task.command![0]!, image, ...task.command!.slice(1), ...task.args);
        const nodeCtl = (...args: string[]) => docker("exec", names.node, "btcctl", "--configfile=/run/secrets/btcctl.conf", ...args);

        const height = await waitFor("the node at the peer's height", 300, async () => {
            const n = Number(await nodeCtl("getblockcount").catch(() => "0"));
            return n >= 120 ? n : undefined;
        }, 2000);
        expect(height).toBe(120);
        expect(await nodeCtl("getbestblockhash")).toBe(await peerCtl("getbestblockhash"));
        // Its only peer is the loopback forward: btcd itself dials nothing beyond its task.
        const peers = JSON.parse(await nodeCtl("getpeerinfo")) as { addr: string; inbound: boolean }[];
        expect(peers.map((p) => ({ addr: p.addr, inbound: p.inbound }))).toEqual([{ addr: "127.0.0.1:18500", inbound: false }]);
        // New blocks arrive the same way.
        await peerCtl("generate", "3");
        expect(await waitFor("the node at 123", 120, async () => ((await nodeCtl("getblockcount")).trim() === "123" ? true : undefined), 1000)).toBe(true);
    }, 10 * 60_000);
});
