package test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"bcm/services/electrum/internal/regtest"
)

// A second btcd (B) mines a longer branch while disconnected from A, with a transaction
// that double-spends one of A's; when B connects, A reorganises to B's chain, and the
// server must follow: histories, balances and unspent outputs move to the new tip.
func TestReorgFollowsTheLongerChain(t *testing.T) {
	f := newFixture(t, 4)
	other := regtest.NewKey("miner of B")
	b, err := regtest.StartBtcd(btcdBin, filepath.Join(f.dir, "btcd-b"), other.Address.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Stop() })
	if err := b.Connect(f.ctx, f.a); err != nil {
		t.Fatal(err)
	}
	if err := b.WaitHeight(f.ctx, f.height(f.a)); err != nil {
		t.Fatal(err)
	}
	f.startServer()
	c := f.client()
	xavier, yann, zoe := regtest.NewKey("xavier"), regtest.NewKey("yann"), regtest.NewKey("zoe")

	// Common history: xavier is paid in a block both nodes have.
	f.pay(f.a, f.miner, 1, []*regtest.Key{xavier}, []int64{5_000_000})
	f.mine(f.a, 1)
	if err := b.WaitHeight(f.ctx, f.height(f.a)); err != nil {
		t.Fatal(err)
	}
	forkHeight := f.height(f.a)
	if err := b.Disconnect(f.ctx); err != nil {
		t.Fatal(err)
	}
	waitPeers(t, f, f.a, 0)

	// A's branch: the miner's coin pays yann, one block.
	coin := f.wallet.coins[f.miner][0]
	f.payWith(f.a, f.miner, []regtest.Coin{coin}, []*regtest.Key{yann}, []int64{7_000_000})
	f.mine(f.a, 1)
	f.synced()
	var status *string
	if err := c.Result(&status, "blockchain.scripthash.subscribe", yann.ScriptHash()); err != nil || status == nil {
		t.Fatalf("yann's status on A's branch: %v %v", err, status)
	}
	f.compareScript(c, f.a, yann)

	// B's branch: the same coin pays zoe instead, and B mines three blocks.
	f.wallet.coins[f.miner] = append(f.wallet.coins[f.miner], coin)
	f.payWith(b, f.miner, []regtest.Coin{coin}, []*regtest.Key{zoe}, []int64{6_000_000})
	f.mine(b, 3)

	if err := b.Connect(f.ctx, f.a); err != nil {
		t.Fatal(err)
	}
	if err := f.a.WaitHeight(f.ctx, forkHeight+3); err != nil {
		t.Fatal(err)
	}
	aTip, _ := f.a.RPC.BlockHash(f.ctx, forkHeight+3)
	bTip, _ := b.RPC.BlockHash(f.ctx, forkHeight+3)
	if aTip != bTip {
		t.Fatalf("A did not take B's chain: %s vs %s", aTip, bTip)
	}
	f.synced()
	// yann's payment lost its block: his status changes and the subscription says so.
	// (btcd puts the orphaned transaction back into its mempool even though zoe's spends
	// the same coin in the new chain; the server shows what the node holds, and the
	// comparison below is with the node.)
	for _, e := range f.expect(f.a, yann.Address.String()).history {
		if e.Height > 0 {
			t.Fatalf("btcd still has yann's payment confirmed after the reorg: %+v", e)
		}
	}
	deadline := time.After(15 * time.Second)
	for got := false; !got; {
		select {
		case m := <-c.Notifications:
			var p []*string
			json.Unmarshal(m.Params, &p)
			if m.Method == "blockchain.scripthash.subscribe" && len(p) == 2 && p[0] != nil && *p[0] == yann.ScriptHash() && deref(p[1]) != deref(status) {
				got = true
			}
		case <-deadline:
			t.Fatal("no notification of yann's new status after the reorg")
		}
	}
	for _, k := range []*regtest.Key{xavier, yann, zoe, f.miner, other} {
		f.compareScript(c, f.a, k)
	}
	var tip struct{ Height int64 }
	c.Result(&tip, "blockchain.headers.subscribe")
	if tip.Height != forkHeight+3 {
		t.Fatalf("tip after the reorg %d, want %d", tip.Height, forkHeight+3)
	}
	if !strings.Contains(f.srv.Log(), "reorg") {
		t.Fatalf("the log does not mention the reorg:\n%s", f.srv.Log())
	}
}

func waitPeers(t *testing.T, f *fixture, b *regtest.Btcd, n int) {
	t.Helper()
	for i := 0; i < 100; i++ {
		var peers []json.RawMessage
		if err := b.RPC.Call(f.ctx, "getpeerinfo", &peers); err == nil && len(peers) == n {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("btcd %s does not have %d peers", b.RPCAddr, n)
}
