package store

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"

	"bcm/services/electrum/internal/chain"
)

// Writer changes the index inside one write transaction; it can read what it wrote.
type Writer struct {
	Reader
}

// ErrNotOnTip: the block's parent is not the indexed tip (the node reorganised).
var ErrNotOnTip = errors.New("the block does not build on the indexed tip")

// ErrNoUndo: the block to disconnect is deeper than the kept undo data.
var ErrNoUndo = fmt.Errorf("no undo data for the block (reorg deeper than %d blocks)", UndoDepth)

// Touched collects the script hashes a change affected (for notifications); nil collects
// nothing.
type Touched map[chain.Hash]struct{}

func (t Touched) add(sh chain.Hash) {
	if t != nil {
		t[sh] = struct{}{}
	}
}

// ConnectBlock adds the block at height on top of the tip. The genesis block's header is
// stored, its transactions are not indexed (its coinbase can never be spent).
func (w *Writer) ConnectBlock(height int64, block *wire.MsgBlock, touched Touched) error {
	tipHeight, tipHash, ok := w.Tip()
	if ok && height != tipHeight+1 || !ok && height != 0 {
		return fmt.Errorf("block %d does not follow the tip %d", height, tipHeight)
	}
	if ok && chain.Hash(block.Header.PrevBlock) != tipHash {
		return fmt.Errorf("block %d: %w %s", height, ErrNotOnTip, tipHash)
	}
	var hdr bytes.Buffer
	if err := block.Header.Serialize(&hdr); err != nil {
		return err
	}
	hash := chain.DoubleSHA256(hdr.Bytes())
	tx := w.tx
	if height == 0 {
		if err := tx.Bucket(bMeta).Put(kGenesis, hash[:]); err != nil {
			return err
		}
	}
	if err := tx.Bucket(bHeaders).Put(heightKey(height), hdr.Bytes()); err != nil {
		return err
	}
	u := &undo{}
	if height > 0 {
		for pos, t := range block.Transactions {
			if err := w.connectTx(height, uint32(pos), t, u, touched); err != nil {
				return fmt.Errorf("block %d tx %d: %w", height, pos, err)
			}
		}
	}
	undoB := tx.Bucket(bUndo)
	if err := undoB.Put(heightKey(height), u.encode()); err != nil {
		return err
	}
	if old := height - UndoDepth; old >= 0 {
		if err := undoB.Delete(heightKey(old)); err != nil {
			return err
		}
	}
	return w.setTip(height, hash)
}

func (w *Writer) connectTx(height int64, pos uint32, t *wire.MsgTx, u *undo, touched Touched) error {
	txid := chain.Hash(t.TxHash())
	mine := map[chain.Hash]struct{}{} // scripts this tx touches: one history row each
	if !isCoinbase(t) {
		for _, in := range t.TxIn {
			prev := in.PreviousOutPoint
			key := outpointKey(chain.Hash(prev.Hash), prev.Index)
			out, ok := decodeOutput(w.tx.Bucket(bUtxo).Get(key))
			if !ok {
				// Only outputs never indexed (OP_RETURN, which no valid tx spends) are
				// missing: anything else means the index and the chain disagree.
				return fmt.Errorf("spends %s:%d, which the index does not hold", prev.Hash, prev.Index)
			}
			if err := w.tx.Bucket(bUtxo).Delete(key); err != nil {
				return err
			}
			if err := w.tx.Bucket(bShUtxo).Delete(shUtxoKey(out.ScriptHash, out.Height, out.Pos, prev.Index)); err != nil {
				return err
			}
			u.spent = append(u.spent, spentOutput{txid: chain.Hash(prev.Hash), vout: prev.Index, out: out})
			mine[out.ScriptHash] = struct{}{}
		}
	}
	for vout, o := range t.TxOut {
		if txscript.IsUnspendable(o.PkScript) {
			continue
		}
		sh := chain.ScriptHash(o.PkScript)
		out := Output{ScriptHash: sh, Value: o.Value, Height: height, Pos: pos}
		if err := w.putOutput(txid, uint32(vout), out); err != nil {
			return err
		}
		u.created = append(u.created, createdOutput{txid: txid, vout: uint32(vout), sh: sh, pos: pos})
		mine[sh] = struct{}{}
	}
	// A txid seen twice (two early mainnet coinbases, before BIP 30) keeps its last place.
	if err := w.tx.Bucket(bTxPos).Put(txid[:], append(heightKey(height), u32(pos)...)); err != nil {
		return err
	}
	u.txids = append(u.txids, txid)
	for sh := range mine {
		if err := w.tx.Bucket(bHistory).Put(historyKey(sh, height, pos), txid[:]); err != nil {
			return err
		}
		u.history = append(u.history, historyRow{sh: sh, pos: pos})
		touched.add(sh)
	}
	return nil
}

func (w *Writer) putOutput(txid chain.Hash, vout uint32, out Output) error {
	if err := w.tx.Bucket(bUtxo).Put(outpointKey(txid, vout), encodeOutput(out)); err != nil {
		return err
	}
	val := make([]byte, 40)
	copy(val, txid[:])
	copy(val[32:], u64(uint64(out.Value)))
	return w.tx.Bucket(bShUtxo).Put(shUtxoKey(out.ScriptHash, out.Height, out.Pos, vout), val)
}

// DisconnectTip removes the tip block, from its undo data, and returns the new tip height.
func (w *Writer) DisconnectTip(touched Touched) (int64, error) {
	height, _, ok := w.Tip()
	if !ok {
		return -1, fmt.Errorf("the index is empty")
	}
	if height == 0 {
		return -1, fmt.Errorf("refusing to disconnect the genesis block")
	}
	raw := w.tx.Bucket(bUndo).Get(heightKey(height))
	if raw == nil {
		return height, ErrNoUndo
	}
	u, err := decodeUndo(raw)
	if err != nil {
		return height, fmt.Errorf("block %d: %w", height, err)
	}
	// Restore what the block spent first, then remove what it created: an output both
	// created and spent inside the block is in both lists and must end up absent.
	for _, s := range u.spent {
		if err := w.putOutput(s.txid, s.vout, s.out); err != nil {
			return height, err
		}
		touched.add(s.out.ScriptHash)
	}
	for _, c := range u.created {
		if err := w.tx.Bucket(bUtxo).Delete(outpointKey(c.txid, c.vout)); err != nil {
			return height, err
		}
		if err := w.tx.Bucket(bShUtxo).Delete(shUtxoKey(c.sh, height, c.pos, c.vout)); err != nil {
			return height, err
		}
	}
	for _, h := range u.history {
		if err := w.tx.Bucket(bHistory).Delete(historyKey(h.sh, height, h.pos)); err != nil {
			return height, err
		}
		touched.add(h.sh)
	}
	for _, t := range u.txids {
		if err := w.tx.Bucket(bTxPos).Delete(t[:]); err != nil {
			return height, err
		}
	}
	for _, b := range [][]byte{bHeaders, bUndo} {
		if err := w.tx.Bucket(b).Delete(heightKey(height)); err != nil {
			return height, err
		}
	}
	prev, ok := w.Header(height - 1)
	if !ok {
		return height, fmt.Errorf("header %d is missing", height-1)
	}
	return height - 1, w.setTip(height-1, chain.DoubleSHA256(prev))
}

func (w *Writer) setTip(height int64, hash chain.Hash) error {
	return w.tx.Bucket(bMeta).Put(kTip, append(heightKey(height), hash[:]...))
}

func isCoinbase(t *wire.MsgTx) bool {
	return len(t.TxIn) == 1 && t.TxIn[0].PreviousOutPoint.Index == wire.MaxPrevOutIndex &&
		t.TxIn[0].PreviousOutPoint.Hash == [32]byte{}
}

func u64(v uint64) []byte {
	b := make([]byte, 8)
	for i := 7; i >= 0; i-- {
		b[i] = byte(v)
		v >>= 8
	}
	return b
}
