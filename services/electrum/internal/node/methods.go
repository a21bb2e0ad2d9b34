package node

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
)

// The calls the index and the server make. Each works on btcd and on bitcoind; where the
// two differ (fees), the difference is said where it is handled.

// BlockCount is the height of the node's best chain.
func (c *Client) BlockCount(ctx context.Context) (int64, error) {
	var n int64
	err := c.Call(ctx, "getblockcount", &n)
	return n, err
}

// BlockHash is the hash of the best chain's block at height.
func (c *Client) BlockHash(ctx context.Context, height int64) (chainhash.Hash, error) {
	var s string
	if err := c.Call(ctx, "getblockhash", &s, height); err != nil {
		return chainhash.Hash{}, err
	}
	h, err := chainhash.NewHashFromStr(s)
	if err != nil {
		return chainhash.Hash{}, fmt.Errorf("getblockhash %d: %w", height, err)
	}
	return *h, nil
}

// RawBlock is the serialised block (getblock with verbosity 0).
func (c *Client) RawBlock(ctx context.Context, hash chainhash.Hash) ([]byte, error) {
	var s string
	if err := c.Call(ctx, "getblock", &s, hash.String(), 0); err != nil {
		return nil, err
	}
	return hex.DecodeString(s)
}

// Block fetches and decodes a block.
func (c *Client) Block(ctx context.Context, hash chainhash.Hash) (*wire.MsgBlock, int, error) {
	raw, err := c.RawBlock(ctx, hash)
	if err != nil {
		return nil, 0, err
	}
	var b wire.MsgBlock
	if err := b.Deserialize(bytes.NewReader(raw)); err != nil {
		return nil, 0, fmt.Errorf("block %s: %w", hash, err)
	}
	return &b, len(raw), nil
}

// RawTransaction is a transaction's bytes (from the mempool, or with btcd's --txindex /
// bitcoind's -txindex any confirmed one).
func (c *Client) RawTransaction(ctx context.Context, txid chainhash.Hash) ([]byte, error) {
	var s string
	if err := c.Call(ctx, "getrawtransaction", &s, txid.String(), 0); err != nil {
		return nil, err
	}
	return hex.DecodeString(s)
}

// VerboseTransaction is the node's own verbose form, passed through to clients as is.
func (c *Client) VerboseTransaction(ctx context.Context, txid string) (json.RawMessage, error) {
	return c.CallRaw(ctx, "getrawtransaction", txid, 1)
}

// Mempool lists the txids in the node's mempool.
func (c *Client) Mempool(ctx context.Context) ([]chainhash.Hash, error) {
	var ids []string
	if err := c.Call(ctx, "getrawmempool", &ids, false); err != nil {
		return nil, err
	}
	out := make([]chainhash.Hash, 0, len(ids))
	for _, s := range ids {
		h, err := chainhash.NewHashFromStr(s)
		if err != nil {
			return nil, fmt.Errorf("getrawmempool: %w", err)
		}
		out = append(out, *h)
	}
	return out, nil
}

// Broadcast hands a raw transaction to the node and returns its txid.
func (c *Client) Broadcast(ctx context.Context, rawHex string) (string, error) {
	var txid string
	err := c.Call(ctx, "sendrawtransaction", &txid, rawHex)
	return txid, err
}
