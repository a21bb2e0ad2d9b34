package test

import (
	"encoding/json"
	"testing"
	"time"

	"bcm/services/electrum/internal/regtest"
)

// waitNotification waits for a notification of method on c, skipping others.
func waitNotification(t *testing.T, c *regtest.Client, method string, timeout time.Duration) regtest.Message {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case m := <-c.Notifications:
			if m.Method == method {
				return m
			}
		case <-deadline:
			t.Fatalf("no %s notification within %s", method, timeout)
		}
	}
}

func TestNotificationsOnMempoolAndBlock(t *testing.T) {
	f := newFixture(t, 3)
	f.startServer()
	c := f.client()
	erin := regtest.NewKey("erin")

	var tip struct{ Height int64 }
	if err := c.Result(&tip, "blockchain.headers.subscribe"); err != nil {
		t.Fatal(err)
	}
	var status *string
	if err := c.Result(&status, "blockchain.scripthash.subscribe", erin.ScriptHash()); err != nil {
		t.Fatal(err)
	}
	if status != nil {
		t.Fatalf("a fresh key has status %q, want null", *status)
	}

	// A mempool transaction paying erin: her status changes to the hash of a height-0 entry.
	f.pay(f.a, f.miner, 1, []*regtest.Key{erin}, []int64{1_000_000})
	m := waitNotification(t, c, "blockchain.scripthash.subscribe", 10*time.Second)
	var params []*string
	if err := json.Unmarshal(m.Params, &params); err != nil || len(params) != 2 || params[0] == nil || *params[0] != erin.ScriptHash() || params[1] == nil {
		t.Fatalf("notification params %s", m.Params)
	}
	mempoolStatus := *params[1]
	f.compareScript(c, f.a, erin) // the notified status equals the one computed from btcd
	var again *string
	c.Result(&again, "blockchain.scripthash.subscribe", erin.ScriptHash())
	if again == nil || *again != mempoolStatus {
		t.Fatalf("status after the notification %v, notified %s", again, mempoolStatus)
	}

	// A block: a header notification with the new tip, and erin's status changes again
	// (her transaction now has a height).
	f.mine(f.a, 1)
	h := waitNotification(t, c, "blockchain.headers.subscribe", 10*time.Second)
	var hdrs []struct {
		Height int64  `json:"height"`
		Hex    string `json:"hex"`
	}
	if err := json.Unmarshal(h.Params, &hdrs); err != nil || len(hdrs) != 1 || hdrs[0].Height != tip.Height+1 || len(hdrs[0].Hex) != 160 {
		t.Fatalf("header notification %s (tip was %d)", h.Params, tip.Height)
	}
	m = waitNotification(t, c, "blockchain.scripthash.subscribe", 10*time.Second)
	json.Unmarshal(m.Params, &params)
	if params[1] == nil || *params[1] == mempoolStatus {
		t.Fatalf("status after the block %v, still the mempool one", params[1])
	}
	f.compareScript(c, f.a, erin)

	// Unsubscribed: no more notifications for erin.
	var was bool
	if err := c.Result(&was, "blockchain.scripthash.unsubscribe", erin.ScriptHash()); err != nil || !was {
		t.Fatalf("unsubscribe: %v %v", err, was)
	}
	if err := c.Result(&was, "blockchain.scripthash.unsubscribe", erin.ScriptHash()); err != nil || was {
		t.Fatalf("second unsubscribe: %v %v", err, was)
	}
	f.pay(f.a, f.miner, 1, []*regtest.Key{erin}, []int64{2_000_000})
	f.mine(f.a, 1)
	waitNotification(t, c, "blockchain.headers.subscribe", 10*time.Second)
	time.Sleep(time.Second)
	for len(c.Notifications) > 0 {
		if n := <-c.Notifications; n.Method == "blockchain.scripthash.subscribe" {
			t.Fatalf("notification after unsubscribe: %s", n.Raw)
		}
	}
}
