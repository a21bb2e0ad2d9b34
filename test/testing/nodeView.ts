// What an Electrum server must answer for a script, worked out from the node's own answers
// (btcd's `getblock HASH 2` for every block and `getrawtransaction TXID 1` for every mempool
// transaction), the way the protocol defines it (services/electrum/README.md, "Protocol"):
// - history: the confirmed transactions paying to or spending from the script in blockchain
//   order, then the mempool ones (height 0, or -1 when one spends an unconfirmed output;
//   0 before -1, then by txid as stored, i.e. byte-reversed), those with their fee;
// - balance: confirmed = the script's outputs no confirmed transaction spends; unconfirmed =
//   what mempool transactions pay to it minus what they take from it.
import { scriptHash } from "./deviceWallet";

/** A transaction as btcd prints it verbosely (only what is read here). */
export interface NodeTx {
    txid: string;
    vin: ({ coinbase: string } | { txid: string; vout: number })[];
    vout: { value: number; n: number; scriptPubKey: { hex: string } }[];
}

/** A block as `getblock HASH 2` prints it. */
export interface NodeBlock {
    height: number;
    rawtx: NodeTx[];
}

export interface HistoryEntry {
    tx_hash: string;
    height: number;
    fee?: number;
}

export interface Balance {
    confirmed: number;
    unconfirmed: number;
}

const sats = (btc: number) => Math.round(btc * 1e8);
const outpoint = (txid: string, n: number) => `${txid}:${n}`;
/** Txids in the byte order the server stores and sorts them (the reverse of the hex shown). */
const storedOrder = (txid: string) => Buffer.from(txid, "hex").reverse().toString("hex");

/** The Electrum answers (get_history, get_balance) for each script hash of `scripts` (scriptPubKey hex). */
export function electrumView(blocks: NodeBlock[], mempool: NodeTx[], scripts: string[]): Map<string, { history: HistoryEntry[]; balance: Balance }> {
    const wanted = new Map(scripts.map((s) => [scriptHash(s), s]));
    // Every output seen: its script hash and value.
    const outputs = new Map<string, { sh: string; value: number }>();
    const record = (tx: NodeTx) => tx.vout.forEach((o) => outputs.set(outpoint(tx.txid, o.n), { sh: scriptHash(o.scriptPubKey.hex), value: sats(o.value) }));
    const spentConfirmed = new Set<string>();
    const view = new Map([...wanted.keys()].map((sh) => [sh, { history: [] as HistoryEntry[], balance: { confirmed: 0, unconfirmed: 0 } }]));
    const touches = (tx: NodeTx): Set<string> => {
        const shs = new Set<string>();
        for (const o of tx.vout) shs.add(scriptHash(o.scriptPubKey.hex));
        for (const i of tx.vin) if ("txid" in i) shs.add(outputs.get(outpoint(i.txid, i.vout))?.sh ?? "");
        return shs;
    };
    for (const block of [...blocks].sort((a, b) => a.height - b.height)) {
        for (const tx of block.rawtx) {
            record(tx);
            for (const sh of touches(tx)) view.get(sh)?.history.push({ tx_hash: tx.txid, height: block.height });
            for (const i of tx.vin) if ("txid" in i) spentConfirmed.add(outpoint(i.txid, i.vout));
        }
    }
    for (const [key, o] of outputs) {
        const v = view.get(o.sh);
        if (v && !spentConfirmed.has(key)) v.balance.confirmed += o.value;
    }
    const inMempool = new Set(mempool.map((t) => t.txid));
    mempool.forEach(record);
    const pending: (HistoryEntry & { shs: Set<string> })[] = [];
    for (const tx of mempool) {
        let fee = 0;
        let unconfirmedInput = false;
        for (const i of tx.vin) {
            if (!("txid" in i)) continue;
            const prev = outputs.get(outpoint(i.txid, i.vout));
            if (!prev) throw new Error(`electrumView: ${tx.txid} spends ${i.txid}:${i.vout}, which neither the blocks nor the mempool hold`);
            fee += prev.value;
            if (inMempool.has(i.txid)) unconfirmedInput = true;
            const v = view.get(prev.sh);
            if (v) v.balance.unconfirmed -= prev.value;
        }
        for (const o of tx.vout) {
            fee -= sats(o.value);
            const v = view.get(scriptHash(o.scriptPubKey.hex));
            if (v) v.balance.unconfirmed += sats(o.value);
        }
        pending.push({ tx_hash: tx.txid, height: unconfirmedInput ? -1 : 0, fee, shs: touches(tx) });
    }
    pending.sort((a, b) => (a.height !== b.height ? b.height - a.height : storedOrder(a.tx_hash) < storedOrder(b.tx_hash) ? -1 : 1));
    for (const p of pending) for (const sh of p.shs) view.get(sh)?.history.push({ tx_hash: p.tx_hash, height: p.height, fee: p.fee });
    return view;
}
