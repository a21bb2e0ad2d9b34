package electrum

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"bcm/services/electrum/internal/index"
	"bcm/services/electrum/internal/node"
)

type handler func(ctx context.Context, s *session, p params) (any, *rpcError)

type method struct {
	params []string
	// needsIndex: refused while indexing (the answer would be incomplete or wrong).
	needsIndex bool
	run        handler
}

// methods is the protocol 1.4.2 method table.
var methods map[string]method

func init() {
	methods = map[string]method{
		"server.version":          {[]string{"client_name", "protocol_version"}, false, serverVersion},
		"server.features":         {nil, false, serverFeatures},
		"server.banner":           {nil, false, func(_ context.Context, s *session, _ params) (any, *rpcError) { return s.srv.opt.Banner, nil }},
		"server.donation_address": {nil, false, func(_ context.Context, s *session, _ params) (any, *rpcError) { return s.srv.opt.DonationAddress, nil }},
		"server.ping":             {nil, false, func(context.Context, *session, params) (any, *rpcError) { return nil, nil }},
		"server.peers.subscribe":  {nil, false, func(context.Context, *session, params) (any, *rpcError) { return []any{}, nil }},

		"blockchain.headers.subscribe": {nil, true, headersSubscribe},
		"blockchain.block.header":      {[]string{"height", "cp_height"}, true, blockHeader},
		"blockchain.block.headers":     {[]string{"start_height", "count", "cp_height"}, true, blockHeaders},
		"blockchain.estimatefee":       {[]string{"number", "mode"}, false, estimateFee},
		"blockchain.relayfee":          {nil, false, relayFee},

		"blockchain.scripthash.get_balance": {[]string{"scripthash"}, true, getBalance},
		"blockchain.scripthash.get_history": {[]string{"scripthash"}, true, getHistory},
		"blockchain.scripthash.get_mempool": {[]string{"scripthash"}, true, getMempool},
		"blockchain.scripthash.listunspent": {[]string{"scripthash"}, true, listUnspent},
		"blockchain.scripthash.subscribe":   {[]string{"scripthash"}, true, subscribe},
		"blockchain.scripthash.unsubscribe": {[]string{"scripthash"}, true, unsubscribe},

		"blockchain.transaction.get":         {[]string{"tx_hash", "verbose"}, false, transactionGet},
		"blockchain.transaction.broadcast":   {[]string{"raw_tx"}, false, broadcast},
		"blockchain.transaction.get_merkle":  {[]string{"tx_hash", "height"}, true, getMerkle},
		"blockchain.transaction.id_from_pos": {[]string{"height", "tx_pos", "merkle"}, true, idFromPos},

		"mempool.get_fee_histogram": {nil, true, func(_ context.Context, s *session, _ params) (any, *rpcError) { return s.srv.pool.Histogram(), nil }},
	}
}

// call runs a request; ok false closes the connection.
func (srv *Server) call(ctx context.Context, s *session, req request) (any, *rpcError, bool) {
	m, found := methods[req.Method]
	if !found {
		return nil, errorf(codeMethodNotFound, "unknown method %q", req.Method), true
	}
	if m.needsIndex {
		if p := srv.ix.Progress(); p.State != index.Synced {
			return nil, errorf(codeNotReady, "%s", p.Message()), true
		}
	}
	p, rerr := bindParams(req.Method, req.Params, m.params)
	if rerr != nil {
		return nil, rerr, true
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if m.needsIndex {
		// Built and encoded while holding one of the few slots: the memory of answers
		// being made is bounded server-wide, whatever the number of connections.
		select {
		case srv.heavy <- struct{}{}:
		case <-ctx.Done():
			return nil, errorf(codeInternal, "the server is busy: try again"), true
		}
		defer func() { <-srv.heavy }()
	}
	result, rerr := m.run(ctx, s, p)
	if m.needsIndex && rerr == nil {
		raw, err := json.Marshal(result)
		if err != nil {
			return nil, errorf(codeInternal, "encoding the answer: %v", err), true
		}
		result = json.RawMessage(raw)
	}
	if rerr != nil && rerr.Code == codeNoCommonVersion {
		return nil, &rpcError{Code: codeBadRequest, Message: rerr.Message}, false
	}
	return result, rerr, true
}

const codeNoCommonVersion = codeBadRequest + 1000 // internal marker, sent as codeBadRequest

func serverVersion(_ context.Context, s *session, p params) (any, *rpcError) {
	if s.version != "" {
		return nil, errorf(codeBadRequest, "server.version already sent")
	}
	clientMin, clientMax := ProtocolMin, ProtocolMin
	if p.has(1) {
		var one string
		var pair []string
		switch {
		case json.Unmarshal(p.list[1], &one) == nil:
			clientMin, clientMax = one, one
		case json.Unmarshal(p.list[1], &pair) == nil && len(pair) == 2:
			clientMin, clientMax = pair[0], pair[1]
		default:
			return nil, errorf(codeInvalidParams, "server.version: protocol_version must be a string or [min, max]")
		}
	}
	version := minVersion(clientMax, ProtocolMax)
	if compareVersions(version, maxVersion(clientMin, ProtocolMin)) < 0 {
		// The protocol says the server must close the connection.
		return nil, &rpcError{Code: codeNoCommonVersion, Message: "no protocol version in common: this server speaks " + ProtocolMin + " to " + ProtocolMax}
	}
	s.version = version
	return []string{s.srv.opt.Version, version}, nil
}

func serverFeatures(_ context.Context, s *session, _ params) (any, *rpcError) {
	return map[string]any{
		"hosts":          map[string]any{},
		"genesis_hash":   s.srv.opt.Genesis.String(),
		"hash_function":  "sha256",
		"server_version": s.srv.opt.Version,
		"protocol_min":   ProtocolMin,
		"protocol_max":   ProtocolMax,
		"pruning":        nil,
	}, nil
}

func estimateFee(ctx context.Context, s *session, p params) (any, *rpcError) {
	if err := p.required(0, "number"); err != nil {
		return nil, err
	}
	n, rerr := p.int(0, "number", 0)
	if rerr != nil {
		return nil, rerr
	}
	if n < 1 {
		return nil, errorf(codeInvalidParams, "blockchain.estimatefee: number must be at least 1, got %d", n)
	}
	rate, err := s.srv.node.EstimateFee(ctx, n)
	if err != nil {
		return nil, daemonError(err)
	}
	return rate, nil
}

func relayFee(ctx context.Context, s *session, _ params) (any, *rpcError) {
	fee, err := s.srv.node.RelayFee(ctx)
	if err != nil {
		return nil, daemonError(err)
	}
	return fee, nil
}

func transactionGet(ctx context.Context, s *session, p params) (any, *rpcError) {
	txid, rerr := p.hash(0, "tx_hash")
	if rerr != nil {
		return nil, rerr
	}
	verbose, rerr := p.bool(1, "verbose", false)
	if rerr != nil {
		return nil, rerr
	}
	if verbose {
		raw, err := s.srv.node.VerboseTransaction(ctx, txid.String())
		if err != nil {
			return nil, daemonError(err)
		}
		return raw, nil
	}
	raw, err := s.srv.rawTransaction(ctx, txid)
	if err != nil {
		return nil, err
	}
	return hex.EncodeToString(raw), nil
}

func broadcast(ctx context.Context, s *session, p params) (any, *rpcError) {
	raw, rerr := p.string(0, "raw_tx")
	if rerr != nil {
		return nil, rerr
	}
	if _, err := hex.DecodeString(raw); err != nil || raw == "" {
		return nil, errorf(codeInvalidParams, "blockchain.transaction.broadcast: raw_tx must be hex")
	}
	txid, err := s.srv.node.Broadcast(ctx, raw)
	if err != nil {
		return nil, daemonError(err)
	}
	// Look at the mempool now, so the wallet's own subscriptions hear of it at once.
	s.srv.ix.Wake()
	return txid, nil
}

// daemonError passes the node's refusal on (code 2, as ElectrumX does); a node that did
// not answer is an internal error.
func daemonError(err error) *rpcError {
	var ne *node.RPCError
	if errors.As(err, &ne) {
		return errorf(codeDaemon, "the node refused: %s", ne.Message)
	}
	return errorf(codeInternal, "the node did not answer: %s", strings.TrimSpace(err.Error()))
}
