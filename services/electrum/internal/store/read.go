package store

import (
	"bytes"
	"encoding/binary"

	bolt "go.etcd.io/bbolt"

	"bcm/services/electrum/internal/chain"
)

// Reader reads one consistent snapshot of the index.
type Reader struct {
	tx *bolt.Tx
}

// Tip is the height and hash of the last indexed block; ok is false for an empty index.
func (r *Reader) Tip() (height int64, hash chain.Hash, ok bool) { return tipOf(r.tx) }

// Genesis is the genesis hash the index was built from, if any.
func (r *Reader) Genesis() (chain.Hash, bool) {
	var h chain.Hash
	v := r.tx.Bucket(bMeta).Get(kGenesis)
	if len(v) != 32 {
		return h, false
	}
	copy(h[:], v)
	return h, true
}

// Header is the raw 80-byte header at height (a copy, valid after the snapshot ends).
func (r *Reader) Header(height int64) ([]byte, bool) {
	if height < 0 {
		return nil, false
	}
	v := r.tx.Bucket(bHeaders).Get(heightKey(height))
	if v == nil {
		return nil, false
	}
	return append([]byte(nil), v...), true
}

// BlockHashes are the block hashes of heights [from, to).
func (r *Reader) BlockHashes(from, to int64) ([]chain.Hash, bool) {
	out := make([]chain.Hash, 0, to-from)
	c := r.tx.Bucket(bHeaders).Cursor()
	h := from
	for k, v := c.Seek(heightKey(from)); k != nil && h < to; k, v = c.Next() {
		if int64(binary.BigEndian.Uint32(k)) != h {
			return nil, false
		}
		out = append(out, chain.DoubleSHA256(v))
		h++
	}
	return out, h == to
}

// TxPos is where a confirmed transaction is: its block height and position in it.
func (r *Reader) TxPos(txid chain.Hash) (height int64, pos uint32, ok bool) {
	v := r.tx.Bucket(bTxPos).Get(txid[:])
	if len(v) != 8 {
		return 0, 0, false
	}
	return int64(binary.BigEndian.Uint32(v)), binary.BigEndian.Uint32(v[4:]), true
}

// History calls fn for each confirmed transaction touching sh, in blockchain order; fn
// returning false stops it.
func (r *Reader) History(sh chain.Hash, fn func(height int64, txid chain.Hash) bool) {
	c := r.tx.Bucket(bHistory).Cursor()
	for k, v := c.Seek(sh[:]); k != nil && bytes.HasPrefix(k, sh[:]); k, v = c.Next() {
		var txid chain.Hash
		copy(txid[:], v)
		if !fn(int64(binary.BigEndian.Uint32(k[32:])), txid) {
			return
		}
	}
}

// Unspent is one confirmed unspent output of a script.
type Unspent struct {
	TxID   chain.Hash
	Vout   uint32
	Value  int64
	Height int64
}

// Unspents calls fn for each confirmed unspent output of sh, in blockchain order.
func (r *Reader) Unspents(sh chain.Hash, fn func(u Unspent) bool) {
	c := r.tx.Bucket(bShUtxo).Cursor()
	for k, v := c.Seek(sh[:]); k != nil && bytes.HasPrefix(k, sh[:]); k, v = c.Next() {
		u := Unspent{
			Vout:   binary.BigEndian.Uint32(k[40:]),
			Height: int64(binary.BigEndian.Uint32(k[32:])),
			Value:  int64(binary.BigEndian.Uint64(v[32:])),
		}
		copy(u.TxID[:], v)
		if !fn(u) {
			return
		}
	}
}

// Output looks up an unspent confirmed output.
func (r *Reader) Output(txid chain.Hash, vout uint32) (Output, bool) {
	return decodeOutput(r.tx.Bucket(bUtxo).Get(outpointKey(txid, vout)))
}
