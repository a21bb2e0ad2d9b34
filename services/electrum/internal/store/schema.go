// Package store is the index on disk: one bbolt file (a B+tree in a single memory-mapped
// file, with atomic, fsynced commits), so the index survives restarts and crashes and
// memory holds only what a query touches.
//
// Tables (bbolt buckets), all integers big-endian so keys sort by height:
//
//	meta     format, genesis hash, tip (height+hash), "running" while a process has it open
//	headers  height(4)                          -> 80-byte block header
//	txpos    txid(32)                           -> height(4) position(4) in its block
//	history  scripthash(32) height(4) pos(4)    -> txid(32)   one row per tx touching the script
//	utxo     txid(32) vout(4)                   -> scripthash(32) value(8) height(4) pos(4)
//	shutxo   scripthash(32) height(4) pos(4) vout(4) -> txid(32) value(8)
//	undo     height(4)                          -> what connecting that block changed
//
// Hashes are stored in Bitcoin's internal byte order.
package store

import (
	"encoding/binary"

	"bcm/services/electrum/internal/chain"
)

// Format names this layout; an index of another format is rebuilt.
const Format = "bcm-electrum-index-1"

// UndoDepth is how many of the latest blocks keep their undo data: a reorg deeper than
// this (none has happened on mainnet since 2013's 24 blocks) makes the index start over.
const UndoDepth = 1000

var (
	bMeta    = []byte("meta")
	bHeaders = []byte("headers")
	bTxPos   = []byte("txpos")
	bHistory = []byte("history")
	bUtxo    = []byte("utxo")
	bShUtxo  = []byte("shutxo")
	bUndo    = []byte("undo")

	allBuckets = [][]byte{bMeta, bHeaders, bTxPos, bHistory, bUtxo, bShUtxo, bUndo}

	kFormat  = []byte("format")
	kGenesis = []byte("genesis")
	kTip     = []byte("tip")
	kRunning = []byte("running")
)

func u32(v uint32) []byte {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], v)
	return b[:]
}

func heightKey(h int64) []byte { return u32(uint32(h)) }

func historyKey(sh chain.Hash, height int64, pos uint32) []byte {
	k := make([]byte, 0, 40)
	k = append(k, sh[:]...)
	k = append(k, heightKey(height)...)
	return append(k, u32(pos)...)
}

func outpointKey(txid chain.Hash, vout uint32) []byte {
	k := make([]byte, 0, 36)
	k = append(k, txid[:]...)
	return append(k, u32(vout)...)
}

func shUtxoKey(sh chain.Hash, height int64, pos, vout uint32) []byte {
	return append(historyKey(sh, height, pos), u32(vout)...)
}

// Output is an unspent output as the utxo table holds it.
type Output struct {
	ScriptHash chain.Hash
	Value      int64
	Height     int64
	Pos        uint32 // the funding tx's position in its block
}

func encodeOutput(o Output) []byte {
	v := make([]byte, 48)
	copy(v, o.ScriptHash[:])
	binary.BigEndian.PutUint64(v[32:], uint64(o.Value))
	binary.BigEndian.PutUint32(v[40:], uint32(o.Height))
	binary.BigEndian.PutUint32(v[44:], o.Pos)
	return v
}

func decodeOutput(v []byte) (Output, bool) {
	if len(v) != 48 {
		return Output{}, false
	}
	var o Output
	copy(o.ScriptHash[:], v)
	o.Value = int64(binary.BigEndian.Uint64(v[32:]))
	o.Height = int64(binary.BigEndian.Uint32(v[40:]))
	o.Pos = binary.BigEndian.Uint32(v[44:])
	return o, true
}
