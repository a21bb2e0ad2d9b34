package test

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/wire"

	"bcm/services/electrum/internal/chain"
	"bcm/services/electrum/internal/regtest"
)

// activity makes transactions among keys: funding from the miner, payments between the
// keys with several outputs to one key, a chain of unconfirmed spends inside one block,
// and a few transactions left in the mempool (one spending another unconfirmed one).
func (f *fixture) activity(keys []*regtest.Key) {
	f.t.Helper()
	for i, k := range keys {
		// Two outputs to the same key in one transaction.
		f.pay(f.a, f.miner, 1, []*regtest.Key{k, k}, []int64{int64(i+1) * 10_000_000, 3_000_000})
	}
	f.mine(f.a, 1)
	for round := 0; round < 3; round++ {
		for i, k := range keys {
			to := keys[(i+1+round)%len(keys)]
			f.pay(f.a, k, 1, []*regtest.Key{to}, []int64{1_000_000 + int64(round)*10_000})
			// The change just made is spent again before any block: a chain in one block.
			f.pay(f.a, k, 1, []*regtest.Key{keys[(i+2)%len(keys)]}, []int64{500_000})
		}
		f.mine(f.a, 1)
	}
	// Left in the mempool: a payment, and a spend of its unconfirmed output.
	tx := f.pay(f.a, keys[0], 1, []*regtest.Key{keys[1]}, []int64{700_000})
	unconfirmed := regtest.Coin{OutPoint: wire.OutPoint{Hash: tx.TxHash(), Index: 0}, Value: 700_000}
	f.payWith(f.a, keys[1], []regtest.Coin{unconfirmed}, []*regtest.Key{keys[0]}, []int64{300_000})
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// diff describes where two lists first differ, without printing all of long ones.
func diff[T any](got, want []T) string {
	for i := 0; i < max(len(got), len(want)); i++ {
		if i >= len(got) || i >= len(want) || !reflect.DeepEqual(got[i], want[i]) {
			var g, w any = "(none)", "(none)"
			if i < len(got) {
				g = got[i]
			}
			if i < len(want) {
				w = want[i]
			}
			return fmt.Sprintf("%d entries, want %d; first difference at %d: got %s, want %s", len(got), len(want), i, mustJSON(g), mustJSON(w))
		}
	}
	return "equal"
}

// compareScript checks get_history, get_mempool, get_balance and listunspent of one key
// against btcd.
func (f *fixture) compareScript(c *regtest.Client, b *regtest.Btcd, k *regtest.Key) {
	f.t.Helper()
	want := f.expect(b, k.Address.String())
	var hist, pool []histEntry
	var bal balance
	var unspent []utxoEntry
	for _, q := range []struct {
		method string
		out    any
	}{
		{"blockchain.scripthash.get_history", &hist},
		{"blockchain.scripthash.get_mempool", &pool},
		{"blockchain.scripthash.get_balance", &bal},
		{"blockchain.scripthash.listunspent", &unspent},
	} {
		if err := c.Result(q.out, q.method, k.ScriptHash()); err != nil {
			f.t.Fatal(err)
		}
	}
	if !reflect.DeepEqual(hist, want.history) {
		f.t.Errorf("%s get_history: %s", k.Address, diff(hist, want.history))
	}
	if !reflect.DeepEqual(pool, want.mempool) {
		f.t.Errorf("%s get_mempool: %s", k.Address, diff(pool, want.mempool))
	}
	if bal != want.balance {
		f.t.Errorf("%s get_balance: got %+v, want %+v", k.Address, bal, want.balance)
	}
	if !reflect.DeepEqual(unspent, want.unspent) {
		f.t.Errorf("%s listunspent: %s", k.Address, diff(unspent, want.unspent))
	}
	// The status is the 1.4 hash of exactly the history returned.
	var status *string
	if err := c.Result(&status, "blockchain.scripthash.subscribe", k.ScriptHash()); err != nil {
		f.t.Fatal(err)
	}
	h := chain.NewStatusHasher()
	for _, e := range want.history {
		id, _ := chain.ParseHash(e.TxHash)
		h.Add(id, e.Height)
	}
	if fmt.Sprint(deref(status)) != fmt.Sprint(deref(h.Status())) {
		f.t.Errorf("%s status %v, want %v", k.Address, deref(status), deref(h.Status()))
	}
}

func deref(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

func TestAnswersMatchTheNode(t *testing.T) {
	f := newFixture(t, 12)
	keys := []*regtest.Key{regtest.NewKey("alice"), regtest.NewKey("bob"), regtest.NewKey("carol"), regtest.NewKey("dave")}
	f.activity(keys[:2]) // before the server starts: found while indexing
	f.startServer()
	f.activity(keys[2:]) // after: found while following
	f.mine(f.a, 1)
	f.activity(keys)
	f.synced()
	c := f.client()
	nodeTxs := 0
	for _, k := range append(keys, f.miner, regtest.NewKey("nobody")) {
		f.compareScript(c, f.a, k)
		nodeTxs += f.expect(f.a, k.Address.String()).nodeTxs
	}
	if nodeTxs < 60 {
		t.Fatalf("only %d transactions touched the keys: the scenario is too small to mean much", nodeTxs)
	}

	// Headers: the tip, single headers, a range, each proof against the checkpoint root.
	tipHeight := f.height(f.a)
	var tip struct {
		Hex    string `json:"hex"`
		Height int64  `json:"height"`
	}
	if err := c.Result(&tip, "blockchain.headers.subscribe"); err != nil {
		t.Fatal(err)
	}
	if tip.Height != tipHeight {
		t.Fatalf("headers.subscribe height %d, node %d", tip.Height, tipHeight)
	}
	hashes := make([]chain.Hash, tipHeight+1)
	for h := int64(0); h <= tipHeight; h++ {
		var hdrHex string
		if err := c.Result(&hdrHex, "blockchain.block.header", h); err != nil {
			t.Fatal(err)
		}
		var nodeHdr string
		nodeHash, _ := f.a.RPC.BlockHash(f.ctx, h)
		if err := f.a.RPC.Call(f.ctx, "getblockheader", &nodeHdr, nodeHash.String(), false); err != nil {
			t.Fatal(err)
		}
		if hdrHex != nodeHdr {
			t.Fatalf("header %d: %s, node %s", h, hdrHex, nodeHdr)
		}
		raw, _ := hex.DecodeString(hdrHex)
		hashes[h] = chain.DoubleSHA256(raw)
	}
	for _, cp := range []int64{1, 2, 7, 100, tipHeight} {
		wantRoot := chain.MerkleRoot(hashes[:cp+1])
		for _, h := range []int64{0, cp / 2, cp} {
			var proof struct {
				Branch []string `json:"branch"`
				Header string   `json:"header"`
				Root   string   `json:"root"`
			}
			if err := c.Result(&proof, "blockchain.block.header", h, cp); err != nil {
				t.Fatal(err)
			}
			if proof.Root != wantRoot.String() || rootFrom(hashes[h], int(h), proof.Branch) != wantRoot {
				t.Fatalf("header %d cp %d: proof does not lead to the root %s: %+v", h, cp, wantRoot, proof)
			}
		}
	}
	var chunk struct {
		Count  int64    `json:"count"`
		Hex    string   `json:"hex"`
		Max    int64    `json:"max"`
		Root   string   `json:"root"`
		Branch []string `json:"branch"`
	}
	if err := c.Result(&chunk, "blockchain.block.headers", 5, 10, tipHeight); err != nil {
		t.Fatal(err)
	}
	if chunk.Count != 10 || len(chunk.Hex) != 10*160 || chunk.Max != 2016 || rootFrom(hashes[14], 14, chunk.Branch) != chain.MerkleRoot(hashes) {
		t.Fatalf("block.headers 5,10,cp: %+v", chunk)
	}
	var end map[string]any
	if err := c.Result(&end, "blockchain.block.headers", tipHeight-1, 50); err != nil || end["count"] != 2.0 || end["root"] != nil {
		t.Fatalf("block.headers past the tip: %v %+v", err, end)
	}

	// Every transaction of the last blocks: merkle proofs against the block's merkle root,
	// id_from_pos, and transaction.get equal to the node's.
	for h := tipHeight - 4; h <= tipHeight; h++ {
		nodeHash, _ := f.a.RPC.BlockHash(f.ctx, h)
		blk, _, err := f.a.RPC.Block(f.ctx, nodeHash)
		if err != nil {
			t.Fatal(err)
		}
		for pos, tx := range blk.Transactions {
			id := tx.TxHash().String()
			var m struct {
				BlockHeight int64    `json:"block_height"`
				Merkle      []string `json:"merkle"`
				Pos         int      `json:"pos"`
			}
			if err := c.Result(&m, "blockchain.transaction.get_merkle", id, h); err != nil {
				t.Fatal(err)
			}
			if m.BlockHeight != h || m.Pos != pos || rootFrom(chain.Hash(tx.TxHash()), pos, m.Merkle) != chain.Hash(blk.Header.MerkleRoot) {
				t.Fatalf("get_merkle %s: %+v does not prove the block's merkle root", id, m)
			}
			var byPos struct {
				TxHash string   `json:"tx_hash"`
				Merkle []string `json:"merkle"`
			}
			if err := c.Result(&byPos, "blockchain.transaction.id_from_pos", h, pos, true); err != nil {
				t.Fatal(err)
			}
			if byPos.TxHash != id || !reflect.DeepEqual(byPos.Merkle, m.Merkle) {
				t.Fatalf("id_from_pos %d %d: %+v", h, pos, byPos)
			}
			var rawHex string
			if err := c.Result(&rawHex, "blockchain.transaction.get", id); err != nil {
				t.Fatal(err)
			}
			if rawHex != regtest.Hex(tx) {
				t.Fatalf("transaction.get %s differs from the block's", id)
			}
		}
	}
	var plainID string
	if err := c.Result(&plainID, "blockchain.transaction.id_from_pos", 1, 0); err != nil {
		t.Fatal(err)
	}
	if h1, _ := f.a.RPC.BlockHash(f.ctx, 1); plainID == "" || len(plainID) != 64 {
		t.Fatalf("id_from_pos 1 0: %q (block %s)", plainID, h1)
	}
	// Verbose: the node's own answer.
	var verbose struct {
		Txid string `json:"txid"`
		Hex  string `json:"hex"`
	}
	if err := c.Result(&verbose, "blockchain.transaction.get", plainID, true); err != nil || verbose.Txid != plainID || verbose.Hex == "" {
		t.Fatalf("verbose transaction.get: %v %+v", err, verbose)
	}

	// Server methods and fees.
	var version []string
	if err := c.Result(&version, "server.version", "bcm-test", []string{"1.4", "1.4.2"}); err != nil || version[1] != "1.4.2" {
		t.Fatalf("server.version: %v %v", err, version)
	}
	var features map[string]any
	if err := c.Result(&features, "server.features"); err != nil {
		t.Fatal(err)
	}
	if features["genesis_hash"] != chaincfg.RegressionNetParams.GenesisHash.String() || features["hash_function"] != "sha256" || features["protocol_min"] != "1.4" {
		t.Fatalf("server.features: %v", features)
	}
	var relay float64
	if err := c.Result(&relay, "blockchain.relayfee"); err != nil {
		t.Fatal(err)
	}
	var info struct {
		RelayFee float64 `json:"relayfee"`
	}
	f.a.RPC.Call(f.ctx, "getinfo", &info)
	if relay != info.RelayFee || relay <= 0 {
		t.Fatalf("relayfee %v, btcd's getinfo says %v", relay, info.RelayFee)
	}
	var fee float64
	if err := c.Result(&fee, "blockchain.estimatefee", 6); err != nil {
		t.Fatal(err)
	}
	var nodeFee float64
	if err := f.a.RPC.Call(f.ctx, "estimatefee", &nodeFee, 6); err != nil {
		if fee != -1 {
			t.Fatalf("estimatefee %v, but btcd cannot estimate (%v): want -1", fee, err)
		}
	} else if fee != nodeFee {
		t.Fatalf("estimatefee %v, btcd says %v", fee, nodeFee)
	}
	var hist [][2]float64
	if err := c.Result(&hist, "mempool.get_fee_histogram"); err != nil {
		t.Fatal(err)
	}
	var poolTotal float64
	for _, bin := range hist {
		poolTotal += bin[1]
	}
	var mempool map[string]struct {
		Size int64 `json:"size"`
	}
	f.a.RPC.Call(f.ctx, "getrawmempool", &mempool, true)
	if len(mempool) == 0 || poolTotal <= 0 {
		t.Fatalf("fee histogram %v for a mempool of %d transactions", hist, len(mempool))
	}
	for _, m := range []string{"server.banner", "server.donation_address", "server.ping", "server.peers.subscribe"} {
		if msg, err := c.Call(m); err != nil || msg.Error != nil {
			t.Fatalf("%s: %v %s", m, err, msg.Raw)
		}
	}
}

func rootFrom(leaf chain.Hash, index int, branch []string) chain.Hash {
	var hs []chain.Hash
	for _, s := range branch {
		h, _ := chain.ParseHash(s)
		hs = append(hs, h)
	}
	return chain.RootFromBranch(leaf, index, hs)
}
