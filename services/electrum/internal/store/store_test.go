package store

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
	bolt "go.etcd.io/bbolt"

	"bcm/services/electrum/internal/chain"
)

func script(n byte) []byte {
	return []byte{0x00, 0x14, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n}
}

func coinbase(height int64, to byte) *wire.MsgTx {
	t := wire.NewMsgTx(2)
	t.AddTxIn(&wire.TxIn{PreviousOutPoint: wire.OutPoint{Index: wire.MaxPrevOutIndex}, SignatureScript: []byte{byte(height), byte(height >> 8), 0x51}})
	t.AddTxOut(wire.NewTxOut(50_0000_0000, script(to)))
	t.AddTxOut(wire.NewTxOut(0, []byte{0x6a, 0x01, 0x02})) // OP_RETURN: never indexed
	return t
}

func spend(prev *wire.MsgTx, vout uint32, outs ...int64) *wire.MsgTx {
	t := wire.NewMsgTx(2)
	t.AddTxIn(wire.NewTxIn(&wire.OutPoint{Hash: prev.TxHash(), Index: vout}, nil, nil))
	for i, v := range outs {
		t.AddTxOut(wire.NewTxOut(v, script(byte(10+i))))
	}
	return t
}

func block(prev chain.Hash, txs ...*wire.MsgTx) *wire.MsgBlock {
	b := &wire.MsgBlock{Header: wire.BlockHeader{Version: 4, PrevBlock: chainhash.Hash(prev), Bits: 0x207fffff}}
	for _, t := range txs {
		b.AddTransaction(t)
	}
	return b
}

// dump lists every row of the data tables (not meta's bookkeeping), to compare states.
func dump(t *testing.T, db *DB) string {
	var sb strings.Builder
	err := db.bolt.View(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bHeaders, bTxPos, bHistory, bUtxo, bShUtxo} {
			tx.Bucket(name).ForEach(func(k, v []byte) error {
				fmt.Fprintf(&sb, "%s %x %x\n", name, k, v)
				return nil
			})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return sb.String()
}

func openTemp(t *testing.T) (*DB, string) {
	path := filepath.Join(t.TempDir(), "index.db")
	db, rebuilt, err := Open(path)
	if err != nil || rebuilt != "" {
		t.Fatalf("open: %v %q", err, rebuilt)
	}
	return db, path
}

func TestConnectAndDisconnectRestoreEveryTable(t *testing.T) {
	db, _ := openTemp(t)
	defer db.Close()
	genesis := chaincfg.RegressionNetParams.GenesisBlock
	cb1 := coinbase(1, 1)
	cb2 := coinbase(2, 2)
	a := spend(cb1, 0, 30_0000_0000, 19_0000_0000)
	b := spend(a, 1, 18_0000_0000) // spends an output of the same block
	steps := []*wire.MsgBlock{genesis}
	err := db.Update(func(w *Writer) error {
		if err := w.ConnectBlock(0, genesis, nil); err != nil {
			return err
		}
		b1 := block(chain.Hash(genesis.BlockHash()), cb1)
		steps = append(steps, b1)
		return w.ConnectBlock(1, b1, nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	before := dump(t, db)
	b2 := block(chain.Hash(steps[1].BlockHash()), cb2, a, b)
	touched := Touched{}
	if err := db.Update(func(w *Writer) error { return w.ConnectBlock(2, b2, touched) }); err != nil {
		t.Fatal(err)
	}
	// Script 1's coin is spent, a's second output is spent by b in the same block.
	db.View(func(r *Reader) error {
		if _, ok := r.Output(chain.Hash(cb1.TxHash()), 0); ok {
			t.Error("spent coinbase output still unspent")
		}
		if _, ok := r.Output(chain.Hash(a.TxHash()), 1); ok {
			t.Error("output spent inside the block still unspent")
		}
		var hist []string
		r.History(chain.ScriptHash(script(1)), func(h int64, id chain.Hash) bool {
			hist = append(hist, fmt.Sprintf("%d:%s", h, id))
			return true
		})
		want := []string{fmt.Sprintf("1:%s", cb1.TxHash()), fmt.Sprintf("2:%s", a.TxHash())}
		if fmt.Sprint(hist) != fmt.Sprint(want) {
			t.Errorf("history of script 1: %v, want %v", hist, want)
		}
		var unspent []Unspent
		r.Unspents(chain.ScriptHash(script(10)), func(u Unspent) bool { unspent = append(unspent, u); return true })
		if len(unspent) != 2 || unspent[0].Value != 30_0000_0000 || unspent[1].Value != 18_0000_0000 {
			t.Errorf("unspent of script 10: %+v", unspent)
		}
		if h, pos, ok := r.TxPos(chain.Hash(b.TxHash())); !ok || h != 2 || pos != 2 {
			t.Errorf("txpos of b: %d %d %v", h, pos, ok)
		}
		return nil
	})
	for _, s := range []byte{1, 2, 10, 11} {
		if _, ok := touched[chain.ScriptHash(script(s))]; !ok {
			t.Errorf("script %d not reported as touched", s)
		}
	}
	err = db.Update(func(w *Writer) error {
		h, err := w.DisconnectTip(nil)
		if h != 1 {
			return fmt.Errorf("new tip %d", h)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if after := dump(t, db); after != before {
		t.Fatalf("disconnect did not restore the tables:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	// A block that does not build on the tip is refused.
	err = db.Update(func(w *Writer) error { return w.ConnectBlock(2, block(chain.Hash{1}, cb2), nil) })
	if err == nil {
		t.Fatal("a block on another parent was connected")
	}
}

func TestUndoRoundTripAndTruncation(t *testing.T) {
	u := &undo{
		txids:   []chain.Hash{{1}, {2}},
		history: []historyRow{{sh: chain.Hash{3}, pos: 7}},
		created: []createdOutput{{txid: chain.Hash{4}, vout: 1, sh: chain.Hash{5}, pos: 2}},
		spent:   []spentOutput{{txid: chain.Hash{6}, vout: 9, out: Output{ScriptHash: chain.Hash{7}, Value: 12345, Height: 8, Pos: 3}}},
	}
	enc := u.encode()
	got, err := decodeUndo(enc)
	if err != nil || fmt.Sprint(got) != fmt.Sprint(u) {
		t.Fatalf("round trip: %v\n%v\n%v", err, got, u)
	}
	for n := 0; n < len(enc); n++ {
		if _, err := decodeUndo(enc[:n]); err == nil {
			t.Fatalf("undo cut to %d of %d bytes was accepted", n, len(enc))
		}
	}
}

func fill(t *testing.T, db *DB, blocks int) {
	genesis := chaincfg.RegressionNetParams.GenesisBlock
	err := db.Update(func(w *Writer) error {
		if err := w.ConnectBlock(0, genesis, nil); err != nil {
			return err
		}
		prev := chain.Hash(genesis.BlockHash())
		for h := int64(1); h <= int64(blocks); h++ {
			b := block(prev, coinbase(h, byte(h)))
			if err := w.ConnectBlock(h, b, nil); err != nil {
				return err
			}
			prev = chain.Hash(b.BlockHash())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func tipHeight(t *testing.T, db *DB) int64 {
	var h int64
	db.View(func(r *Reader) error { h, _, _ = r.Tip(); return nil })
	return h
}

func TestReopenKeepsTheIndex(t *testing.T) {
	db, path := openTemp(t)
	fill(t, db, 300)
	db.Close()
	db, rebuilt, err := Open(path)
	if err != nil || rebuilt != "" {
		t.Fatalf("reopen: %v %q", err, rebuilt)
	}
	defer db.Close()
	if h := tipHeight(t, db); h != 300 {
		t.Fatalf("tip after reopen %d", h)
	}
}

func TestDamagedIndexIsRebuilt(t *testing.T) {
	cases := map[string]func(path string) error{
		"truncated": func(p string) error {
			st, _ := os.Stat(p)
			return os.Truncate(p, st.Size()/2)
		},
		"garbage header": func(p string) error {
			f, err := os.OpenFile(p, os.O_WRONLY, 0)
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = f.WriteAt(bytes.Repeat([]byte{0xAB}, 8192), 0)
			return err
		},
		"empty file": func(p string) error { return os.Truncate(p, 0) },
		"not a database": func(p string) error {
			return os.WriteFile(p, []byte("this is not a bbolt file\n"), 0o600)
		},
	}
	for name, damage := range cases {
		t.Run(name, func(t *testing.T) {
			db, path := openTemp(t)
			fill(t, db, 2000)
			db.Close()
			if err := damage(path); err != nil {
				t.Fatal(err)
			}
			db, rebuilt, err := Open(path)
			if err != nil {
				t.Fatalf("open of a damaged index failed instead of rebuilding: %v", err)
			}
			defer db.Close()
			if rebuilt == "" {
				t.Fatal("the damaged index was not reported as rebuilt")
			}
			if h := tipHeight(t, db); h != -1 {
				t.Fatalf("rebuilt index has tip %d", h)
			}
			t.Logf("detected: %s", rebuilt)
		})
	}
}

func TestLockedIndexIsNotRebuilt(t *testing.T) {
	db, path := openTemp(t)
	defer db.Close()
	fill(t, db, 5)
	_, _, err := Open(path)
	if err == nil || !strings.Contains(err.Error(), "locked") {
		t.Fatalf("second open: %v", err)
	}
	if h := tipHeight(t, db); h != 5 {
		t.Fatalf("index changed: tip %d", h)
	}
}
