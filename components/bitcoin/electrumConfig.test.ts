import fc from "fast-check";
import { electrumConf, electrumMemory, electrumOnionService, electrumServiceName } from "./electrumConfig";

const rpc = { user: "bcm", password: "Secret123abc" };

describe("electrumConf", () => {
    it("names the node on the overlay: btcd with its pinned certificate, bitcoind over plain HTTP", () => {
        expect(electrumConf({ chain: "signet", implementation: "btcd", rpc })).toBe(
            [
                "rpc-addr = btcd-signet:38332",
                "rpc-user = bcm",
                "rpc-pass = Secret123abc",
                "rpc-cert = /run/secrets/btcd-rpc.cert",
                "chain = signet",
                "datadir = /var/lib/electrum",
                "listen = 0.0.0.0:50001",
                "memory-limit = 1GiB",
            ].join("\n") + "\n",
        );
        const core = electrumConf({ chain: "regtest", implementation: "bitcoind", rpc });
        expect(core).toMatch(/^rpc-addr = bitcoind-regtest:18443$/m);
        expect(core).not.toMatch(/rpc-cert/);
    });

    it("refuses credentials that would end a line early, whatever they are", () => {
        fc.assert(
            fc.property(fc.string({ minLength: 1, maxLength: 40 }).filter((s) => /[\n\r#\s]/.test(s)), (bad) => {
                expect(() => electrumConf({ chain: "regtest", implementation: "btcd", rpc: { user: "bcm", password: bad } })).toThrow(/^electrum rpc password:/);
                expect(() => electrumConf({ chain: "regtest", implementation: "btcd", rpc: { user: bad, password: "x" } })).toThrow(/^electrum rpc user:/);
            }),
        );
    });
});

describe("electrum names and sizes", () => {
    it("are per chain: the service, its onion (controller only) and memory", () => {
        expect(electrumServiceName("mainnet")).toBe("electrum-mainnet");
        expect(electrumOnionService("testnet")).toEqual({ name: "electrum-testnet", virtualPort: 50001, target: "electrum-testnet:50001", clients: ["controller"] });
        expect(electrumMemory("regtest")).toEqual({ heap: "256MiB", taskMiB: 512 });
        expect(electrumMemory("mainnet")).toEqual({ heap: "1GiB", taskMiB: 2048 });
    });
});
