// Package mempool mirrors the node's mempool, as much as the Electrum protocol needs: for
// each unconfirmed transaction, its fee and size, the scripts it pays and spends from, and
// the outputs it spends. It holds summaries, never whole transactions.
package mempool

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"

	"bcm/services/electrum/internal/chain"
	"bcm/services/electrum/internal/node"
	"bcm/services/electrum/internal/store"
)

// MaxTxs bounds the mirrored mempool (a few hundred bytes a transaction: about 50 MB at
// the bound). Beyond it new transactions are left out until some leave, and their scripts
// show them only once confirmed; status.json says when that happens.
const MaxTxs = 100_000

// fetchPerRefresh bounds the transactions fetched in one refresh, so a refresh of a big
// mempool after a restart does not hold back block processing for long.
const fetchPerRefresh = 5_000

// Output is one output of a mempool transaction.
type Output struct {
	ScriptHash chain.Hash
	Value      int64
	Spendable  bool // false for OP_RETURN
}

// Input is one input: the outpoint it spends and, when known, that output's script and value.
type Input struct {
	Prev       wire.OutPoint
	ScriptHash chain.Hash
	Value      int64
	Known      bool
}

// Entry is one mempool transaction.
type Entry struct {
	TxID    chain.Hash
	Fee     int64 // satoshis; 0 when an input's value is unknown
	VSize   int64
	Inputs  []Input
	Outputs []Output
}

// Scripts are the distinct script hashes the entry pays or spends from.
func (e *Entry) Scripts() []chain.Hash {
	seen := map[chain.Hash]struct{}{}
	var out []chain.Hash
	add := func(h chain.Hash) {
		if _, ok := seen[h]; !ok {
			seen[h] = struct{}{}
			out = append(out, h)
		}
	}
	for _, in := range e.Inputs {
		if in.Known {
			add(in.ScriptHash)
		}
	}
	for _, o := range e.Outputs {
		if o.Spendable {
			add(o.ScriptHash)
		}
	}
	return out
}

// Pool is the mirrored mempool.
type Pool struct {
	mu        sync.RWMutex
	txs       map[chain.Hash]*Entry
	byScript  map[chain.Hash]map[chain.Hash]struct{} // script -> txids
	spends    map[wire.OutPoint]chain.Hash           // outpoint -> spending txid
	histogram [][2]float64
	truncated bool
}

// New makes an empty pool.
func New() *Pool {
	return &Pool{
		txs:      map[chain.Hash]*Entry{},
		byScript: map[chain.Hash]map[chain.Hash]struct{}{},
		spends:   map[wire.OutPoint]chain.Hash{},
	}
}

// Refresh brings the pool in line with the node's mempool; touched gets the scripts of
// every transaction that came or went.
func (p *Pool) Refresh(ctx context.Context, n *node.Client, db *store.DB, touched store.Touched) error {
	ids, err := n.Mempool(ctx)
	if err != nil {
		return err
	}
	current := make(map[chain.Hash]struct{}, len(ids))
	for _, id := range ids {
		current[chain.Hash(id)] = struct{}{}
	}
	p.mu.Lock()
	for id, e := range p.txs {
		if _, ok := current[id]; !ok {
			p.remove(e, touched)
		}
	}
	var missing []chain.Hash
	for _, id := range ids {
		if _, ok := p.txs[chain.Hash(id)]; !ok {
			missing = append(missing, chain.Hash(id))
		}
	}
	room := MaxTxs - len(p.txs)
	p.truncated = len(missing) > room
	p.mu.Unlock()

	missing = missing[:min(len(missing), room, fetchPerRefresh)]
	decoded := fetchAll(ctx, n, missing)

	// Outputs of new transactions may be spent by other new ones: index them all first.
	byID := make(map[chain.Hash]*wire.MsgTx, len(decoded))
	for _, t := range decoded {
		byID[chain.Hash(t.TxHash())] = t
	}
	p.mu.RLock()
	parents := p.missingParents(db, byID)
	p.mu.RUnlock()
	prevs := map[chain.Hash]*wire.MsgTx{}
	for _, t := range fetchAll(ctx, n, parents) {
		prevs[chain.Hash(t.TxHash())] = t
	}

	p.mu.Lock()
	defer p.mu.Unlock()
	err = db.View(func(r *store.Reader) error {
		for id, t := range byID {
			e := p.summarise(id, t, byID, prevs, r)
			p.add(e, touched)
		}
		return nil
	})
	p.histogram = histogram(p.txs)
	return err
}

// fetchAll gets and decodes transactions, a few at a time; ones that left the mempool in
// the meantime are skipped.
func fetchAll(ctx context.Context, n *node.Client, ids []chain.Hash) []*wire.MsgTx {
	const parallel = 4
	out := make([]*wire.MsgTx, len(ids))
	var wg sync.WaitGroup
	sem := make(chan struct{}, parallel)
	for i, id := range ids {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int, id chain.Hash) {
			defer wg.Done()
			defer func() { <-sem }()
			raw, err := n.RawTransaction(ctx, chainhash.Hash(id))
			if err != nil {
				return
			}
			var t wire.MsgTx
			if t.Deserialize(bytes.NewReader(raw)) == nil {
				out[i] = &t
			}
		}(i, id)
	}
	wg.Wait()
	kept := out[:0]
	for _, t := range out {
		if t != nil {
			kept = append(kept, t)
		}
	}
	return kept
}

// maxParents bounds the previous transactions fetched in one refresh.
const maxParents = 1000

// missingParents lists the transactions whose outputs new mempool transactions spend but
// that neither the pool, the new ones nor the index's unspent outputs hold: outputs the
// index saw spent already (btcd keeps a transaction of a disconnected block in its mempool
// even when the new chain spends its input otherwise). Their values come from the node.
func (p *Pool) missingParents(db *store.DB, fresh map[chain.Hash]*wire.MsgTx) []chain.Hash {
	seen := map[chain.Hash]bool{}
	var out []chain.Hash
	db.View(func(r *store.Reader) error {
		for _, t := range fresh {
			for _, in := range t.TxIn {
				prev := chain.Hash(in.PreviousOutPoint.Hash)
				if p.txs[prev] != nil || fresh[prev] != nil || seen[prev] || len(out) >= maxParents {
					continue
				}
				if _, ok := r.Output(prev, in.PreviousOutPoint.Index); ok {
					continue
				}
				seen[prev] = true
				out = append(out, prev)
			}
		}
		return nil
	})
	return out
}

func (p *Pool) summarise(id chain.Hash, t *wire.MsgTx, fresh, prevs map[chain.Hash]*wire.MsgTx, r *store.Reader) *Entry {
	weight := int64(t.SerializeSizeStripped())*3 + int64(t.SerializeSize())
	e := &Entry{TxID: id, VSize: (weight + 3) / 4}
	var in, out int64
	allKnown := true
	for _, txin := range t.TxIn {
		i := Input{Prev: txin.PreviousOutPoint}
		prevID := chain.Hash(txin.PreviousOutPoint.Hash)
		idx := txin.PreviousOutPoint.Index
		switch {
		case p.txs[prevID] != nil && int(idx) < len(p.txs[prevID].Outputs):
			o := p.txs[prevID].Outputs[idx]
			i.ScriptHash, i.Value, i.Known = o.ScriptHash, o.Value, true
		case fresh[prevID] != nil && int(idx) < len(fresh[prevID].TxOut):
			o := fresh[prevID].TxOut[idx]
			i.ScriptHash, i.Value, i.Known = chain.ScriptHash(o.PkScript), o.Value, true
		default:
			if o, ok := r.Output(prevID, idx); ok {
				i.ScriptHash, i.Value, i.Known = o.ScriptHash, o.Value, true
			} else if prevs[prevID] != nil && int(idx) < len(prevs[prevID].TxOut) {
				o := prevs[prevID].TxOut[idx]
				i.ScriptHash, i.Value, i.Known = chain.ScriptHash(o.PkScript), o.Value, true
			}
		}
		if i.Known {
			in += i.Value
		} else {
			allKnown = false
		}
		e.Inputs = append(e.Inputs, i)
	}
	for _, o := range t.TxOut {
		out += o.Value
		e.Outputs = append(e.Outputs, Output{
			ScriptHash: chain.ScriptHash(o.PkScript),
			Value:      o.Value,
			Spendable:  !txscript.IsUnspendable(o.PkScript),
		})
	}
	if allKnown && in >= out {
		e.Fee = in - out
	}
	return e
}

func (p *Pool) add(e *Entry, touched store.Touched) {
	p.txs[e.TxID] = e
	for _, sh := range e.Scripts() {
		set := p.byScript[sh]
		if set == nil {
			set = map[chain.Hash]struct{}{}
			p.byScript[sh] = set
		}
		set[e.TxID] = struct{}{}
		if touched != nil {
			touched[sh] = struct{}{}
		}
	}
	for _, in := range e.Inputs {
		p.spends[in.Prev] = e.TxID
	}
}

func (p *Pool) remove(e *Entry, touched store.Touched) {
	delete(p.txs, e.TxID)
	for _, sh := range e.Scripts() {
		if set := p.byScript[sh]; set != nil {
			delete(set, e.TxID)
			if len(set) == 0 {
				delete(p.byScript, sh)
			}
		}
		if touched != nil {
			touched[sh] = struct{}{}
		}
	}
	for _, in := range e.Inputs {
		if p.spends[in.Prev] == e.TxID {
			delete(p.spends, in.Prev)
		}
	}
}

// Tx is a mempool transaction as a script's history shows it.
type Tx struct {
	TxID   chain.Hash
	Height int64 // 0: every input confirmed; -1: spends an unconfirmed output
	Fee    int64
	// Received and Sent are what it pays to and spends from the script.
	Received, Sent int64
}

// ForScript lists the mempool transactions touching sh, ordered as the status hashes
// them: height 0 before -1, then by txid.
func (p *Pool) ForScript(sh chain.Hash) []Tx {
	p.mu.RLock()
	defer p.mu.RUnlock()
	var out []Tx
	for id := range p.byScript[sh] {
		e := p.txs[id]
		t := Tx{TxID: id, Fee: e.Fee}
		for _, in := range e.Inputs {
			if _, unconfirmed := p.txs[chain.Hash(in.Prev.Hash)]; unconfirmed {
				t.Height = -1
			}
			if in.Known && in.ScriptHash == sh {
				t.Sent += in.Value
			}
		}
		for _, o := range e.Outputs {
			if o.Spendable && o.ScriptHash == sh {
				t.Received += o.Value
			}
		}
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Height != out[j].Height {
			return out[i].Height > out[j].Height
		}
		return bytes.Compare(out[i].TxID[:], out[j].TxID[:]) < 0
	})
	return out
}

// SpentBy is the mempool transaction spending an outpoint, if any.
func (p *Pool) SpentBy(txid chain.Hash, vout uint32) (chain.Hash, bool) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	id, ok := p.spends[wire.OutPoint{Hash: chainhash.Hash(txid), Index: vout}]
	return id, ok
}

// Unspent is an output of a mempool transaction.
type Unspent struct {
	TxID  chain.Hash
	Vout  uint32
	Value int64
}

// UnspentTo lists the outputs to sh of mempool transactions that no mempool transaction
// spends, ordered by txid and index.
func (p *Pool) UnspentTo(sh chain.Hash) []Unspent {
	p.mu.RLock()
	defer p.mu.RUnlock()
	var out []Unspent
	for id := range p.byScript[sh] {
		for vout, o := range p.txs[id].Outputs {
			if !o.Spendable || o.ScriptHash != sh {
				continue
			}
			if _, spent := p.spends[wire.OutPoint{Hash: chainhash.Hash(id), Index: uint32(vout)}]; spent {
				continue
			}
			out = append(out, Unspent{TxID: id, Vout: uint32(vout), Value: o.Value})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if c := bytes.Compare(out[i].TxID[:], out[j].TxID[:]); c != 0 {
			return c < 0
		}
		return out[i].Vout < out[j].Vout
	})
	return out
}

// Stats are the pool's size and whether it hit MaxTxs.
func (p *Pool) Stats() (count int, truncated bool) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return len(p.txs), p.truncated
}

// Histogram is mempool.get_fee_histogram's answer, made at the last refresh.
func (p *Pool) Histogram() [][2]float64 {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.histogram
}

func (p *Pool) String() string {
	n, t := p.Stats()
	return fmt.Sprintf("%d transactions (truncated: %v)", n, t)
}
