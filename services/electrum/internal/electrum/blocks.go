package electrum

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"sync"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

	"bcm/services/electrum/internal/chain"
	"bcm/services/electrum/internal/node"
	"bcm/services/electrum/internal/store"
)

type headerResult struct {
	Hex    string `json:"hex"`
	Height int64  `json:"height"`
}

func (srv *Server) tipHeader() (headerResult, error) {
	var res headerResult
	err := srv.db.View(func(r *store.Reader) error {
		height, _, _ := r.Tip()
		hdr, _ := r.Header(height)
		res = headerResult{Hex: hex.EncodeToString(hdr), Height: height}
		return nil
	})
	return res, err
}

func headersSubscribe(_ context.Context, s *session, _ params) (any, *rpcError) {
	s.headers.Store(true)
	tip, err := s.srv.tipHeader()
	if err != nil {
		return nil, errorf(codeInternal, "reading the index: %v", err)
	}
	return tip, nil
}

// proof adds the checkpoint proof of the header at height to res (cp_height != 0).
func (srv *Server) proof(r *store.Reader, height, cp, tip int64, res map[string]any) *rpcError {
	if height > cp {
		return errorf(codeBadRequest, "header height %d must be <= cp_height %d", height, cp)
	}
	if cp > tip {
		return errorf(codeBadRequest, "cp_height %d must be <= the chain's height %d", cp, tip)
	}
	root, branch, err := srv.tree.Proof(cp+1, height, func(from, to int64) ([]chain.Hash, error) {
		hs, ok := r.BlockHashes(from, to)
		if !ok {
			return nil, fmt.Errorf("headers %d..%d are missing from the index", from, to-1)
		}
		return hs, nil
	})
	if err != nil {
		return errorf(codeInternal, "checkpoint proof: %v", err)
	}
	res["root"] = root.String()
	res["branch"] = hashStrings(branch)
	return nil
}

func blockHeader(_ context.Context, s *session, p params) (any, *rpcError) {
	if err := p.required(0, "height"); err != nil {
		return nil, err
	}
	height, rerr := p.nonNegative(0, "height", 0)
	if rerr != nil {
		return nil, rerr
	}
	cp, rerr := p.nonNegative(1, "cp_height", 0)
	if rerr != nil {
		return nil, rerr
	}
	var result any
	err := s.srv.db.View(func(r *store.Reader) error {
		tip, _, _ := r.Tip()
		hdr, ok := r.Header(height)
		if !ok || height > tip {
			rerr = errorf(codeBadRequest, "height %d out of range (the chain's height is %d)", height, tip)
			return nil
		}
		if cp == 0 {
			result = hex.EncodeToString(hdr)
			return nil
		}
		res := map[string]any{"header": hex.EncodeToString(hdr)}
		rerr = s.srv.proof(r, height, cp, tip, res)
		result = res
		return nil
	})
	if err != nil {
		return nil, errorf(codeInternal, "reading the index: %v", err)
	}
	if rerr != nil {
		return nil, rerr
	}
	return result, nil
}

func blockHeaders(_ context.Context, s *session, p params) (any, *rpcError) {
	for i, name := range []string{"start_height", "count"} {
		if err := p.required(i, name); err != nil {
			return nil, err
		}
	}
	start, rerr := p.nonNegative(0, "start_height", 0)
	if rerr != nil {
		return nil, rerr
	}
	count, rerr := p.nonNegative(1, "count", 0)
	if rerr != nil {
		return nil, rerr
	}
	cp, rerr := p.nonNegative(2, "cp_height", 0)
	if rerr != nil {
		return nil, rerr
	}
	count = min(count, maxHeaders)
	res := map[string]any{"max": maxHeaders}
	err := s.srv.db.View(func(r *store.Reader) error {
		tip, _, _ := r.Tip()
		var buf bytes.Buffer
		n := int64(0)
		for h := start; h < start+count && h <= tip; h++ {
			hdr, ok := r.Header(h)
			if !ok {
				break
			}
			buf.Write(hdr)
			n++
		}
		res["count"] = n
		res["hex"] = hex.EncodeToString(buf.Bytes())
		if n > 0 && cp > 0 {
			rerr = s.srv.proof(r, start+n-1, cp, tip, res)
		}
		return nil
	})
	if err != nil {
		return nil, errorf(codeInternal, "reading the index: %v", err)
	}
	if rerr != nil {
		return nil, rerr
	}
	return res, nil
}

func hashStrings(hs []chain.Hash) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = h.String()
	}
	return out
}

// blockAt is the indexed block at height (its txids and transactions), from the node,
// by the hash the index holds (the node keeps serving a block after a reorg).
func (srv *Server) blockAt(ctx context.Context, height int64) (*cachedBlock, *rpcError) {
	var hash chain.Hash
	var ok bool
	srv.db.View(func(r *store.Reader) error {
		var hdr []byte
		if hdr, ok = r.Header(height); ok {
			hash = chain.DoubleSHA256(hdr)
		}
		return nil
	})
	if !ok {
		return nil, errorf(codeBadRequest, "height %d out of range", height)
	}
	b, err := srv.blocks.get(ctx, hash)
	if err != nil {
		return nil, daemonError(err)
	}
	return b, nil
}

func getMerkle(ctx context.Context, s *session, p params) (any, *rpcError) {
	txid, rerr := p.hash(0, "tx_hash")
	if rerr != nil {
		return nil, rerr
	}
	var height int64
	var pos uint32
	var ok bool
	s.srv.db.View(func(r *store.Reader) error { height, pos, ok = r.TxPos(txid); return nil })
	if !ok {
		return nil, errorf(codeBadRequest, "transaction %s is not in a block of the chain", txid)
	}
	if p.has(1) {
		want, rerr := p.int(1, "height", 0)
		if rerr != nil {
			return nil, rerr
		}
		if want != height {
			return nil, errorf(codeBadRequest, "transaction %s is not in the block at height %d (it is at %d)", txid, want, height)
		}
	}
	b, rerr := s.srv.blockAt(ctx, height)
	if rerr != nil {
		return nil, rerr
	}
	if int(pos) >= len(b.txids) || b.txids[pos] != txid {
		return nil, errorf(codeInternal, "block %d from the node does not hold %s at %d", height, txid, pos)
	}
	_, branch := chain.MerkleBranch(b.txids, int(pos))
	return map[string]any{"block_height": height, "merkle": hashStrings(branch), "pos": pos}, nil
}

func idFromPos(ctx context.Context, s *session, p params) (any, *rpcError) {
	for i, name := range []string{"height", "tx_pos"} {
		if err := p.required(i, name); err != nil {
			return nil, err
		}
	}
	height, rerr := p.nonNegative(0, "height", 0)
	if rerr != nil {
		return nil, rerr
	}
	pos, rerr := p.nonNegative(1, "tx_pos", 0)
	if rerr != nil {
		return nil, rerr
	}
	merkle, rerr := p.bool(2, "merkle", false)
	if rerr != nil {
		return nil, rerr
	}
	b, rerr := s.srv.blockAt(ctx, height)
	if rerr != nil {
		return nil, rerr
	}
	if pos >= int64(len(b.txids)) {
		return nil, errorf(codeBadRequest, "no transaction at position %d in block %d (it has %d)", pos, height, len(b.txids))
	}
	txid := b.txids[pos]
	if !merkle {
		return txid.String(), nil
	}
	_, branch := chain.MerkleBranch(b.txids, int(pos))
	return map[string]any{"tx_hash": txid.String(), "merkle": hashStrings(branch)}, nil
}

// rawTransaction asks the node (mempool, or its txindex), and otherwise takes the
// transaction from its block, which the index knows: this works on a node without
// txindex too.
func (srv *Server) rawTransaction(ctx context.Context, txid chain.Hash) ([]byte, *rpcError) {
	raw, nodeErr := srv.node.RawTransaction(ctx, chainhash.Hash(txid))
	if nodeErr == nil {
		return raw, nil
	}
	var height int64
	var pos uint32
	var ok bool
	srv.db.View(func(r *store.Reader) error { height, pos, ok = r.TxPos(txid); return nil })
	if !ok {
		return nil, daemonError(nodeErr)
	}
	b, rerr := srv.blockAt(ctx, height)
	if rerr != nil {
		return nil, rerr
	}
	var buf bytes.Buffer
	if err := b.block.Transactions[pos].Serialize(&buf); err != nil {
		return nil, errorf(codeInternal, "%v", err)
	}
	return buf.Bytes(), nil
}

// blockCache keeps the last few blocks fetched for proofs: a wallet asks for the merkle
// proofs of several transactions of the same block in a row.
type blockCache struct {
	node  *node.Client
	size  int
	mu    sync.Mutex
	order []chain.Hash
	byID  map[chain.Hash]*cachedBlock
}

type cachedBlock struct {
	txids []chain.Hash
	block *wire.MsgBlock
}

func newBlockCache(n *node.Client, size int) *blockCache {
	return &blockCache{node: n, size: size, byID: map[chain.Hash]*cachedBlock{}}
}

func (c *blockCache) get(ctx context.Context, hash chain.Hash) (*cachedBlock, error) {
	c.mu.Lock()
	if b, ok := c.byID[hash]; ok {
		c.mu.Unlock()
		return b, nil
	}
	c.mu.Unlock()
	blk, _, err := c.node.Block(ctx, chainhash.Hash(hash))
	if err != nil {
		return nil, err
	}
	b := &cachedBlock{block: blk, txids: make([]chain.Hash, len(blk.Transactions))}
	for i, t := range blk.Transactions {
		b.txids[i] = chain.Hash(t.TxHash())
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.byID[hash]; !ok {
		c.byID[hash] = b
		c.order = append(c.order, hash)
		if len(c.order) > c.size {
			delete(c.byID, c.order[0])
			c.order = c.order[1:]
		}
	}
	return b, nil
}
