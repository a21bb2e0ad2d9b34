package test

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"bcm/services/electrum/internal/regtest"
)

// What btcd itself says about an address, from searchrawtransactions (its address index,
// which covers the mempool too) with the previous outputs of inputs (vinextra), heights
// from getblockheader, positions from getblock, mempool fees from getrawmempool verbose.

type nodeTx struct {
	Txid          string `json:"txid"`
	BlockHash     string `json:"blockhash"`
	Confirmations int64  `json:"confirmations"`
	Vin           []struct {
		Txid    string `json:"txid"`
		Vout    uint32 `json:"vout"`
		PrevOut *struct {
			Addresses []string `json:"addresses"`
			Value     float64  `json:"value"`
		} `json:"prevOut"`
	} `json:"vin"`
	Vout []struct {
		N            uint32  `json:"n"`
		Value        float64 `json:"value"`
		ScriptPubKey struct {
			Addresses []string `json:"addresses"`
		} `json:"scriptPubKey"`
	} `json:"vout"`
}

type histEntry struct {
	TxHash string `json:"tx_hash"`
	Height int64  `json:"height"`
	Fee    *int64 `json:"fee,omitempty"`
}

type utxoEntry struct {
	TxPos  uint32 `json:"tx_pos"`
	Value  int64  `json:"value"`
	TxHash string `json:"tx_hash"`
	Height int64  `json:"height"`
}

type balance struct {
	Confirmed   int64 `json:"confirmed"`
	Unconfirmed int64 `json:"unconfirmed"`
}

type expectation struct {
	history []histEntry
	balance balance
	unspent []utxoEntry
	mempool []histEntry
	nodeTxs int
}

func sats(btc float64) int64 { return int64(math.Round(btc * 1e8)) }

func has(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// expect asks node b everything about addr and computes the Electrum answers from it.
func (f *fixture) expect(b *regtest.Btcd, addr string) expectation {
	f.t.Helper()
	var txs []nodeTx
	err := b.RPC.Call(f.ctx, "searchrawtransactions", &txs, addr, 1, 0, 100000, 1, false)
	if err != nil && !isNoInfo(err) {
		f.t.Fatalf("searchrawtransactions %s: %v", addr, err)
	}
	var mempool map[string]struct {
		Fee float64 `json:"fee"`
	}
	if err := b.RPC.Call(f.ctx, "getrawmempool", &mempool, true); err != nil {
		f.t.Fatal(err)
	}
	type placed struct {
		h   histEntry
		pos int
	}
	var confirmed, unconfirmed []placed
	spent := map[string]bool{} // "txid:vout" spent by any tx touching addr
	var e expectation
	e.nodeTxs = len(txs)
	for _, t := range txs {
		for _, in := range t.Vin {
			spent[fmt.Sprintf("%s:%d", in.Txid, in.Vout)] = true
		}
	}
	for _, t := range txs {
		if t.Confirmations > 0 && t.BlockHash != "" {
			var hdr struct {
				Height int64 `json:"height"`
			}
			if err := b.RPC.Call(f.ctx, "getblockheader", &hdr, t.BlockHash, true); err != nil {
				f.t.Fatal(err)
			}
			var blk struct {
				Tx []string `json:"tx"`
			}
			if err := b.RPC.Call(f.ctx, "getblock", &blk, t.BlockHash, 1); err != nil {
				f.t.Fatal(err)
			}
			pos := -1
			for i, id := range blk.Tx {
				if id == t.Txid {
					pos = i
				}
			}
			confirmed = append(confirmed, placed{h: histEntry{TxHash: t.Txid, Height: hdr.Height}, pos: pos})
			for _, o := range t.Vout {
				if has(o.ScriptPubKey.Addresses, addr) {
					if !spent[fmt.Sprintf("%s:%d", t.Txid, o.N)] {
						e.unspent = append(e.unspent, utxoEntry{TxPos: o.N, Value: sats(o.Value), TxHash: t.Txid, Height: hdr.Height})
					}
					// Confirmed balance: confirmed outputs no confirmed tx spends.
					if !spentConfirmed(txs, t.Txid, o.N) {
						e.balance.Confirmed += sats(o.Value)
					}
				}
			}
			continue
		}
		m, inPool := mempool[t.Txid]
		if !inPool {
			f.t.Fatalf("%s is neither confirmed nor in the mempool", t.Txid)
		}
		height := int64(0)
		for _, in := range t.Vin {
			if _, parentUnconfirmed := mempool[in.Txid]; parentUnconfirmed {
				height = -1
			}
			if in.PrevOut != nil && has(in.PrevOut.Addresses, addr) {
				e.balance.Unconfirmed -= sats(in.PrevOut.Value)
			}
		}
		fee := sats(m.Fee)
		unconfirmed = append(unconfirmed, placed{h: histEntry{TxHash: t.Txid, Height: height, Fee: &fee}})
		var mempoolUnspent []utxoEntry
		for _, o := range t.Vout {
			if has(o.ScriptPubKey.Addresses, addr) {
				e.balance.Unconfirmed += sats(o.Value)
				if !spent[fmt.Sprintf("%s:%d", t.Txid, o.N)] {
					mempoolUnspent = append(mempoolUnspent, utxoEntry{TxPos: o.N, Value: sats(o.Value), TxHash: t.Txid, Height: 0})
				}
			}
		}
		e.unspent = append(e.unspent, mempoolUnspent...)
	}
	sort.SliceStable(confirmed, func(i, j int) bool {
		if confirmed[i].h.Height != confirmed[j].h.Height {
			return confirmed[i].h.Height < confirmed[j].h.Height
		}
		return confirmed[i].pos < confirmed[j].pos
	})
	// Mempool order: height 0 before -1, then txid in internal byte order.
	sort.SliceStable(unconfirmed, func(i, j int) bool {
		if unconfirmed[i].h.Height != unconfirmed[j].h.Height {
			return unconfirmed[i].h.Height > unconfirmed[j].h.Height
		}
		return internalOrder(unconfirmed[i].h.TxHash) < internalOrder(unconfirmed[j].h.TxHash)
	})
	e.history = []histEntry{}
	e.mempool = []histEntry{}
	for _, p := range confirmed {
		e.history = append(e.history, p.h)
	}
	for _, p := range unconfirmed {
		e.history = append(e.history, p.h)
		e.mempool = append(e.mempool, p.h)
	}
	// listunspent: confirmed in blockchain order (height, position, output index), then mempool.
	pos := map[string]int{}
	for _, p := range confirmed {
		pos[p.h.TxHash] = p.pos
	}
	sortUnspent(e.unspent, pos)
	if e.unspent == nil {
		e.unspent = []utxoEntry{}
	}
	return e
}

func spentConfirmed(txs []nodeTx, txid string, vout uint32) bool {
	for _, t := range txs {
		if t.Confirmations <= 0 {
			continue
		}
		for _, in := range t.Vin {
			if in.Txid == txid && in.Vout == vout {
				return true
			}
		}
	}
	return false
}

func internalOrder(displayHex string) string {
	b := []byte(displayHex)
	out := make([]byte, len(b))
	for i := 0; i < len(b); i += 2 {
		copy(out[len(b)-i-2:], b[i:i+2])
	}
	return string(out)
}

// sortUnspent puts confirmed outputs in blockchain order (height, position in the block,
// output index), then mempool outputs by txid (internal byte order) and index.
func sortUnspent(u []utxoEntry, pos map[string]int) {
	sort.SliceStable(u, func(i, j int) bool {
		a, b := u[i], u[j]
		if (a.Height == 0) != (b.Height == 0) {
			return a.Height != 0
		}
		if a.Height != b.Height {
			return a.Height < b.Height
		}
		if a.TxHash != b.TxHash {
			if a.Height == 0 {
				return internalOrder(a.TxHash) < internalOrder(b.TxHash)
			}
			return pos[a.TxHash] < pos[b.TxHash]
		}
		return a.TxPos < b.TxPos
	})
}

func isNoInfo(err error) bool {
	return err != nil && (strings.Contains(err.Error(), "No information available about address") || strings.Contains(err.Error(), "No Txns available"))
}
