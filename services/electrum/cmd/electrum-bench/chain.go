package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/btcsuite/btcd/wire"

	"bcm/services/electrum/internal/regtest"
)

// makeChain mines the segwit activation and the workers' coins, then `txs` transactions:
// each block, every worker pays each busy key a little and keeps the change, so the busy
// script hashes get one history entry per transaction.
func makeChain(ctx context.Context, b *regtest.Btcd, miner *regtest.Key, busy []*regtest.Key, workers, txs int) error {
	// Coinbases of blocks 1..workers fund one worker each; 440 blocks activate segwit.
	hashes, err := generate(ctx, b, max(workers+100, 440))
	if err != nil {
		return err
	}
	coins, err := miner.Coinbases(ctx, b.RPC, hashes[:workers])
	if err != nil {
		return err
	}
	keys := make([]*regtest.Key, workers)
	own := make([]regtest.Coin, workers)
	// One transaction splits each coinbase to its worker.
	for i := range keys {
		keys[i] = regtest.NewKey(fmt.Sprint("bench worker ", i))
		tx, err := miner.Spend([]regtest.Coin{coins[i]}, []*wire.TxOut{wire.NewTxOut(coins[i].Value-10_000, keys[i].PkScript)}, 10_000, nil)
		if err != nil {
			return err
		}
		if _, err := regtest.Send(ctx, b.RPC, tx); err != nil {
			return err
		}
		own[i] = regtest.Coin{OutPoint: wire.OutPoint{Hash: tx.TxHash(), Index: 0}, Value: tx.TxOut[0].Value}
	}
	if _, err := generate(ctx, b, 1); err != nil {
		return err
	}
	start := time.Now()
	made := 0
	for made < txs {
		n := min(workers, txs-made)
		var wg sync.WaitGroup
		errs := make(chan error, n)
		sem := make(chan struct{}, 4)
		for i := 0; i < n; i++ {
			var outs []*wire.TxOut
			for _, k := range busy {
				outs = append(outs, wire.NewTxOut(20_000, k.PkScript))
			}
			tx, err := keys[i].Spend([]regtest.Coin{own[i]}, outs, 2_000, keys[i])
			if err != nil {
				return err
			}
			own[i] = regtest.Coin{OutPoint: wire.OutPoint{Hash: tx.TxHash(), Index: uint32(len(outs))}, Value: tx.TxOut[len(outs)].Value}
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				if _, err := regtest.Send(ctx, b.RPC, tx); err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			return err
		}
		if _, err := generate(ctx, b, 1); err != nil {
			return err
		}
		made += n
		if made%5000 < workers {
			progress("generated %d of %d transactions (%.0f s)", made, txs, time.Since(start).Seconds())
		}
	}
	return nil
}

func generate(ctx context.Context, b *regtest.Btcd, n int) ([]string, error) {
	var all []string
	for n > 0 {
		h, err := b.Generate(ctx, min(n, 500))
		if err != nil {
			return nil, fmt.Errorf("generate: %w", err)
		}
		all = append(all, h...)
		n -= len(h)
	}
	return all, nil
}

func progress(format string, args ...any) {
	fmt.Fprintf(stderr, "[electrum-bench] "+format+"\n", args...)
}
