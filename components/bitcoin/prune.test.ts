import fc from "fast-check";
import { bitcoindConf } from "./config";
import { readBitcoinSettings } from "./settings";
import { readDataCenterSpec } from "../datacenter/dataCenterSpec";

const rpc = { user: "bcm", password: "p4ss" };
const read = (raw: unknown) => {
    const problems: string[] = [];
    return { settings: readBitcoinSettings(raw, "mainnet", problems), problems };
};

describe("bcm:bitcoin.prune", () => {
    it("is honoured for bitcoind without the Electrum server: prune= in bitcoin.conf, and no txindex (Bitcoin Core refuses both)", () => {
        const { settings, problems } = read({ implementation: "bitcoind", image: "bcm/bitcoind:27.1-abc", electrum: false, prune: 2048 });
        expect(problems).toEqual([]);
        expect(settings.prune).toBe(2048);
        const conf = bitcoindConf({ chain: "mainnet", rpc, torSocks: "tor:9050", prune: 2048 });
        expect(conf).toContain("\nprune=2048\n");
        expect(conf).not.toContain("txindex");
        expect(bitcoindConf({ chain: "mainnet", rpc, torSocks: "tor:9050" })).toContain("\ntxindex=1\n");
    });

    it("is refused for btcd, which has no pruning, with the reason and the fix", () => {
        expect(read({ prune: 2048 }).problems).toEqual([`bcm:bitcoin.prune: btcd cannot prune (it has no pruning: it keeps every block); remove prune, or run "implementation":"bitcoind"`]);
    });

    it("is refused while the Electrum server runs (it needs every block)", () => {
        expect(read({ implementation: "bitcoind", image: "bcm/bitcoind:27.1-abc", prune: 2048 }).problems).toEqual([
            `bcm:bitcoin.prune: the Electrum server indexes every block, which a pruned node no longer has; remove prune, or set "electrum": false`,
        ]);
    });

    it("takes only whole MiB from 550 on (any value)", () => {
        fc.assert(
            fc.property(fc.oneof(fc.integer({ min: -10, max: 5000 }), fc.double(), fc.string()), (v) => {
                const { settings, problems } = read({ implementation: "bitcoind", image: "bcm/bitcoind:27.1-abc", electrum: false, prune: v });
                const ok = Number.isInteger(v) && (v as number) >= 550;
                expect(problems.length === 0).toBe(ok);
                if (!ok) expect(problems[0]).toMatch(/^bcm:bitcoin\.prune: .* must be a whole number of MiB, at least 550 \(Bitcoin Core's minimum\)$/);
                else expect(settings.prune).toBe(v);
            }),
        );
    });

    it("is checked in the one-pass config reader with the other keys, one line each", () => {
        const config: Record<string, string> = {
            tiers: JSON.stringify({ gateway: {}, bitcoin: {} }),
            tor: JSON.stringify({ network: "offline" }),
            bitcoin: JSON.stringify({ prune: 2048, keepChainData: "yes" }),
        };
        expect(() => readDataCenterSpec((k) => config[k])).toThrow(/^bcm:bitcoin\.keepChainData: must be true or false; bcm:bitcoin\.prune: btcd cannot prune .*; bcm:controllerKey: missing/);
    });
});
