package store

import (
	"encoding/binary"
	"errors"

	"bcm/services/electrum/internal/chain"
)

// undo is what connecting one block changed, so that disconnecting it needs nothing from
// the node (which may no longer serve a block of the abandoned branch).
type undo struct {
	txids   []chain.Hash    // txpos rows added
	history []historyRow    // history rows added
	created []createdOutput // utxo rows added
	spent   []spentOutput   // utxo rows removed
}

type historyRow struct {
	sh  chain.Hash
	pos uint32
}

type createdOutput struct {
	txid chain.Hash
	vout uint32
	sh   chain.Hash
	pos  uint32
}

type spentOutput struct {
	txid chain.Hash
	vout uint32
	out  Output
}

func (u *undo) encode() []byte {
	b := make([]byte, 0, 16+32*len(u.txids)+36*len(u.history)+72*len(u.created)+84*len(u.spent))
	b = binary.AppendUvarint(b, uint64(len(u.txids)))
	for _, t := range u.txids {
		b = append(b, t[:]...)
	}
	b = binary.AppendUvarint(b, uint64(len(u.history)))
	for _, h := range u.history {
		b = append(b, h.sh[:]...)
		b = append(b, u32(h.pos)...)
	}
	b = binary.AppendUvarint(b, uint64(len(u.created)))
	for _, c := range u.created {
		b = append(b, c.txid[:]...)
		b = append(b, u32(c.vout)...)
		b = append(b, c.sh[:]...)
		b = append(b, u32(c.pos)...)
	}
	b = binary.AppendUvarint(b, uint64(len(u.spent)))
	for _, s := range u.spent {
		b = append(b, s.txid[:]...)
		b = append(b, u32(s.vout)...)
		b = append(b, encodeOutput(s.out)...)
	}
	return b
}

var errBadUndo = errors.New("undo record is truncated or malformed")

type reader struct {
	b   []byte
	err error
}

func (r *reader) count(itemSize int) int {
	n, k := binary.Uvarint(r.b)
	if k <= 0 || n > uint64(len(r.b))/uint64(itemSize) {
		r.err = errBadUndo
		return 0
	}
	r.b = r.b[k:]
	return int(n)
}

func (r *reader) take(n int) []byte {
	if r.err != nil || len(r.b) < n {
		r.err = errBadUndo
		return make([]byte, n)
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *reader) hash() (h chain.Hash) { copy(h[:], r.take(32)); return }
func (r *reader) u32() uint32          { return binary.BigEndian.Uint32(r.take(4)) }

func decodeUndo(b []byte) (*undo, error) {
	r := &reader{b: b}
	u := &undo{}
	for n := r.count(32); n > 0 && r.err == nil; n-- {
		u.txids = append(u.txids, r.hash())
	}
	for n := r.count(36); n > 0 && r.err == nil; n-- {
		u.history = append(u.history, historyRow{sh: r.hash(), pos: r.u32()})
	}
	for n := r.count(72); n > 0 && r.err == nil; n-- {
		u.created = append(u.created, createdOutput{txid: r.hash(), vout: r.u32(), sh: r.hash(), pos: r.u32()})
	}
	for n := r.count(84); n > 0 && r.err == nil; n-- {
		s := spentOutput{txid: r.hash(), vout: r.u32()}
		o, ok := decodeOutput(r.take(48))
		if !ok {
			r.err = errBadUndo
		}
		s.out = o
		u.spent = append(u.spent, s)
	}
	if r.err == nil && len(r.b) != 0 {
		r.err = errBadUndo
	}
	return u, r.err
}
