import { randomBytes, X509Certificate } from "node:crypto";
import * as fs from "node:fs";
import * as https from "node:https";
import * as os from "node:os";
import * as path from "node:path";
import { sha256 } from "@noble/hashes/sha2";
import { execa } from "execa";
import { docker, lastLine, waitFor } from "../../test/testing/support";
import { p2wpkhAddress } from "../../components/bitcoin/miningAddress";

// bcm/btcd and bcm/lnd (images/docker/btcd, images/docker/lnd), built by build.sh on the local
// dockerd and run for real as a regtest pair on a private (--internal) network: btcd with a
// TLS RPC server mines 101 blocks to a regtest address, lnd follows it through btcd's RPC
// and reports itself synced. Nothing reaches beyond this machine. Everything this test
// creates is named bcm-it-btc-<run>-... and removed afterwards, even when a step fails.

const repo = path.resolve(__dirname, "../..");
const buildScript = path.join(repo, "images/docker/build.sh");
const run = `bcm-it-btc-${process.pid}-${randomBytes(3).toString("hex")}`;


// btcd will not `generate` without --miningaddr. The key: SHA-256 of a fixed string, so the
// address is the same every run (and documented in images/docker/README.md).
const miningKey = sha256(new TextEncoder().encode("bcm regtest mining address"));
const miningAddress = p2wpkhAddress(miningKey, "bcrt");



/**
 * An HTTPS request from this host to a container's address, trusting only `ca` and checking
 * the certificate against `servername` (the name the other containers use).
 */
function httpsRequest(
    opts: { host: string; port: number; path: string; ca: string; servername: string; method?: string; auth?: string; body?: string },
): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
        const req = https.request(
            {
                host: opts.host,
                port: opts.port,
                path: opts.path,
                method: opts.method ?? "GET",
                ca: opts.ca,
                servername: opts.servername,
                auth: opts.auth,
                headers: opts.body ? { "content-type": "application/json" } : {},
                timeout: 10_000,
            },
            (res) => {
                let body = "";
                res.setEncoding("utf8");
                res.on("data", (chunk) => (body += chunk));
                res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
            },
        );
        req.on("timeout", () => req.destroy(new Error("timeout")));
        req.on("error", reject);
        req.end(opts.body);
    });
}

describe("bcm/btcd and bcm/lnd (images/docker): a regtest btcd and an lnd on top of it", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bcm-it-btc-"));
    const network = `${run}-net`;
    const btcd = `${run}-btcd`;
    const lnd = `${run}-lnd`;
    const volumes = { btcd: `${run}-btcd-data`, lnd: `${run}-lnd-data` };
    const containers: string[] = [];
    const createdVolumes: string[] = [];
    let networkCreated = false;
    let tags: Record<string, string> = {};
    const rpcUser = `bcm-${randomBytes(4).toString("hex")}`;
    const rpcPass = randomBytes(16).toString("hex");
    const file = (name: string) => path.join(dir, name);
    const secret = (name: string) => ["-v", `${file(name)}:/run/secrets/${name}:ro`];

    /** docker exec CONTAINER ARGS... (as the image's user): its stdout. */
    const exec = (container: string, ...args: string[]) => docker("exec", container, ...args);
    const btcctl = (...args: string[]) => exec(btcd, "btcctl", "--configfile=/run/secrets/btcctl.conf", ...args);
    const getinfo = async () =>
        JSON.parse(await exec(lnd, "lncli", "--network=regtest", "--lnddir=/var/lib/lnd", "getinfo")) as {
            version: string;
            commit_hash: string;
            block_height: number;
            block_hash: string;
            synced_to_chain: boolean;
            chains: { chain: string; network: string }[];
        };
    const ipOf = (container: string) =>
        docker("inspect", "-f", `{{(index .NetworkSettings.Networks "${network}").IPAddress}}`, container);
    const logsOf = async (container: string) => {
        const r = await execa("docker", ["logs", container], { reject: false });
        return `${r.stdout}\n${r.stderr}`;
    };

    beforeAll(async () => {
        const built = await execa("bash", [buildScript, "btcd", "lnd"], { reject: false, stdin: "ignore", cwd: repo });
        if (built.exitCode !== 0) throw new Error(`build.sh btcd lnd failed (${built.exitCode}):\n${built.stderr}`);
        tags = JSON.parse(built.stdout.trim().split("\n").pop() ?? "{}");

        // btcd's RPC certificate: the name the other containers use (btcd), and localhost and
        // 127.0.0.1 for health checks from inside the container.
        await execa(
            "openssl",
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "3650",
                "-subj", "/CN=btcd", "-addext", "subjectAltName=DNS:btcd,DNS:localhost,IP:127.0.0.1",
                "-keyout", file("btcd-rpc.key"), "-out", file("btcd-rpc.cert"),
            ],
            { stdin: "ignore" },
        );
        // The containers run as btcd (8333) and lnd (9735): the files must be readable to them,
        // as Swarm secrets are (0444) unless told otherwise. The directory stays 0700.
        fs.chmodSync(file("btcd-rpc.key"), 0o644);
        fs.writeFileSync(file("btcd.conf"), `[Application Options]\nrpcuser=${rpcUser}\nrpcpass=${rpcPass}\n`, { mode: 0o644 });
        fs.writeFileSync(
            file("btcctl.conf"),
            `regtest=1\nrpcserver=127.0.0.1:18334\nrpccert=/run/secrets/btcd-rpc.cert\nrpcuser=${rpcUser}\nrpcpass=${rpcPass}\n`,
            { mode: 0o644 },
        );
        fs.writeFileSync(file("lnd.conf"), `[btcd]\nbtcd.rpcuser=${rpcUser}\nbtcd.rpcpass=${rpcPass}\n`, { mode: 0o644 });

        await docker("network", "create", "--internal", network);
        networkCreated = true;
        for (const v of Object.values(volumes)) {
            createdVolumes.push(v);
            await docker("volume", "create", v);
        }
        containers.push(btcd);
        await docker(
            "run", "-d", "--name", btcd, "--network", network, "--network-alias", "btcd",
            // Everything it writes goes to the volume: the root file system can be read-only.
            "--read-only",
            "-v", `${volumes.btcd}:/var/lib/btcd`,
            ...secret("btcd.conf"), ...secret("btcctl.conf"), ...secret("btcd-rpc.cert"), ...secret("btcd-rpc.key"),
            tags.btcd,
            "--configfile=/run/secrets/btcd.conf",
            "--datadir=/var/lib/btcd/data",
            "--logdir=/var/lib/btcd/logs",
            "--regtest",
            "--rpclisten=0.0.0.0:18334",
            "--rpccert=/run/secrets/btcd-rpc.cert",
            "--rpckey=/run/secrets/btcd-rpc.key",
            `--miningaddr=${miningAddress}`,
            "--txindex",
        );
    }, 45 * 60 * 1000);

    afterAll(async () => {
        for (const c of containers) await execa("docker", ["rm", "-f", "-v", c], { reject: false });
        for (const v of createdVolumes) await execa("docker", ["volume", "rm", "-f", v], { reject: false });
        if (networkCreated) await execa("docker", ["network", "rm", network], { reject: false });
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("builds both images: pinned versions, non-root users owning their volume directories, nc for health checks", async () => {
        expect(tags.btcd).toMatch(/^bcm\/btcd:[0-9a-f]{16}$/);
        expect(tags.lnd).toMatch(/^bcm\/lnd:[0-9a-f]{16}$/);
        const inspect = (tag: string, format: string) => docker("image", "inspect", "-f", format, tag);
        expect(await inspect(tags.btcd, "{{.Config.User}} {{json .Config.Entrypoint}}")).toBe('btcd ["/usr/local/bin/btcd"]');
        // lnd's entrypoint is BCM's bcm-lnd-start (the wallet from the device, then lnd); the tools ship beside lnd.
        expect(await inspect(tags.lnd, "{{.Config.User}} {{json .Config.Entrypoint}}")).toBe('lnd ["/usr/local/bin/bcm-lnd-start"]');

        const inBtcd = (script: string) => docker("run", "--rm", "--entrypoint", "sh", tags.btcd, "-c", script);
        const inLnd = (script: string) => docker("run", "--rm", "--entrypoint", "sh", tags.lnd, "-c", script);
        expect(await inBtcd("btcd --version")).toBe("btcd version 0.24.2-beta");
        expect(await inBtcd("id -u; id -g; stat -c '%a %U:%G' /var/lib/btcd; readlink ~/.btcd; for c in btcctl nc; do command -v $c; done")).toBe(
            "8333\n8333\n750 btcd:btcd\n/var/lib/btcd\n/usr/local/bin/btcctl\n/usr/bin/nc",
        );
        expect(await inLnd("for c in bcm-lnd-start bcm-lnd-seed bcm-chanbackup; do $c --version >/dev/null && echo $c; done")).toBe("bcm-lnd-start\nbcm-lnd-seed\nbcm-chanbackup");
        expect(await inLnd("lnd --version; lncli --version")).toBe(
            "lnd version 0.20.0-beta commit=v0.20.0-beta\nlncli version 0.20.0-beta commit=v0.20.0-beta",
        );
        expect(await inLnd("id -u; id -g; stat -c '%a %U:%G' /var/lib/lnd; readlink ~/.lnd; for c in lncli nc; do command -v $c; done")).toBe(
            "9735\n9735\n750 lnd:lnd\n/var/lib/lnd\n/usr/local/bin/lncli\n/usr/bin/nc",
        );
    });

    it("derives the regtest mining address from its key, and btcd accepts it", async () => {
        // BIP 173's test vector: the key 1 (public key G) is bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4.
        const one = new Uint8Array(32);
        one[31] = 1;
        expect(p2wpkhAddress(one, "bc")).toBe("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4");
        expect(miningAddress).toBe("bcrt1qasz9076nenmu634lgc3dxjxyslv9x2q4gm5ejl");
        const valid = await waitFor("btcd's RPC server", 60, async () => JSON.parse(await btcctl("validateaddress", miningAddress)));
        expect(valid).toMatchObject({ isvalid: true, address: miningAddress });
    });

    it("btcd mines 101 regtest blocks to that address through btcctl over TLS", async () => {
        // generate with every setting as a flag (and the certificate's name btcd), the rest with
        // btcctl.conf on 127.0.0.1, as a health check would.
        const hashes = JSON.parse(
            await exec(
                btcd, "btcctl", "--regtest", "--rpcserver=btcd:18334", `--rpcuser=${rpcUser}`, `--rpcpass=${rpcPass}`,
                "--rpccert=/run/secrets/btcd-rpc.cert", "generate", "101",
            ),
        ) as string[];
        expect(hashes).toHaveLength(101);
        expect(await btcctl("getblockcount")).toBe("101");
        // The coinbase of block 1 pays the mining address.
        const block = JSON.parse(await btcctl("getblock", hashes[0], "2")) as {
            height: number;
            rawtx: { vout: { scriptPubKey: { address?: string; addresses?: string[] } }[] }[];
        };
        expect(block.height).toBe(1);
        const paid = block.rawtx[0].vout.flatMap((o) => o.scriptPubKey.addresses ?? (o.scriptPubKey.address ? [o.scriptPubKey.address] : []));
        expect(paid).toContain(miningAddress);
    });

    it("btcd runs as btcd, keeps its data in the named volume, and serves JSON-RPC over TLS under the name btcd", async () => {
        expect(await exec(btcd, "ps", "-o", "user:20=,comm=", "-p", "1")).toMatch(/^btcd\s+btcd$/);
        expect(await exec(btcd, "stat", "-c", "%U", "/var/lib/btcd", "/var/lib/btcd/data/regtest", "/var/lib/btcd/logs/regtest/btcd.log")).toBe(
            "btcd\nbtcd\nbtcd",
        );
        // From this host to the container's address on the internal network, checking the
        // certificate against the name btcd.
        const r = await httpsRequest({
            host: await ipOf(btcd),
            port: 18334,
            path: "/",
            method: "POST",
            ca: fs.readFileSync(file("btcd-rpc.cert"), "utf8"),
            servername: "btcd",
            auth: `${rpcUser}:${rpcPass}`,
            body: JSON.stringify({ jsonrpc: "1.0", id: 1, method: "getblockcount", params: [] }),
        });
        expect(r.status).toBe(200);
        expect(JSON.parse(r.body)).toMatchObject({ result: 101, error: null });
        // A wrong password is refused.
        const bad = await httpsRequest({
            host: await ipOf(btcd),
            port: 18334,
            path: "/",
            method: "POST",
            ca: fs.readFileSync(file("btcd-rpc.cert"), "utf8"),
            servername: "btcd",
            auth: `${rpcUser}:wrong`,
            body: JSON.stringify({ jsonrpc: "1.0", id: 1, method: "getblockcount", params: [] }),
        });
        expect(bad.status).toBe(401);
        expect(await exec(btcd, "nc", "-z", "127.0.0.1", "18334").then(() => "open")).toBe("open");
    });

    describe("lnd on btcd", () => {
        beforeAll(async () => {
            containers.push(lnd);
            await docker(
                "run", "-d", "--name", lnd, "--network", network, "--network-alias", "lnd",
                "--read-only",
                "-v", `${volumes.lnd}:/var/lib/lnd`,
                ...secret("lnd.conf"), ...secret("btcd-rpc.cert"),
                // lnd itself, not the image's bcm-lnd-start: this checks the binary on btcd; the
                // device-derived wallet is services/lnd's tests' and the data center's.
                "--entrypoint", "/usr/local/bin/lnd",
                tags.lnd,
                "--configfile=/run/secrets/lnd.conf",
                "--lnddir=/var/lib/lnd",
                "--bitcoin.regtest",
                "--bitcoin.node=btcd",
                "--btcd.rpchost=btcd:18334",
                "--btcd.rpccert=/run/secrets/btcd-rpc.cert",
                "--noseedbackup",
                "--nobootstrap",
                "--rpclisten=0.0.0.0:10009",
                "--restlisten=0.0.0.0:8080",
                "--listen=0.0.0.0:9735",
                "--tlsextradomain=lnd",
            );
        });

        it("syncs to btcd's chain: lncli getinfo reports block 101 and synced_to_chain", async () => {
            // `lncli state` answers from the start (and needs no macaroon); getinfo before
            // RPC_ACTIVE would be refused, and logged as an error.
            await waitFor("lnd's state SERVER_ACTIVE", 180, async () => {
                const state = JSON.parse(await exec(lnd, "lncli", "--network=regtest", "--lnddir=/var/lib/lnd", "state")) as { state: string };
                return state.state === "SERVER_ACTIVE" ? true : undefined;
            });
            const info = await waitFor("lnd to sync to block 101", 180, async () => {
                const i = await getinfo();
                return i.block_height === 101 && i.synced_to_chain ? i : undefined;
            });
            expect(info.version).toBe("0.20.0-beta commit=v0.20.0-beta");
            expect(info.commit_hash).toBe("b9ea7070c20ad2ca8514a47d9b4d560a501f0487");
            expect(info.chains).toEqual([{ chain: "bitcoin", network: "regtest" }]);
            expect(info.block_hash).toBe(await btcctl("getblockhash", "101"));
            // Its wallet makes regtest addresses.
            const address = JSON.parse(await exec(lnd, "lncli", "--network=regtest", "newaddress", "p2wkh")) as { address: string };
            expect(address.address).toMatch(/^bcrt1q[02-9ac-hj-np-z]{38}$/);
        });

        it("runs as lnd, keeps its data in the named volume, and logs no error or deprecation", async () => {
            expect(await exec(lnd, "ps", "-o", "user:20=,comm=", "-p", "1")).toMatch(/^lnd\s+lnd$/);
            expect(
                await exec(lnd, "stat", "-c", "%U", "/var/lib/lnd/tls.cert", "/var/lib/lnd/data/chain/bitcoin/regtest/admin.macaroon"),
            ).toBe("lnd\nlnd");
            const logs = await logsOf(lnd);
            expect(logs).toContain("Established connection to RPC server btcd:18334");
            expect(logs.split("\n").filter((l) => /\[(ERR|CRT)\]|deprecated/.test(l))).toEqual([]);
        });

        it("serves REST on 8080 with a certificate for the name lnd (--tlsextradomain)", async () => {
            const cert = await exec(lnd, "cat", "/var/lib/lnd/tls.cert");
            expect(new X509Certificate(cert).subjectAltName).toContain("DNS:lnd");
            const r = await httpsRequest({ host: await ipOf(lnd), port: 8080, path: "/v1/state", ca: cert, servername: "lnd" });
            expect(r.status).toBe(200);
            expect(JSON.parse(r.body)).toEqual({ state: "SERVER_ACTIVE" });
            expect(await exec(lnd, "nc", "-z", "127.0.0.1", "10009").then(() => "open")).toBe("open");
        });

        it("both stop cleanly and at once on docker stop (SIGTERM)", async () => {
            for (const c of [lnd, btcd]) {
                // Exit 0 within the 30 s grace: a daemon that ignored SIGTERM would be killed (137).
                await docker("stop", "-t", "30", c);
                expect(await docker("inspect", "-f", "{{.State.ExitCode}}", c)).toBe("0");
            }
            expect(await logsOf(btcd)).toContain("Shutdown complete");
            expect(await logsOf(lnd)).toContain("Shutdown complete");
        });
    });
});
