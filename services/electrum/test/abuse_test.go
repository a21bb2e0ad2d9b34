package test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"bcm/services/electrum/internal/regtest"
)

func expectError(t *testing.T, m regtest.Message, err error, code int, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if m.Error == nil || m.Error.Code != code {
		t.Fatalf("%s: want error %d, got %s", what, code, m.Raw)
	}
}

// Malformed and abusive requests get JSON-RPC errors or a closed connection, never a
// crash: the server answers other clients afterwards, and its limits hold.
func TestMalformedRequestsAndLimits(t *testing.T) {
	f := newFixture(t, 1)
	srv := f.startServer("--max-conns", "8", "--max-subs", "10000")
	c := f.client()

	m, err := c.SendLine([]byte(`{"jsonrpc":"2.0","id":1,"method":`+"\n"), 5*time.Second)
	expectError(t, m, err, -32700, "truncated JSON")
	m, err = c.SendLine([]byte("42\n"), 5*time.Second)
	expectError(t, m, err, -32600, "a number instead of a request")
	m, err = c.SendLine([]byte(`{"jsonrpc":"2.0","id":{"x":1},"method":"server.ping"}`+"\n"), 5*time.Second)
	expectError(t, m, err, -32600, "an object as id")
	m, err = c.Call("no.such.method")
	expectError(t, m, err, -32601, "unknown method")
	sh := regtest.NewKey("ivan").ScriptHash()
	for _, bad := range []struct {
		method string
		params []any
		code   int
	}{
		{"blockchain.scripthash.get_history", []any{123}, -32602},
		{"blockchain.scripthash.get_history", []any{"zz"}, -32602},
		{"blockchain.scripthash.get_history", []any{}, -32602},
		{"blockchain.scripthash.get_balance", []any{sh, 1, 2}, -32602},
		{"blockchain.block.header", []any{"ten"}, -32602},
		{"blockchain.block.header", []any{-1}, -32602},
		{"blockchain.block.header", []any{99999999}, 1},
		{"blockchain.block.header", []any{5, 2}, 1},
		{"blockchain.block.headers", []any{0}, -32602},
		{"blockchain.transaction.get", []any{"00"}, -32602},
		{"blockchain.transaction.get", []any{strings.Repeat("ab", 32)}, 2},
		{"blockchain.transaction.get_merkle", []any{strings.Repeat("ab", 32)}, 1},
		{"blockchain.transaction.id_from_pos", []any{1, 99}, 1},
		{"blockchain.transaction.broadcast", []any{"nothex"}, -32602},
		{"blockchain.transaction.broadcast", []any{"00"}, 2},
		{"blockchain.estimatefee", []any{0}, -32602},
	} {
		m, err := c.Call(bad.method, bad.params...)
		expectError(t, m, err, bad.code, fmt.Sprintf("%s %v", bad.method, bad.params))
	}
	// Parameters by name work, unknown names are refused.
	var hist []any
	if err := c.Result(&hist, "blockchain.scripthash.get_history"); err == nil {
		t.Fatal("get_history without a script hash was answered")
	}
	line := fmt.Sprintf(`{"jsonrpc":"2.0","id":7,"method":"blockchain.scripthash.get_history","params":{"scripthash":"%s"}}`+"\n", sh)
	if m, err := c.SendLine([]byte(line), 5*time.Second); err != nil || m.Error != nil || string(m.Result) != "[]" {
		t.Fatalf("params by name: %v %s", err, m.Raw)
	}
	m, err = c.SendLine([]byte(`{"jsonrpc":"2.0","id":8,"method":"blockchain.scripthash.get_history","params":{"script":"x"}}`+"\n"), 5*time.Second)
	expectError(t, m, err, -32602, "unknown parameter name")

	// A JSON-RPC notification (no id) is carried out without an answer: the next answer
	// is the next request's.
	if m, err := c.SendLine([]byte(`{"jsonrpc":"2.0","method":"server.ping"}`+"\n"+`{"jsonrpc":"2.0","id":"after","method":"server.ping"}`+"\n"), 5*time.Second); err != nil || string(m.ID) != `"after"` {
		t.Fatalf("notification then request: %v %s", err, m.Raw)
	}

	// A batch: one answer per request, in order, errors inside.
	m, err = c.SendLine([]byte(`[{"jsonrpc":"2.0","id":1,"method":"server.ping"},{"jsonrpc":"2.0","id":2,"method":"nope"},{"jsonrpc":"2.0","id":3,"method":"blockchain.scripthash.get_balance","params":["`+sh+`"]}]`+"\n"), 5*time.Second)
	var batch []regtest.Message
	if err != nil || json.Unmarshal(m.Raw, &batch) != nil || len(batch) != 3 || batch[1].Error == nil || batch[1].Error.Code != -32601 || string(batch[2].Result) != `{"confirmed":0,"unconfirmed":0}` {
		t.Fatalf("batch: %v %s", err, m.Raw)
	}
	m, err = c.SendLine([]byte("[]\n"), 5*time.Second)
	expectError(t, m, err, -32600, "empty batch")

	// server.version: once; a second time is an error; no common version closes.
	if m, err := c.Call("server.version", "t", "1.4"); err != nil || m.Error != nil {
		t.Fatalf("server.version: %v %s", err, m.Raw)
	}
	m, err = c.Call("server.version", "t", "1.4")
	expectError(t, m, err, 1, "second server.version")
	v := f.client()
	m, err = v.Call("server.version", "t", []string{"2.0", "2.1"})
	expectError(t, m, err, 1, "no common version")
	waitClosed(t, v, "after no common protocol version")

	// A 10 MB line: an error naming the limit and a closed connection, nothing buffered.
	big := f.client()
	m, err = big.SendLine(append(bytes.Repeat([]byte("a"), 10<<20), '\n'), 30*time.Second)
	if err == nil {
		expectError(t, m, nil, -32600, "10 MB line")
		if !strings.Contains(m.Error.Message, "longer than 1048576") {
			t.Fatalf("10 MB line: %s", m.Raw)
		}
	}
	waitClosed(t, big, "after a 10 MB line")

	// 10,050 subscriptions from one client, in batches: 10,000 accepted, the rest refused.
	subs := f.client()
	accepted, refused := 0, 0
	for start := 0; start < 10050; start += 1000 {
		var reqs []string
		for i := start; i < min(start+1000, 10050); i++ {
			h := sha256.Sum256([]byte(fmt.Sprint("script ", i)))
			reqs = append(reqs, fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"blockchain.scripthash.subscribe","params":["%s"]}`, i, hex.EncodeToString(h[:])))
		}
		m, err := subs.SendLine([]byte("["+strings.Join(reqs, ",")+"]\n"), 60*time.Second)
		if err != nil {
			t.Fatalf("subscription batch at %d: %v", start, err)
		}
		var answers []regtest.Message
		if err := json.Unmarshal(m.Raw, &answers); err != nil {
			t.Fatalf("subscription batch answer: %v", err)
		}
		for _, a := range answers {
			switch {
			case a.Error == nil:
				accepted++
			case a.Error.Code == -32001:
				refused++
			default:
				t.Fatalf("unexpected answer %s", a.Raw)
			}
		}
	}
	if accepted != 10000 || refused != 50 {
		t.Fatalf("subscriptions: %d accepted, %d refused; want 10000 and 50", accepted, refused)
	}

	// Connections beyond --max-conns are told why and closed.
	var extra []*regtest.Client
	for i := 0; i < 12; i++ {
		e, err := regtest.Dial(srv.Addr)
		if err != nil {
			t.Fatal(err)
		}
		extra = append(extra, e)
	}
	refusedConns := 0
	for _, e := range extra {
		select {
		case <-e.Closed():
			refusedConns++
		case <-time.After(2 * time.Second):
		}
	}
	if refusedConns < 4 {
		t.Fatalf("%d of 12 extra connections refused with --max-conns 8 and 4 open", refusedConns)
	}
	for _, e := range extra {
		e.Close()
	}

	// The server is alive and answers another client; closing the subscriber frees its
	// subscriptions (status.json counts them).
	subs.Close()
	time.Sleep(300 * time.Millisecond)
	other := f.client()
	if m, err := other.Call("server.ping"); err != nil || m.Error != nil {
		t.Fatalf("ping from another client: %v %s", err, m.Raw)
	}
	f.compareScript(other, f.a, f.miner)
	if !srv.Alive() {
		t.Fatal("the server died")
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		st, err := srv.Status()
		if err == nil && st.Subscriptions <= 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("subscriptions not freed after the client closed: %+v %v", st, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func waitClosed(t *testing.T, c *regtest.Client, what string) {
	t.Helper()
	select {
	case <-c.Closed():
	case <-time.After(10 * time.Second):
		t.Fatalf("connection still open %s", what)
	}
}
