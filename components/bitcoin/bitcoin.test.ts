import fc from "fast-check";
import { bech32 } from "@scure/base";
import { bitcoinOnionServices, chainDataVolume } from "./bitcoinTier";
import { chainPorts } from "./chains";
import { bitcoindConf, btcctlConf, btcdConf, lndConf, nodeCommand } from "./config";
import { p2wpkhAddress } from "./miningAddress";

const rpc = { user: "bcm", password: "Secret123abc" };
const keyOne = new Uint8Array(32);
keyOne[31] = 1;

describe("p2wpkhAddress", () => {
    it("matches BIP 173's example for the key whose public key is the generator", () => {
        expect(p2wpkhAddress(keyOne, "bc")).toBe("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4");
        expect(p2wpkhAddress(keyOne, "tb")).toBe("tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx");
    });

    it("gives a version-0, 20-byte witness program on regtest for any valid key", () => {
        fc.assert(
            fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }).filter((b) => b.some((x) => x !== 0)), (seed) => {
                const address = p2wpkhAddress(seed);
                const decoded = bech32.decode(address as `${string}1${string}`);
                expect(decoded.prefix).toBe("bcrt");
                expect(decoded.words[0]).toBe(0);
                expect(bech32.fromWords(decoded.words.slice(1)).length).toBe(20);
            }),
        );
    });

    it("refuses a seed of the wrong length or an invalid key", () => {
        expect(() => p2wpkhAddress(new Uint8Array(31))).toThrow(/31 bytes; it must be 32/);
        expect(() => p2wpkhAddress(new Uint8Array(32))).toThrow(/not a valid secp256k1 secret key/);
    });
});

describe("chainPorts", () => {
    it("are each implementation's own defaults", () => {
        expect(chainPorts("btcd", "regtest")).toEqual({ p2p: 18444, rpc: 18334 });
        expect(chainPorts("bitcoind", "regtest")).toEqual({ p2p: 18444, rpc: 18443 });
        expect(chainPorts("btcd", "mainnet")).toEqual({ p2p: 8333, rpc: 8334 });
        expect(chainPorts("bitcoind", "signet")).toEqual({ p2p: 38333, rpc: 38332 });
    });
});

describe("btcdConf", () => {
    const conf = btcdConf({ chain: "regtest", rpc, torSocks: "tor:9050", onion: "abc.onion", miningAddress: "bcrt1qxyz" });

    it("listens for RPC with TLS, sends every peer connection through Tor, mines to the given address", () => {
        expect(conf.split("\n")).toEqual(
            expect.arrayContaining([
                "regtest=1",
                "rpcuser=bcm",
                "rpcpass=Secret123abc",
                "rpclisten=0.0.0.0:18334",
                "rpccert=/run/secrets/btcd-rpc.cert",
                "proxy=tor:9050",
                "externalip=abc.onion",
                "miningaddr=bcrt1qxyz",
                "datadir=/var/lib/btcd/data",
            ]),
        );
        expect(conf).not.toMatch(/notls/);
    });

    it("has no chain flag on mainnet, and no mining address there", () => {
        const main = btcdConf({ chain: "mainnet", rpc, torSocks: "tor:9050" });
        expect(main).not.toMatch(/^(mainnet|regtest|testnet|signet)=/m);
        expect(main).not.toMatch(/miningaddr/);
        expect(main).toContain("rpclisten=0.0.0.0:8334");
    });

    it("always connects to the stack's peers through Tor, on btcd and bitcoind", () => {
        const peers = ["a".repeat(56) + ".onion:38333", "10.0.0.7:38333"];
        const withPeers = btcdConf({ chain: "signet", rpc, torSocks: "tor:9050", peers }).split("\n");
        expect(withPeers.filter((l) => l.startsWith("addpeer="))).toEqual(peers.map((p) => `addpeer=${p}`));
        expect(withPeers).toContain("proxy=tor:9050");
        expect(conf).not.toMatch(/addpeer|connect=/);
        // btcd on regtest takes blocks only from 127.0.0.1: only the loopback forwards, which dial through Tor.
        const regtest = btcdConf({ chain: "regtest", rpc, torSocks: "tor:9050", miningAddress: "bcrt1qxyz", peers }).split("\n");
        expect(regtest.filter((l) => /^(connect|addpeer|proxy)=/.test(l))).toEqual(["connect=127.0.0.1:18500", "connect=127.0.0.1:18501"]);
        const task = nodeCommand("btcd", "regtest", peers, "tor:9050");
        expect(task.args).toEqual([]);
        expect(task.command?.slice(0, 2)).toEqual(["sh", "-c"]);
        expect(task.command?.[2]!.split("\n")).toEqual([
            `while :; do socat TCP-LISTEN:18500,bind=127.0.0.1,fork,reuseaddr SOCKS4A:tor:${"a".repeat(56)}.onion:38333,socksport=9050; sleep 1; done &`,
            "while :; do socat TCP-LISTEN:18501,bind=127.0.0.1,fork,reuseaddr SOCKS4A:tor:10.0.0.7:38333,socksport=9050; sleep 1; done &",
            "exec /usr/local/bin/btcd --configfile=/run/secrets/btcd.conf",
        ]);
        // Elsewhere, and without peers, the image's entrypoint with the configuration file.
        expect(nodeCommand("btcd", "signet", peers, "tor:9050")).toEqual({ args: ["--configfile=/run/secrets/btcd.conf"] });
        expect(nodeCommand("btcd", "regtest", [], "tor:9050")).toEqual({ args: ["--configfile=/run/secrets/btcd.conf"] });
        expect(nodeCommand("bitcoind", "regtest", peers, "tor:9050")).toEqual({ args: ["-conf=/run/secrets/bitcoin.conf"] });
        const core = bitcoindConf({ chain: "regtest", rpc, torSocks: "tor:9050", peers }).split("\n");
        // In the chain's section, where bitcoind reads network-specific options.
        expect(core.slice(core.indexOf("[regtest]")).filter((l) => l.startsWith("addnode="))).toEqual(peers.map((p) => `addnode=${p}`));
    });

    it("refuses regtest without a mining address, and credentials that would break the file", () => {
        expect(() => btcdConf({ chain: "regtest", rpc, torSocks: "tor:9050" })).toThrow(/needs miningAddress/);
        expect(() => btcdConf({ chain: "signet", rpc: { user: "a\nb", password: "x" }, torSocks: "tor:9050" })).toThrow(/^rpc user:/);
        expect(() => btcctlConf({ chain: "signet", rpc: { user: "a", password: "x#y" } })).toThrow(/^rpc password:/);
    });
});

describe("bitcoindConf", () => {
    it("binds RPC on the overlay with credentials, peers only over onion, ZeroMQ for lnd", () => {
        const conf = bitcoindConf({ chain: "testnet", rpc, torSocks: "tor:9050" });
        expect(conf).toMatch(/^chain=test$/m);
        expect(conf).toMatch(/^\[test\]$/m);
        expect(conf).toMatch(/^rpcbind=0\.0\.0\.0:18332$/m);
        expect(conf).toMatch(/^proxy=tor:9050$/m);
        expect(conf).toMatch(/^onlynet=onion$/m);
        expect(conf).toMatch(/^zmqpubrawblock=tcp:\/\/0\.0\.0\.0:28332$/m);
    });
});

describe("lndConf", () => {
    it("uses the node as backend with its pinned certificate, Tor for peers, no seed backup only on regtest", () => {
        const reg = lndConf({ chain: "regtest", implementation: "btcd", rpc, torSocks: "tor:9050", onion: "ln.onion", alias: "bcm-regtest" });
        expect(reg.split("\n")).toEqual(
            expect.arrayContaining([
                "bitcoin.regtest=1",
                "bitcoin.node=btcd",
                "btcd.rpchost=btcd-regtest:18334",
                "btcd.rpccert=/run/secrets/btcd-rpc.cert",
                "tor.active=1",
                "tor.socks=tor:9050",
                "externalhosts=ln.onion:9735",
            ]),
        );
        // The wallet comes from the device on every chain: never a wallet without its seed backed up.
        expect(reg).not.toMatch(/noseedbackup/);
        const main = lndConf({ chain: "mainnet", implementation: "bitcoind", rpc, torSocks: "tor:9050", alias: "x" });
        expect(main).not.toMatch(/noseedbackup/);
        expect(main).toMatch(/^bitcoind\.zmqpubrawblock=tcp:\/\/bitcoind-mainnet:28332$/m);
        expect(() => lndConf({ chain: "regtest", implementation: "btcd", rpc, torSocks: "t:1", alias: "a#b" })).toThrow(/alias/);
    });
});

describe("bitcoinOnionServices", () => {
    it("publishes P2P and lnd's peer port openly, RPC only to the controller's key", () => {
        expect(bitcoinOnionServices("btcd", "regtest")).toEqual([
            { name: "btcd-regtest-p2p", virtualPort: 18444, target: "btcd-regtest:18444", clients: [], public: true },
            { name: "lnd-regtest", virtualPort: 9735, target: "lnd-regtest:9735", clients: [], public: true },
            { name: "btcd-regtest-rpc", virtualPort: 18334, target: "btcd-regtest:18334", clients: ["controller"] },
        ]);
    });

    it("keeps chain data on a kept volume only when asked", () => {
        expect(chainDataVolume("signet", true)).toEqual({ name: "chain-signet", path: "/var/lib/bcm/chain-signet", retain: true });
        expect(chainDataVolume("signet", false).retain).toBe(false);
    });
});
