package test

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"
)

// A client that sends thousands of history requests and reads nothing: the server stops
// reading it once its answers fill the connection's budget (backpressure), keeps its
// memory bounded, answers everyone else meanwhile, and drops the client after
// --send-timeout.
func TestClientThatDoesNotReadIsBounded(t *testing.T) {
	f := newFixture(t, 1)
	srv := f.startServer("--max-queued", "262144", "--max-queued-total", "1048576", "--send-timeout", "4s")
	c := f.client()
	var hist []histEntry
	if err := c.Result(&hist, "blockchain.scripthash.get_history", f.miner.ScriptHash()); err != nil {
		t.Fatal(err)
	}
	answer := len(mustJSON(hist))
	if answer < 30_000 {
		t.Fatalf("the miner's history is only %d bytes: too small for this test", answer)
	}

	greedy, err := net.Dial("tcp", srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer greedy.Close()
	greedy.(*net.TCPConn).SetReadBuffer(4096)
	const requests = 3000 // unbounded, their answers would be 3000 × ~40 KB = ~120 MB
	go func() {
		line := fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":"blockchain.scripthash.get_history","params":["%s"]}`+"\n", f.miner.ScriptHash())
		greedy.SetWriteDeadline(time.Now().Add(20 * time.Second))
		greedy.Write([]byte(strings.Repeat(line, requests)))
	}()

	// While it is stuck: bounded queue and heap, and others are answered.
	deadline := time.Now().Add(3 * time.Second)
	maxQueued, maxHeap := int64(0), uint64(0)
	for time.Now().Before(deadline) {
		if st, err := srv.Status(); err == nil {
			maxQueued = max(maxQueued, st.QueuedBytes)
			maxHeap = max(maxHeap, st.HeapBytes)
		}
		start := time.Now()
		if m, err := c.Call("server.ping"); err != nil || m.Error != nil {
			t.Fatalf("ping while a client is stuck: %v %s", err, m.Raw)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Fatalf("ping took %s while a client is stuck", d)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if limit := int64(262144 + answer + 1024); maxQueued > limit {
		t.Fatalf("%d bytes of answers queued, more than the connection's budget allows (%d)", maxQueued, limit)
	}
	if maxHeap > 64<<20 {
		t.Fatalf("heap reached %d MiB with one stuck client", maxHeap>>20)
	}
	f.compareScript(c, f.a, f.miner)

	// It is dropped after --send-timeout, and its budget comes back.
	deadline = time.Now().Add(20 * time.Second)
	for !strings.Contains(srv.Log(), "does not read its answers: disconnecting it") {
		if time.Now().After(deadline) {
			t.Fatalf("the stuck client was not disconnected:\n%s", tail(srv.Log(), 2000))
		}
		time.Sleep(200 * time.Millisecond)
	}
	deadline = time.Now().Add(10 * time.Second)
	for {
		st, err := srv.Status()
		if err == nil && st.QueuedBytes == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("queued bytes not given back after the disconnect: %+v", st)
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("answer %d bytes; at most %d bytes queued, heap at most %d MiB", answer, maxQueued, maxHeap>>20)
}
