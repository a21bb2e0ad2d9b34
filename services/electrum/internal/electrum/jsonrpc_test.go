package electrum

import (
	"bufio"
	"encoding/json"
	"strings"
	"testing"
)

func TestParseRequest(t *testing.T) {
	cases := []struct {
		in    string
		code  int // 0: valid
		hasID bool
	}{
		{`{"jsonrpc":"2.0","id":1,"method":"server.ping"}`, 0, true},
		{`{"jsonrpc":"2.0","id":"a","method":"server.ping","params":[]}`, 0, true},
		{`{"jsonrpc":"2.0","id":null,"method":"server.ping"}`, 0, true},
		{`{"jsonrpc":"2.0","method":"server.ping"}`, 0, false},
		{`{"jsonrpc":"2.0","id":1}`, codeInvalidRequest, true},
		{`{"jsonrpc":"2.0","id":[1],"method":"x"}`, codeInvalidRequest, true},
		{`[1]`, codeInvalidRequest, false},
		{`"text"`, codeInvalidRequest, false},
		{`{"id":1,"method":5}`, codeInvalidRequest, false},
	}
	for _, c := range cases {
		req, err := parseRequest(json.RawMessage(c.in))
		switch {
		case c.code == 0 && err != nil:
			t.Errorf("%s: %v", c.in, err)
		case c.code != 0 && (err == nil || err.Code != c.code):
			t.Errorf("%s: want error %d, got %v", c.in, c.code, err)
		case c.code == 0 && req.hasID != c.hasID:
			t.Errorf("%s: hasID %v", c.in, req.hasID)
		}
	}
}

func TestBindParamsByPositionAndName(t *testing.T) {
	names := []string{"height", "cp_height"}
	p, err := bindParams("m", json.RawMessage(`[5, 10]`), names)
	if err != nil {
		t.Fatal(err)
	}
	if h, _ := p.int(0, "height", 0); h != 5 {
		t.Fatalf("height %d", h)
	}
	p, err = bindParams("m", json.RawMessage(`{"cp_height": 10}`), names)
	if err != nil || p.has(0) {
		t.Fatalf("by name: %v %v", err, p.list)
	}
	if cp, _ := p.int(1, "cp_height", 0); cp != 10 {
		t.Fatalf("cp_height %d", cp)
	}
	for _, bad := range []string{`[1,2,3]`, `{"nope":1}`, `5`, `"x"`, `[1,`} {
		if _, err := bindParams("m", json.RawMessage(bad), names); err == nil || err.Code != codeInvalidParams {
			t.Errorf("%s: want invalid params, got %v", bad, err)
		}
	}
	p, _ = bindParams("m", json.RawMessage(`["x", -1, true, 1.5]`), []string{"a", "b", "c", "d"})
	if _, err := p.int(0, "a", 0); err == nil {
		t.Error("a string taken as an integer")
	}
	if _, err := p.nonNegative(1, "b", 0); err == nil {
		t.Error("-1 taken as non-negative")
	}
	if v, err := p.bool(2, "c", false); err != nil || !v {
		t.Error("true not read")
	}
	if _, err := p.int(3, "d", 0); err == nil {
		t.Error("1.5 taken as an integer")
	}
	if _, err := p.hash(0, "a"); err == nil {
		t.Error("x taken as a hash")
	}
}

func TestReadLineBoundsTheBuffer(t *testing.T) {
	r := bufio.NewReaderSize(strings.NewReader("short\n"+strings.Repeat("x", 5000)+"\nnext\nlast"), 16)
	if l, err := readLine(r, 1024); err != nil || string(l) != "short" {
		t.Fatalf("first line %q %v", l, err)
	}
	if _, err := readLine(r, 1024); err != errLineTooLong {
		t.Fatalf("a 5000-byte line with a 1024 limit: %v", err)
	}
	exact := bufio.NewReaderSize(strings.NewReader(strings.Repeat("y", 1024)+"\n"), 16)
	if l, err := readLine(exact, 1024); err != nil || len(l) != 1024 {
		t.Fatalf("a line of exactly the limit: %d %v", len(l), err)
	}
	tailOnly := bufio.NewReaderSize(strings.NewReader("no newline"), 16)
	if l, err := readLine(tailOnly, 1024); err != nil || string(l) != "no newline" {
		t.Fatalf("last line without newline: %q %v", l, err)
	}
}

func TestCompareVersions(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{{"1.4", "1.4", 0}, {"1.4", "1.4.2", -1}, {"1.10", "1.4", 1}, {"2.0", "1.4.2", 1}, {"1.4.0", "1.4", 0}} {
		if got := compareVersions(c.a, c.b); got != c.want {
			t.Errorf("compare %s %s = %d", c.a, c.b, got)
		}
	}
	if minVersion("1.4.2", "1.5") != "1.4.2" || maxVersion("1.4", "1.3") != "1.4" {
		t.Error("min/max")
	}
}

func TestErrorResponsesLeaveOutResult(t *testing.T) {
	b, _ := json.Marshal(response{ID: json.RawMessage("3"), Error: errorf(codeBadRequest, "no")})
	if string(b) != `{"jsonrpc":"2.0","id":3,"error":{"code":1,"message":"no"}}` {
		t.Fatalf("%s", b)
	}
	b, _ = json.Marshal(response{ID: json.RawMessage(`"x"`), Result: nil})
	if string(b) != `{"jsonrpc":"2.0","id":"x","result":null}` {
		t.Fatalf("%s", b)
	}
}

func TestEncodeResponseWithAnEncodedResult(t *testing.T) {
	for _, c := range []struct {
		r    response
		want string
	}{
		{response{ID: json.RawMessage("7"), Result: json.RawMessage(`[{"a":1}]`)}, `{"jsonrpc":"2.0","id":7,"result":[{"a":1}]}`},
		{response{ID: json.RawMessage(`"x"`), Result: json.RawMessage(`null`)}, `{"jsonrpc":"2.0","id":"x","result":null}`},
		{response{Result: json.RawMessage(`1`)}, `{"jsonrpc":"2.0","id":null,"result":1}`},
		{response{ID: json.RawMessage("1"), Result: []int{1}}, `{"jsonrpc":"2.0","id":1,"result":[1]}`},
	} {
		b, err := encodeResponse(c.r)
		if err != nil || string(b) != c.want || !json.Valid(b) {
			t.Errorf("%+v: %s %v, want %s", c.r, b, err, c.want)
		}
	}
}
