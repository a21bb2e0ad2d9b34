#!/usr/bin/env python3
"""Drives BDK (bdkpython, the Bitcoin Dev Kit's Python bindings) against an Electrum server
through a SOCKS5 proxy (a Tor client), for test/datacenter/workloads.it.test.ts. BDK's own
Electrum client does every network call; nothing here speaks the protocol itself.

A long-lived process: one JSON request a line on stdin, one JSON answer a line on stdout (the
descriptors carry private keys: never on the command line). Each wallet lives in memory for
the whole process, with one Electrum client per (wallet, server, proxy), so a later scan does
not fetch again the transactions and proofs an earlier one fetched (BDK's client caches them).

  {"cmd": "sync", "wallet": NAME, "descriptor": "wpkh(...)", "change_descriptor": "wpkh(...)",
   "url": "tcp://<onion>:50001", "socks5": "HOST:PORT"}
      -> {"balance": {...}, "tip": N, "txs": [{"txid", "confirmed", "height", "received", "sent"}]}
  the same with "cmd": "send", "to": ADDRESS, "amount": SATS, "feerate": SAT_PER_VB
      -> {"txid": "...", "fee": SATS}      (after a full scan; broadcast through the server)
A failed request answers {"error": "..."}; the process goes on.

describe() and pay() serve services/electrum/test/bdk_wallet.py too (the Go tests' driver).
"""
import json
import sys

import bdkpython as bdk

NETWORK = bdk.Network.REGTEST
wallets = {}
clients = {}


def wallet(req):
    name = req["wallet"]
    if name not in wallets:
        descriptor = bdk.Descriptor(req["descriptor"], bdk.NetworkKind.TEST)
        change = bdk.Descriptor(req["change_descriptor"], bdk.NetworkKind.TEST)
        wallets[name] = bdk.Wallet(descriptor, change, NETWORK, bdk.Persister.new_in_memory())
    return wallets[name]


def client(req):
    key = (req["wallet"], req["url"], req["socks5"])
    if key not in clients:
        # timeout in seconds (a u8), a few retries: the first circuit to an onion service takes a while.
        clients[key] = bdk.ElectrumClient(req["url"], socks5=req["socks5"], timeout=60, retry=3)
    return clients[key]


def scan(req):
    w, c = wallet(req), client(req)
    # stop_gap 20 (BIP44's), batches of 10 requests, previous outputs fetched (for fees).
    w.apply_update(c.full_scan(w.start_full_scan().build(), 20, 10, True))
    return w, c


def describe(w):
    b = w.balance()
    txs = []
    for ct in w.transactions():
        pos = ct.chain_position
        height = None
        if isinstance(pos, bdk.ChainPosition.CONFIRMED):
            height = pos.confirmation_block_time.block_id.height
        sent_received = w.sent_and_received(ct.transaction)
        txs.append({
            "txid": str(ct.transaction.compute_txid()),
            "confirmed": height is not None,
            "height": height,
            "received": sent_received.received.to_sat(),
            "sent": sent_received.sent.to_sat(),
        })
    txs.sort(key=lambda t: (t["height"] is None, t["height"] or 0, t["txid"]))
    return {
        "balance": {
            "confirmed": b.confirmed.to_sat(),
            "immature": b.immature.to_sat(),
            "trusted_pending": b.trusted_pending.to_sat(),
            "untrusted_pending": b.untrusted_pending.to_sat(),
            "total": b.total.to_sat(),
        },
        "tip": w.latest_checkpoint().height,
        "txs": txs,
    }


def pay(w, c, to_address, amount, feerate):
    """Builds, signs and broadcasts (through c) a payment of amount sats at feerate sat/vB."""
    to = bdk.Address(to_address, NETWORK).script_pubkey()
    psbt = (bdk.TxBuilder()
            .add_recipient(to, bdk.Amount.from_sat(amount))
            .fee_rate(bdk.FeeRate.from_sat_per_vb(feerate))
            .finish(w))
    if not w.sign(psbt):
        raise RuntimeError("BDK did not finalize the transaction")
    tx = psbt.extract_tx()
    txid = c.transaction_broadcast(tx)
    return {"txid": str(txid), "fee": w.calculate_fee(tx).to_sat()}


def send(req):
    w, c = scan(req)
    return pay(w, c, req["to"], req["amount"], req.get("feerate", 2))


def answer(req):
    if req["cmd"] == "sync":
        w, _ = scan(req)
        return describe(w)
    if req["cmd"] == "send":
        return send(req)
    raise ValueError(f"unknown cmd {req['cmd']!r}")


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            out = answer(json.loads(line))
        except Exception as e:  # one line for the test's message
            out = {"error": f"{type(e).__name__}: {e}"}
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
