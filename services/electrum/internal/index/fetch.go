// Package index keeps the on-disk index equal to the node's best chain: it fetches blocks
// over RPC, connects them, rolls back on a reorg, and reports progress.
package index

import (
	"context"

	"github.com/btcsuite/btcd/wire"

	"bcm/services/electrum/internal/node"
)

// fetchWindow is how many blocks are asked for at once while indexing. btcd serves at
// most 20 requests at a time (rpcmaxconcurrentreqs) and the machine it runs on may be
// small; four keeps the node busy without crowding out the wallets' own requests. At most
// about twice this many blocks are in memory at once.
const fetchWindow = 4

type fetched struct {
	height int64
	block  *wire.MsgBlock
	size   int
	err    error
}

// fetch delivers the blocks of heights from..to, in order, over a channel; it stops at the
// first error (delivered) or when ctx ends.
func fetch(ctx context.Context, n *node.Client, from, to int64) <-chan fetched {
	out := make(chan fetched, fetchWindow)
	slots := make(chan chan fetched, fetchWindow)
	go func() {
		defer close(slots)
		for h := from; h <= to; h++ {
			slot := make(chan fetched, 1)
			select {
			case slots <- slot:
			case <-ctx.Done():
				return
			}
			go func(h int64) { slot <- fetchOne(ctx, n, h) }(h)
		}
	}()
	go func() {
		defer close(out)
		for slot := range slots {
			r := <-slot
			select {
			case out <- r:
			case <-ctx.Done():
				return
			}
			if r.err != nil {
				return
			}
		}
	}()
	return out
}

func fetchOne(ctx context.Context, n *node.Client, height int64) fetched {
	hash, err := n.BlockHash(ctx, height)
	if err != nil {
		return fetched{height: height, err: err}
	}
	b, size, err := n.Block(ctx, hash)
	return fetched{height: height, block: b, size: size, err: err}
}
