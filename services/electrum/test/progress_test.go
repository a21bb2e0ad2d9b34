package test

import (
	"regexp"
	"strconv"
	"testing"
	"time"
)

// While indexing, the server answers the server.* methods at once and refuses history
// queries with "indexing N% (height/target)"; status.json says indexing, then synced.
// The node is paused (SIGSTOP) while the server starts, so the indexing state is certain
// to be seen; then it continues and the server catches up.
func TestIndexingProgressIsReported(t *testing.T) {
	f := newFixture(t, 1)
	f.mine(f.a, 2000)
	target := f.height(f.a)
	if err := f.a.Pause(); err != nil {
		t.Fatal(err)
	}
	paused := true
	defer func() {
		if paused {
			f.a.Resume()
		}
	}()
	srv, err := newServerNoWait(f)
	if err != nil {
		t.Fatal(err)
	}
	c := f.client()
	for _, m := range []string{"server.version", "server.features", "server.banner", "server.ping", "server.peers.subscribe", "server.donation_address"} {
		start := time.Now()
		msg, err := c.Call(m)
		if err != nil || msg.Error != nil {
			t.Fatalf("%s while indexing: %v %s", m, err, msg.Raw)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("%s took %s while indexing", m, d)
		}
	}
	pattern := regexp.MustCompile(`^indexing (\d+\.\d)% \((\d+)/(\d+)\)`)
	check := func() (bool, float64) {
		msg, err := c.Call("blockchain.scripthash.get_history", f.miner.ScriptHash())
		if err != nil {
			t.Fatal(err)
		}
		if msg.Error == nil {
			return false, 100
		}
		sm := pattern.FindStringSubmatch(msg.Error.Message)
		if msg.Error.Code != -32000 || sm == nil {
			t.Fatalf("refusal while indexing: %s", msg.Raw)
		}
		pc, _ := strconv.ParseFloat(sm[1], 64)
		return true, pc
	}
	if refused, pc := check(); !refused || pc != 0 {
		t.Fatalf("with the node paused the history was answered (refused %v, %v%%)", refused, pc)
	}
	// status.json is written within a few seconds, saying indexing.
	deadline := time.Now().Add(10 * time.Second)
	for {
		st, err := srv.Status()
		if err == nil && st.State == "indexing" && st.MemoryLimitBytes == 256<<20 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("status.json while indexing: %+v %v", st, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	f.a.Resume()
	paused = false
	// Refusals carry a percentage that never goes down, until the answer comes.
	last := 0.0
	deadline = time.Now().Add(2 * time.Minute)
	for {
		refused, pc := check()
		if !refused {
			break
		}
		if pc < last {
			t.Fatalf("progress went from %v%% down to %v%%", last, pc)
		}
		last = pc
		if time.Now().After(deadline) {
			t.Fatalf("still indexing after 2 minutes (%v%%)", pc)
		}
		time.Sleep(20 * time.Millisecond)
	}
	f.synced()
	deadline = time.Now().Add(10 * time.Second)
	for {
		st, err := srv.Status()
		if err == nil && st.State == "synced" && st.Height == target && st.NodeHeight == target && st.Percent == 100 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("status.json after catching up: %+v %v", st, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	f.compareScript(c, f.a, f.miner)
}
