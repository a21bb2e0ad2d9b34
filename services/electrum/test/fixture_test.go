package test

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/btcsuite/btcd/wire"

	"bcm/services/electrum/internal/regtest"
)

// fixture is one btcd (A) mining to the miner key, and optionally bcm-electrum on it.
type fixture struct {
	t      *testing.T
	ctx    context.Context
	dir    string
	miner  *regtest.Key
	a      *regtest.Btcd
	srv    *regtest.Server
	wallet *sim
}

func newFixture(t *testing.T, matureCoins int) *fixture {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	t.Cleanup(cancel)
	dir := t.TempDir()
	f := &fixture{t: t, ctx: ctx, dir: dir, miner: regtest.NewKey("bcm-electrum test miner")}
	a, err := regtest.StartBtcd(btcdBin, filepath.Join(dir, "btcd-a"), f.miner.Address.String())
	if err != nil {
		t.Fatal(err)
	}
	f.a = a
	t.Cleanup(func() {
		a.Stop()
		if t.Failed() {
			b, _ := os.ReadFile(filepath.Join(dir, "btcd-a", "btcd.out"))
			t.Logf("btcd A output (tail):\n%s", tail(string(b), 3000))
		}
	})
	f.wallet = newSim()
	if matureCoins > 0 {
		// btcd's regtest activates segwit (BIP 9) only after three 144-block periods, at
		// height 432: until then P2WPKH spends are refused.
		hashes := f.mine(a, max(matureCoins+100, segwitHeight))
		coins, err := f.miner.Coinbases(ctx, a.RPC, hashes[:matureCoins])
		if err != nil {
			t.Fatal(err)
		}
		f.wallet.coins[f.miner] = coins
	}
	return f
}

const segwitHeight = 440

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

func (f *fixture) mine(b *regtest.Btcd, n int) []string {
	f.t.Helper()
	var all []string
	for n > 0 {
		step := min(n, 500)
		hashes, err := b.Generate(f.ctx, step)
		if err != nil {
			f.t.Fatalf("generate: %v", err)
		}
		all = append(all, hashes...)
		n -= step
	}
	return all
}

func (f *fixture) height(b *regtest.Btcd) int64 {
	f.t.Helper()
	h, err := b.RPC.BlockCount(f.ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	return h
}

// startServer starts bcm-electrum on A and waits until it is synced with A.
func (f *fixture) startServer(extra ...string) *regtest.Server {
	f.t.Helper()
	if _, err := newServerNoWait(f, extra...); err != nil {
		f.t.Fatal(err)
	}
	f.synced()
	return f.srv
}

// newServerNoWait starts bcm-electrum on A and returns once it listens.
func newServerNoWait(f *fixture, extra ...string) (*regtest.Server, error) {
	srv, err := regtest.NewServer(serverBin, filepath.Join(f.dir, "electrum"), f.a, extra...)
	if err != nil {
		return nil, err
	}
	if err := srv.Start(); err != nil {
		return nil, err
	}
	f.srv = srv
	f.t.Cleanup(func() {
		if srv.Alive() {
			if err := srv.Stop(); err != nil {
				f.t.Errorf("bcm-electrum did not stop cleanly: %v", err)
			}
		}
		if f.t.Failed() {
			f.t.Logf("bcm-electrum log (tail):\n%s", tail(srv.Log(), 6000))
		}
	})
	return srv, nil
}

// synced waits until the server has A's tip and as many mempool transactions as A: its
// status.json (rewritten every 200 ms here) says so in a write made after this call began.
func (f *fixture) synced() {
	f.t.Helper()
	height := f.height(f.a)
	if err := f.srv.WaitSynced(height, 2*time.Minute); err != nil {
		f.t.Fatal(err)
	}
	since := time.Now()
	deadline := since.Add(time.Minute)
	for {
		var pool []string
		if err := f.a.RPC.Call(f.ctx, "getrawmempool", &pool); err != nil {
			f.t.Fatal(err)
		}
		st, err := f.srv.Status()
		if err == nil && st.Updated.After(since) && st.Height == height && st.MempoolTxs == len(pool) {
			return
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("the server did not catch up with A (height %d, %d mempool transactions): %+v %v", height, len(pool), st, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (f *fixture) client() *regtest.Client {
	f.t.Helper()
	c, err := regtest.Dial(f.srv.Addr)
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(c.Close)
	return c
}

// sim tracks the coins of the test's keys, to build transactions (confirmed or not).
type sim struct {
	coins map[*regtest.Key][]regtest.Coin
}

func newSim() *sim { return &sim{coins: map[*regtest.Key][]regtest.Coin{}} }

// pay sends from `from` to each of `to` the amounts given (same order), spending its
// `inputs` largest coins, change back to from.
func (f *fixture) pay(b *regtest.Btcd, from *regtest.Key, inputs int, to []*regtest.Key, amounts []int64) *wire.MsgTx {
	f.t.Helper()
	coins := append([]regtest.Coin(nil), f.wallet.coins[from]...)
	if len(coins) < inputs {
		f.t.Fatalf("key has %d coins, %d needed", len(coins), inputs)
	}
	sort.SliceStable(coins, func(i, j int) bool { return coins[i].Value > coins[j].Value })
	return f.payWith(b, from, coins[:inputs], to, amounts)
}

// payWith spends the given coins of `from`.
func (f *fixture) payWith(b *regtest.Btcd, from *regtest.Key, spend []regtest.Coin, to []*regtest.Key, amounts []int64) *wire.MsgTx {
	f.t.Helper()
	var outs []*wire.TxOut
	for i, k := range to {
		outs = append(outs, wire.NewTxOut(amounts[i], k.PkScript))
	}
	tx, err := from.Spend(spend, outs, 5000, from)
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := regtest.Send(f.ctx, b.RPC, tx); err != nil {
		f.t.Fatalf("sendrawtransaction: %v", err)
	}
	used := map[wire.OutPoint]bool{}
	for _, c := range spend {
		used[c.OutPoint] = true
	}
	var left []regtest.Coin
	for _, c := range f.wallet.coins[from] {
		if !used[c.OutPoint] {
			left = append(left, c)
		}
	}
	f.wallet.coins[from] = left
	for i, o := range tx.TxOut {
		owner := from
		if i < len(to) {
			owner = to[i]
		}
		f.wallet.coins[owner] = append(f.wallet.coins[owner], regtest.Coin{OutPoint: wire.OutPoint{Hash: tx.TxHash(), Index: uint32(i)}, Value: o.Value})
	}
	return tx
}
