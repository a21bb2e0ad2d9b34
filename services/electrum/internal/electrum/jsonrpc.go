package electrum

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"bcm/services/electrum/internal/chain"
)

// Error codes. JSON-RPC 2.0's own, and ElectrumX's 1 (bad request: the arguments are
// well-formed but name something that does not exist) and 2 (the node refused).
const (
	codeParse          = -32700
	codeInvalidRequest = -32600
	codeMethodNotFound = -32601
	codeInvalidParams  = -32602
	codeInternal       = -32603
	codeNotReady       = -32000 // still indexing: the message says how far
	codeLimit          = -32001 // a per-connection or server limit was reached
	codeBadRequest     = 1
	codeDaemon         = 2
)

type rpcError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func errorf(code int, format string, args ...any) *rpcError {
	return &rpcError{Code: code, Message: fmt.Sprintf(format, args...)}
}

type request struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Method  string          `json:"method"`
	Params  json.RawMessage `json:"params"`
	hasID   bool
}

type response struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Result  any             `json:"result"`
	Error   *rpcError       `json:"error,omitempty"`
}

// MarshalJSON leaves out "result" on errors and "error" on success, as JSON-RPC 2.0 asks.
func (r response) MarshalJSON() ([]byte, error) {
	id := r.ID
	if len(id) == 0 {
		id = json.RawMessage("null")
	}
	if r.Error != nil {
		return json.Marshal(struct {
			JSONRPC string          `json:"jsonrpc"`
			ID      json.RawMessage `json:"id"`
			Error   *rpcError       `json:"error"`
		}{"2.0", id, r.Error})
	}
	return json.Marshal(struct {
		JSONRPC string          `json:"jsonrpc"`
		ID      json.RawMessage `json:"id"`
		Result  any             `json:"result"`
	}{"2.0", id, r.Result})
}

// encodeResponse encodes r. An already encoded result (index queries encode theirs while
// they hold their slot) is put into the envelope as it is: json.Marshal would scan and copy
// it again, megabytes for a long history.
func encodeResponse(r response) ([]byte, error) {
	raw, ok := r.Result.(json.RawMessage)
	if !ok || r.Error != nil {
		return json.Marshal(r)
	}
	id := bytes.TrimSpace(r.ID)
	if len(id) == 0 {
		id = []byte("null")
	}
	b := make([]byte, 0, len(raw)+len(id)+32)
	b = append(b, `{"jsonrpc":"2.0","id":`...)
	b = append(b, id...)
	b = append(b, `,"result":`...)
	b = append(b, raw...)
	return append(b, '}'), nil
}

type notification struct {
	JSONRPC string `json:"jsonrpc"`
	Method  string `json:"method"`
	Params  any    `json:"params"`
}

// parseRequest decodes one request object. A request with no "id" member is a JSON-RPC
// notification: it is carried out but gets no answer.
func parseRequest(raw json.RawMessage) (request, *rpcError) {
	var req request
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return req, errorf(codeInvalidRequest, "a request must be a JSON object")
	}
	if err := json.Unmarshal(raw, &req); err != nil {
		return req, errorf(codeInvalidRequest, "invalid request: %v", err)
	}
	_, req.hasID = fields["id"]
	if req.hasID {
		id := bytes.TrimSpace(req.ID)
		if len(id) == 0 || !(id[0] == '"' || id[0] == '-' || (id[0] >= '0' && id[0] <= '9') || string(id) == "null") {
			req.ID = nil
			return req, errorf(codeInvalidRequest, "the id must be a string, a number or null")
		}
	}
	if req.Method == "" {
		return req, errorf(codeInvalidRequest, "the request has no method")
	}
	return req, nil
}

// params are a method's arguments, given by position or by name.
type params struct {
	method string
	list   []json.RawMessage
}

// bindParams maps raw params onto the method's parameter names.
func bindParams(method string, raw json.RawMessage, names []string) (params, *rpcError) {
	p := params{method: method}
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return p, nil
	}
	switch raw[0] {
	case '[':
		if err := json.Unmarshal(raw, &p.list); err != nil {
			return p, errorf(codeInvalidParams, "%s: params: %v", method, err)
		}
		if len(p.list) > len(names) {
			return p, errorf(codeInvalidParams, "%s takes at most %d arguments (%s), got %d", method, len(names), strings.Join(names, ", "), len(p.list))
		}
	case '{':
		var byName map[string]json.RawMessage
		if err := json.Unmarshal(raw, &byName); err != nil {
			return p, errorf(codeInvalidParams, "%s: params: %v", method, err)
		}
		for i, n := range names {
			if v, ok := byName[n]; ok {
				for len(p.list) <= i {
					p.list = append(p.list, nil)
				}
				p.list[i] = v
				delete(byName, n)
			}
		}
		for n := range byName {
			return p, errorf(codeInvalidParams, "%s has no parameter %q (it takes %s)", method, n, strings.Join(names, ", "))
		}
	default:
		return p, errorf(codeInvalidParams, "%s: params must be an array or an object", method)
	}
	return p, nil
}

func (p params) has(i int) bool {
	return i < len(p.list) && p.list[i] != nil && string(p.list[i]) != "null"
}

func (p params) required(i int, name string) *rpcError {
	if !p.has(i) {
		return errorf(codeInvalidParams, "%s: missing argument %s", p.method, name)
	}
	return nil
}

func (p params) int(i int, name string, def int64) (int64, *rpcError) {
	if !p.has(i) {
		return def, nil
	}
	var v int64
	if err := json.Unmarshal(p.list[i], &v); err != nil {
		return 0, errorf(codeInvalidParams, "%s: %s must be an integer, got %.40s", p.method, name, p.list[i])
	}
	return v, nil
}

func (p params) nonNegative(i int, name string, def int64) (int64, *rpcError) {
	v, err := p.int(i, name, def)
	if err == nil && v < 0 {
		err = errorf(codeInvalidParams, "%s: %s must not be negative, got %d", p.method, name, v)
	}
	return v, err
}

func (p params) bool(i int, name string, def bool) (bool, *rpcError) {
	if !p.has(i) {
		return def, nil
	}
	var v bool
	if err := json.Unmarshal(p.list[i], &v); err != nil {
		// Some clients send 0/1.
		var n int
		if json.Unmarshal(p.list[i], &n) == nil && (n == 0 || n == 1) {
			return n == 1, nil
		}
		return false, errorf(codeInvalidParams, "%s: %s must be true or false, got %.40s", p.method, name, p.list[i])
	}
	return v, nil
}

func (p params) string(i int, name string) (string, *rpcError) {
	if err := p.required(i, name); err != nil {
		return "", err
	}
	var v string
	if err := json.Unmarshal(p.list[i], &v); err != nil {
		return "", errorf(codeInvalidParams, "%s: %s must be a string, got %.40s", p.method, name, p.list[i])
	}
	return v, nil
}

func (p params) hash(i int, name string) (chain.Hash, *rpcError) {
	s, rerr := p.string(i, name)
	if rerr != nil {
		return chain.Hash{}, rerr
	}
	h, err := chain.ParseHash(s)
	if err != nil {
		return h, errorf(codeInvalidParams, "%s: %s: %v", p.method, name, err)
	}
	return h, nil
}
