import { scriptHash } from "./deviceWallet";
import { electrumView, NodeTx } from "./nodeView";

const S = "0014" + "11".repeat(20);
const O = "0014" + "22".repeat(20);
const id = (n: number) => n.toString(16).padStart(64, "0");
const tx = (txid: string, vin: NodeTx["vin"], vout: [number, string][]): NodeTx => ({ txid, vin, vout: vout.map(([value, hex], n) => ({ value, n, scriptPubKey: { hex } })) });

describe("electrumView (the node's answers, as the Electrum protocol states them)", () => {
    it("lists confirmed history in chain order, then mempool entries with their fee (-1 when spending an unconfirmed output); balances split", () => {
        const c1 = tx(id(1), [{ coinbase: "01" }], [[50, S]]);
        const c2 = tx(id(2), [{ coinbase: "02" }], [[50, O]]);
        const t1 = tx(id(3), [{ txid: id(1), vout: 0 }], [[1, O], [48.9999, S]]);
        const t2 = tx(id(4), [{ txid: id(3), vout: 1 }], [[0.5, S], [48.4998, O]]);
        const t3 = tx(id(0x0500), [{ txid: id(4), vout: 0 }], [[0.4999, O]]);
        const view = electrumView([{ height: 2, rawtx: [c2, t1] }, { height: 1, rawtx: [c1] }], [t3, t2], [S, O]).get(scriptHash(S))!;
        expect(view.history).toEqual([
            { tx_hash: id(1), height: 1 },
            { tx_hash: id(3), height: 2 },
            { tx_hash: id(4), height: 0, fee: 10_000 },
            { tx_hash: id(0x0500), height: -1, fee: 10_000 },
        ]);
        // Confirmed: t1's change (c1 is spent by a confirmed transaction); the mempool takes the change and pays 0.5, then takes that too.
        expect(view.balance).toEqual({ confirmed: 4_899_990_000, unconfirmed: 50_000_000 - 4_899_990_000 - 50_000_000 });
    });

    it("orders mempool entries of one height by txid as stored (byte-reversed), and refuses an input nobody holds", () => {
        const c = tx(id(1), [{ coinbase: "01" }], [[1, S], [1, S]]);
        const a = tx("01" + "00".repeat(31), [{ txid: id(1), vout: 0 }], [[0.9, O]]);
        const b = tx("00".repeat(31) + "02", [{ txid: id(1), vout: 1 }], [[0.9, O]]);
        // a's stored order is 00…01, b's 02…00: a first, though its hex sorts after b's.
        expect(electrumView([{ height: 1, rawtx: [c] }], [b, a], [S]).get(scriptHash(S))!.history.map((h) => h.tx_hash)).toEqual([id(1), a.txid, b.txid]);
        expect(() => electrumView([], [a], [S])).toThrow(/neither the blocks nor the mempool hold/);
    });
});
