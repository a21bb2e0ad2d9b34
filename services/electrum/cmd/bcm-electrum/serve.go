package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sync"
	"syscall"
	"time"

	"bcm/services/electrum/internal/chain"
	"bcm/services/electrum/internal/config"
	"bcm/services/electrum/internal/electrum"
	"bcm/services/electrum/internal/index"
	"bcm/services/electrum/internal/mempool"
	"bcm/services/electrum/internal/node"
	"bcm/services/electrum/internal/status"
	"bcm/services/electrum/internal/store"
)

func serve(args []string) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: bcm-electrum serve [flags]\n\nindexes the node's chain into --datadir and serves the Electrum protocol on --listen\n\n")
		fs.PrintDefaults()
	}
	cfg := config.Flags(fs)
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "bcm-electrum serve: unexpected argument %q (see --help)\n", fs.Arg(0))
		return 2
	}
	logger := log.New(os.Stderr, "bcm-electrum: ", log.LstdFlags|log.LUTC)
	if err := cfg.Finish(fs); err != nil {
		logger.Printf("error: %v", err)
		return 2
	}
	if err := run(cfg, logger.Printf); err != nil {
		logger.Printf("error: %v", err)
		return 1
	}
	return 0
}

func run(cfg *config.Config, logf func(string, ...any)) error {
	started := time.Now()
	debug.SetMemoryLimit(cfg.MemoryLimit)
	logf("bcm-electrum %s, %s, chain %s; memory ceiling %d MiB (Go heap limit; the index file is memory-mapped, its pages are the kernel's cache)",
		version, runtime.Version(), cfg.Chain, cfg.MemoryLimit>>20)
	logf("limits: %d connections, %d-byte request lines, %d subscriptions per connection (%d in all), %d history entries per answer, %d MiB of unsent answers per connection (%d MiB in all)",
		cfg.MaxConns, cfg.MaxLine, cfg.MaxSubs, cfg.MaxSubsTotal, cfg.MaxHistory, cfg.MaxQueued>>20, cfg.MaxQueuedTotal>>20)
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return fmt.Errorf("creating the datadir: %w", err)
	}
	dbPath := filepath.Join(cfg.DataDir, "index.db")
	db, rebuilt, err := store.Open(dbPath)
	if err != nil {
		return err
	}
	if rebuilt != "" {
		logf("index %s was damaged (%s): rebuilding it from scratch", dbPath, rebuilt)
	}
	closed := false
	defer func() {
		if !closed {
			db.Close()
		}
	}()
	n, err := node.New(node.Config{Addr: cfg.RPCAddr, User: cfg.RPCUser, Password: cfg.RPCPassword, CertFile: cfg.RPCCert})
	if err != nil {
		return err
	}
	tree := chain.NewHeaderTree(10)
	ix := index.New(db, n, tree, rebuilt, logf)
	ix.Genesis = chain.Hash(*cfg.Params.GenesisHash)
	ix.Poll = cfg.Poll
	if h := ix.Progress().Height; h >= 0 {
		logf("resuming the index at height %d (%s)", h, dbPath)
	} else {
		logf("starting a new index in %s", dbPath)
	}
	pool := mempool.New()
	srv := electrum.New(electrum.Options{
		Listen:          cfg.Listen,
		Version:         "bcm-electrum " + version,
		Banner:          cfg.Banner,
		DonationAddress: cfg.Donation,
		Genesis:         chain.Hash(*cfg.Params.GenesisHash),
		Limits: electrum.Limits{
			MaxConns: cfg.MaxConns, MaxLine: cfg.MaxLine, MaxSubsPerConn: cfg.MaxSubs,
			MaxSubsTotal: cfg.MaxSubsTotal, MaxHistory: cfg.MaxHistory,
			MaxQueued: cfg.MaxQueued, MaxQueuedTotal: cfg.MaxQueuedTotal, SendTimeout: cfg.SendTimeout,
		},
		Logf: logf,
	}, db, n, pool, ix, tree)
	if err := srv.Listen(); err != nil {
		return err
	}
	logf("serving the Electrum protocol %s-%s on %s (plain TCP)", electrum.ProtocolMin, electrum.ProtocolMax, srv.Addr())
	ix.After = func(ctx context.Context, touched store.Touched, tipChanged bool) {
		if err := pool.Refresh(ctx, n, db, touched); err != nil && ctx.Err() == nil {
			logf("mempool: %v", err)
		}
		srv.Notify(touched, tipChanged)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	wg.Add(3)
	go func() { defer wg.Done(); errs <- srv.Serve(ctx) }()
	go func() {
		defer wg.Done()
		if err := ix.Run(ctx); err != nil {
			errs <- err
			stop()
		}
	}()
	writeStatus := func(prev index.Progress, dt time.Duration) index.Progress {
		p := ix.Progress()
		count, truncated := pool.Stats()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		st := status.Status{
			State: string(p.State), Height: p.Height, NodeHeight: p.NodeHeight, Percent: p.Percent(),
			StartHeight: p.StartHeight, Rebuilt: p.Rebuilt, LastError: p.LastError,
			MemoryLimitBytes: cfg.MemoryLimit, HeapBytes: ms.HeapAlloc, IndexBytes: db.SizeBytes(),
			MempoolTxs: count, MempoolTruncated: truncated,
			Connections: srv.Connections(), Subscriptions: srv.Subscriptions(), QueuedBytes: srv.QueuedBytes(),
			Chain: cfg.Chain, Listen: srv.Addr().String(), Version: version, PID: os.Getpid(),
			Started: started.UTC(), Updated: time.Now().UTC(),
		}
		if dt > 0 {
			st.BlocksPerSec = round1(float64(p.Blocks-prev.Blocks) / dt.Seconds())
			st.TxsPerSec = round1(float64(p.Txs-prev.Txs) / dt.Seconds())
		}
		if err := status.Write(cfg.DataDir, st); err != nil {
			logf("writing %s: %v", status.FileName, err)
		}
		return p
	}
	go func() {
		defer wg.Done()
		prev, last := writeStatus(index.Progress{}, 0), time.Now()
		t := time.NewTicker(cfg.StatusEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				writeStatus(prev, 0)
				return
			case now := <-t.C:
				prev, last = writeStatus(prev, now.Sub(last)), now
			}
		}
	}()
	<-ctx.Done()
	logf("stopping")
	wg.Wait()
	close(errs)
	closed = true
	if err := db.Close(); err != nil {
		return fmt.Errorf("closing the index: %w", err)
	}
	logf("index closed at height %d", ix.Progress().Height)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func round1(v float64) float64 { return float64(int64(v*10+0.5)) / 10 }
