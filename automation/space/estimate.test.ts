import fc from "fast-check";
import { expectedChainBytes, marginBytes, spaceProblem } from "./estimate";

const GiB = 1024 ** 3;

describe("does a deploy fit its pool", () => {
    it("a new mainnet chain needs its full size, pruned only the target and the chain state", () => {
        expect(expectedChainBytes("mainnet")).toBe(900 * GiB);
        expect(expectedChainBytes("mainnet", 2048)).toBe(2 * GiB + 15 * GiB);
        expect(expectedChainBytes("regtest")).toBe(1 * GiB);
    });

    it("refuses in one line naming the pool, the need and the fix", () => {
        const p = spaceProblem("default", { used: 200 * GiB, total: 252 * GiB }, [{ what: "volume bcm-bitcoin-01-chain-mainnet", bytes: 900 * GiB }]);
        expect(p).toBe(
            "storage pool default has 52.0 GiB free; this deploy needs about 900.0 GiB (volume bcm-bitcoin-01-chain-mainnet 900.0 GiB) and leaves 12.6 GiB free; fix: free space on the pool, add a larger one, or prune the chain (bcm:bitcoin.prune with bitcoind)",
        );
        expect(spaceProblem("default", { used: 100 * GiB, total: 252 * GiB }, [{ what: "regtest chain", bytes: GiB }])).toBeUndefined();
    });

    it("accepts exactly what fits with the margin (any sizes)", () => {
        fc.assert(
            fc.property(fc.integer({ min: 1, max: 2 ** 45 }), fc.integer({ min: 0, max: 100 }), fc.array(fc.nat(2 ** 40), { maxLength: 4 }), (total, pct, sizes) => {
                const used = Math.floor((total * pct) / 100);
                const need = sizes.reduce((a, b) => a + b, 0);
                const fits = need + marginBytes(total) <= total - used;
                expect(spaceProblem("p", { used, total }, sizes.map((bytes, i) => ({ what: `v${i}`, bytes }))) === undefined).toBe(fits);
            }),
        );
    });
});
