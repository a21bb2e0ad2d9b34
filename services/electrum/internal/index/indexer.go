package index

import (
	"context"
	"errors"
	"fmt"
	"time"

	"bcm/services/electrum/internal/chain"
	"bcm/services/electrum/internal/node"
	"bcm/services/electrum/internal/store"
)

// Batch limits while catching up: one commit (an fsync) per this many blocks or
// transactions or this much time, whichever comes first. Bigger batches write fewer pages;
// bbolt keeps a batch's changed pages in memory until it commits, so they are bounded.
const (
	batchBlocks = 500
	batchTxs    = 5000
	batchTime   = 2 * time.Second
)

// Indexer follows the node's best chain into the store.
type Indexer struct {
	db   *store.DB
	node *node.Client
	logf func(format string, args ...any)
	tree *chain.HeaderTree
	prog progress
	Poll time.Duration // how often to ask the node for a new tip (and the mempool)
	wake chan struct{}
	// Genesis is the chain's genesis block (from --chain); a node on another chain is
	// refused.
	Genesis chain.Hash
	After   func(ctx context.Context, touched store.Touched, tipChanged bool) // called after every change, from the follow loop
}

// New makes an indexer; tree's cached chunks are forgotten on every rollback.
func New(db *store.DB, n *node.Client, tree *chain.HeaderTree, rebuilt string, logf func(string, ...any)) *Indexer {
	ix := &Indexer{db: db, node: n, logf: logf, tree: tree, Poll: time.Second, wake: make(chan struct{}, 1)}
	height := int64(-1)
	db.View(func(r *store.Reader) error { height, _, _ = r.Tip(); return nil })
	ix.prog.p = Progress{State: Indexing, Height: height, StartHeight: height, Rebuilt: rebuilt, Since: time.Now()}
	return ix
}

// Progress is the current progress.
func (ix *Indexer) Progress() Progress { return ix.prog.get() }

// Wake makes the follow loop look at the node now (after a broadcast).
func (ix *Indexer) Wake() {
	select {
	case ix.wake <- struct{}{}:
	default:
	}
}

// Run follows the node until ctx ends. Node errors are logged and retried: the node may
// restart under us.
func (ix *Indexer) Run(ctx context.Context) error {
	if err := ix.checkChain(ctx); err != nil {
		return err
	}
	failures := 0
	for ctx.Err() == nil {
		err := ix.step(ctx)
		if err != nil && ctx.Err() == nil {
			failures++
			ix.logf("index: %v (retrying)", err)
			ix.prog.update(func(p *Progress) { p.LastError = err.Error() })
			sleep(ctx, min(time.Duration(failures)*time.Second, 15*time.Second))
			continue
		}
		if failures > 0 {
			ix.prog.update(func(p *Progress) { p.LastError = "" })
		}
		failures = 0
		if ix.prog.get().State == Synced {
			select {
			case <-ctx.Done():
			case <-ix.wake:
			case <-time.After(ix.Poll):
			}
		}
	}
	return nil
}

// checkChain compares the index's genesis block with the node's, waiting for the node to
// answer; an index of another chain is emptied.
func (ix *Indexer) checkChain(ctx context.Context) error {
	for {
		nodeGenesis, err := ix.node.BlockHash(ctx, 0)
		if err == nil && chain.Hash(nodeGenesis) != ix.Genesis {
			return fmt.Errorf("the node's genesis block is %s, but the chain chosen with --chain starts with %s: point --rpc-addr at a node of that chain, or change --chain", nodeGenesis, ix.Genesis)
		}
		if err == nil {
			var mine chain.Hash
			var ok bool
			ix.db.View(func(r *store.Reader) error { mine, ok = r.Genesis(); return nil })
			if ok && mine != chain.Hash(nodeGenesis) {
				ix.logf("index: built from the chain with genesis %s, the node's genesis is %s: rebuilding the index from scratch", mine, nodeGenesis)
				if err := ix.reset("the node is on another chain"); err != nil {
					return err
				}
			}
			return nil
		}
		ix.logf("index: waiting for the node: %v", err)
		ix.prog.update(func(p *Progress) { p.LastError = err.Error() })
		if !sleep(ctx, 3*time.Second) {
			return ctx.Err()
		}
	}
}

func (ix *Indexer) reset(why string) error {
	if err := ix.db.Reset(); err != nil {
		return fmt.Errorf("emptying the index: %w", err)
	}
	ix.tree.Forget(0)
	ix.prog.update(func(p *Progress) { p.State = Indexing; p.Height = -1; p.Rebuilt = why })
	return nil
}

// step brings the index to the node's current tip: rollback if the node left our branch,
// then connect the missing blocks.
func (ix *Indexer) step(ctx context.Context) error {
	nodeHeight, err := ix.node.BlockCount(ctx)
	if err != nil {
		return err
	}
	ix.prog.update(func(p *Progress) { p.NodeHeight = nodeHeight })
	tip, tipHash := ix.tip()
	touched := ix.touchedSet()
	if tip >= 0 {
		fork, err := ix.forkPoint(ctx, tip, tipHash, nodeHeight)
		if err != nil {
			return err
		}
		if fork < tip {
			if err := ix.rollback(tip, fork, touched); err != nil {
				return err
			}
			tip, tipHash = ix.tip()
		}
	}
	if tip < nodeHeight {
		if err := ix.catchUp(ctx, tip+1, nodeHeight, touched); err != nil {
			return err
		}
	}
	newTip, newHash := ix.tip()
	if newTip >= nodeHeight && ix.prog.get().State == Indexing {
		ix.logf("index: caught up with the node at height %d (%s); serving every method", newTip, newHash)
		ix.prog.update(func(p *Progress) { p.State = Synced })
	}
	if ix.After != nil && ix.prog.get().State == Synced {
		ix.After(ctx, touched, newHash != tipHash || newTip != tip)
	}
	return nil
}

// touchedSet collects touched scripts only once synced: while indexing no one may
// subscribe, and the set would grow with every block.
func (ix *Indexer) touchedSet() store.Touched {
	if ix.prog.get().State == Synced {
		return store.Touched{}
	}
	return nil
}

func (ix *Indexer) tip() (int64, chain.Hash) {
	height := int64(-1)
	var hash chain.Hash
	ix.db.View(func(r *store.Reader) error { height, hash, _ = r.Tip(); return nil })
	return height, hash
}

// forkPoint is the highest height at which the index and the node have the same block.
func (ix *Indexer) forkPoint(ctx context.Context, tip int64, tipHash chain.Hash, nodeHeight int64) (int64, error) {
	if tip <= nodeHeight {
		h, err := ix.node.BlockHash(ctx, tip)
		if err != nil {
			return 0, err
		}
		if chain.Hash(h) == tipHash {
			return tip, nil
		}
	}
	for height := min(tip, nodeHeight); height >= 0; height-- {
		h, err := ix.node.BlockHash(ctx, height)
		if err != nil {
			return 0, err
		}
		var mine chain.Hash
		ix.db.View(func(r *store.Reader) error {
			if hdr, ok := r.Header(height); ok {
				mine = chain.DoubleSHA256(hdr)
			}
			return nil
		})
		if mine == chain.Hash(h) {
			return height, nil
		}
		if tip-height > store.UndoDepth {
			break // deeper than the undo data: no use looking further
		}
	}
	return -1, nil
}

// rollback disconnects blocks from tip down to fork (all of them, in one commit, so no
// reader sees a half-rolled-back chain).
func (ix *Indexer) rollback(tip, fork int64, touched store.Touched) error {
	ix.logf("index: reorg: the node's chain left the indexed one after height %d; disconnecting %d block(s) from %d", fork, tip-fork, tip)
	if fork < 0 || tip-fork > store.UndoDepth {
		ix.logf("index: the fork is deeper than the %d blocks of undo data: rebuilding the index from scratch", store.UndoDepth)
		return ix.reset(fmt.Sprintf("reorg deeper than %d blocks", store.UndoDepth))
	}
	err := ix.db.Update(func(w *store.Writer) error {
		for h := tip; h > fork; h-- {
			if _, err := w.DisconnectTip(touched); err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, store.ErrNoUndo) {
		ix.logf("index: %v: rebuilding the index from scratch", err)
		return ix.reset(err.Error())
	}
	if err != nil {
		return fmt.Errorf("rolling back to %d: %w", fork, err)
	}
	ix.tree.Forget(fork + 1)
	ix.prog.update(func(p *Progress) { p.Height = fork })
	return nil
}

// catchUp connects blocks from..to, committing in batches.
func (ix *Indexer) catchUp(ctx context.Context, from, to int64, touched store.Touched) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	blocks := fetch(ctx, ix.node, from, to)
	next := from
	for next <= to {
		var nBlocks, nTxs int64
		var stop error // ends catching up after this batch is committed
		start := time.Now()
		err := ix.db.Update(func(w *store.Writer) error {
			for next <= to {
				r, ok := <-blocks
				if !ok {
					stop = ctx.Err()
					return nil
				}
				if r.err != nil {
					stop = fmt.Errorf("fetching block %d: %w", r.height, r.err)
					return nil
				}
				err := w.ConnectBlock(r.height, r.block, touched)
				if errors.Is(err, store.ErrNotOnTip) {
					// The node reorganised while we fetched: keep what is connected;
					// the next step finds the fork.
					stop = errReorged
					return nil
				}
				if err != nil {
					return err
				}
				next++
				nBlocks++
				nTxs += int64(len(r.block.Transactions))
				if nBlocks >= batchBlocks || nTxs >= batchTxs || time.Since(start) >= batchTime {
					break
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		ix.prog.update(func(p *Progress) {
			p.Height = next - 1
			p.Blocks += nBlocks
			p.Txs += nTxs
		})
		if errors.Is(stop, errReorged) {
			return nil
		}
		if stop != nil {
			return stop
		}
	}
	return nil
}

var errReorged = errors.New("the node reorganised during the fetch")

func sleep(ctx context.Context, d time.Duration) bool {
	select {
	case <-ctx.Done():
		return false
	case <-time.After(d):
		return true
	}
}
