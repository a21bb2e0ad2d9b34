package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"time"

	"bcm/services/electrum/internal/regtest"
)

type options struct {
	txs, workers, busy, queries int
	json, keep                  string
}

type figures struct {
	When             string      `json:"when"`
	LoadBefore       string      `json:"load_before"`
	LoadAfter        string      `json:"load_after"`
	Blocks           int64       `json:"blocks"`
	Txs              int64       `json:"txs"`
	IndexSeconds     float64     `json:"index_seconds"`
	IndexPeakRSS     int64       `json:"index_peak_rss_bytes"`
	AfterQueriesRSS  int64       `json:"after_queries_peak_rss_bytes"`
	IndexBytes       int64       `json:"index_file_bytes"`
	RssAnon          int64       `json:"rss_anon_bytes_after_indexing"`
	RssFile          int64       `json:"rss_file_bytes_after_indexing"`
	Floor            floorResult `json:"floor"`
	BusyEntries      int         `json:"busy_history_entries"`
	HistoryP50Ms     float64     `json:"get_history_p50_ms"`
	HistoryP99Ms     float64     `json:"get_history_p99_ms"`
	PingP50Ms        float64     `json:"ping_p50_ms"`
	PingP99Ms        float64     `json:"ping_p99_ms"`
	NodeSearchP50Ms  float64     `json:"btcd_searchrawtransactions_p50_ms"`
	NodeSearchP99Ms  float64     `json:"btcd_searchrawtransactions_p99_ms"`
	GenerateSeconds  float64     `json:"generate_seconds"`
	MemoryLimitBytes int64       `json:"memory_limit_bytes"`
}

func run(opt options) error {
	ctx := context.Background()
	fig := figures{When: time.Now().UTC().Format("2006-01-02 15:04 UTC"), LoadBefore: loadAvg()}
	dir := opt.keep
	if dir == "" {
		d, err := os.MkdirTemp("", "bcm-electrum-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	progress("building btcd and bcm-electrum (Go caches)")
	btcd, err := regtest.BuildBtcd()
	if err != nil {
		return err
	}
	server, err := regtest.BuildServer(dir)
	if err != nil {
		return err
	}
	miner := regtest.NewKey("bench miner")
	b, err := regtest.StartBtcd(btcd, filepath.Join(dir, "btcd"), miner.Address.String())
	if err != nil {
		return err
	}
	defer b.Stop()
	var busy []*regtest.Key
	for i := 0; i < opt.busy; i++ {
		busy = append(busy, regtest.NewKey(fmt.Sprint("bench busy ", i)))
	}
	progress("generating %d transactions in blocks of %d (btcd on 127.0.0.1)", opt.txs, opt.workers)
	t0 := time.Now()
	if err := makeChain(ctx, b, miner, busy, opt.workers, opt.txs); err != nil {
		return err
	}
	fig.GenerateSeconds = time.Since(t0).Seconds()
	height, err := b.RPC.BlockCount(ctx)
	if err != nil {
		return err
	}

	progress("floor: fetching blocks 0..%d with getblock alone", height)
	passFile := filepath.Join(dir, "pass")
	os.WriteFile(passFile, []byte(b.Password), 0o600)
	self, _ := os.Executable()
	out, err := exec.Command(self, "floor", b.RPCAddr, b.User, passFile, b.CertFile, "0", strconv.FormatInt(height, 10)).Output()
	if err != nil {
		return fmt.Errorf("floor: %v", err)
	}
	if err := json.Unmarshal(out, &fig.Floor); err != nil {
		return fmt.Errorf("floor printed %s: %v", out, err)
	}
	fig.Blocks, fig.Txs = fig.Floor.Blocks, fig.Floor.Txs

	progress("indexing blocks 0..%d with bcm-electrum", height)
	srv, err := regtest.NewServer(server, filepath.Join(dir, "electrum"), b)
	if err != nil {
		return err
	}
	start := time.Now()
	if err := srv.Start(); err != nil {
		return err
	}
	defer srv.Stop()
	if err := waitTip(srv.Addr, height); err != nil {
		return err
	}
	fig.IndexSeconds = time.Since(start).Seconds()
	fig.IndexPeakRSS = peakRSS(srv.PID())
	fig.RssAnon = procStatus(srv.PID(), "RssAnon:")
	fig.RssFile = procStatus(srv.PID(), "RssFile:")
	if st, err := srv.Status(); err == nil {
		fig.MemoryLimitBytes = st.MemoryLimitBytes
	}

	progress("timing %d get_history queries of a busy script hash", opt.queries)
	c, err := regtest.Dial(srv.Addr)
	if err != nil {
		return err
	}
	defer c.Close()
	var hist []json.RawMessage
	if err := c.Result(&hist, "blockchain.scripthash.get_history", busy[0].ScriptHash()); err != nil {
		return err
	}
	fig.BusyEntries = len(hist)
	fig.HistoryP50Ms, fig.HistoryP99Ms, err = timeIt(opt.queries, func() error {
		return c.Result(nil, "blockchain.scripthash.get_history", busy[0].ScriptHash())
	})
	if err != nil {
		return err
	}
	fig.PingP50Ms, fig.PingP99Ms, _ = timeIt(opt.queries, func() error { return c.Result(nil, "server.ping") })
	fig.NodeSearchP50Ms, fig.NodeSearchP99Ms, err = timeIt(max(opt.queries/10, 10), func() error {
		var raw json.RawMessage
		return b.RPC.Call(ctx, "searchrawtransactions", &raw, busy[0].Address.String(), 0, 0, 1000000)
	})
	if err != nil {
		return fmt.Errorf("searchrawtransactions: %w", err)
	}
	fig.AfterQueriesRSS = peakRSS(srv.PID())
	if st, err := os.Stat(filepath.Join(srv.DataDir, "index.db")); err == nil {
		fig.IndexBytes = st.Size()
	}
	fig.LoadAfter = loadAvg()
	printTable(fig)
	if opt.json != "" {
		b, _ := json.MarshalIndent(fig, "", "  ")
		return os.WriteFile(opt.json, b, 0o644)
	}
	return nil
}

func waitTip(addr string, height int64) error {
	c, err := regtest.Dial(addr)
	if err != nil {
		return err
	}
	defer c.Close()
	deadline := time.Now().Add(30 * time.Minute)
	for time.Now().Before(deadline) {
		m, err := c.Call("blockchain.headers.subscribe")
		if err != nil {
			return err
		}
		if m.Error == nil && bytes.Contains(m.Result, []byte(fmt.Sprintf(`"height":%d`, height))) {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("not synced within 30 minutes")
}

// timeIt runs fn n times and returns the 50th and 99th percentile in milliseconds.
func timeIt(n int, fn func() error) (p50, p99 float64, err error) {
	ds := make([]float64, 0, n)
	for i := 0; i < n; i++ {
		t := time.Now()
		if err := fn(); err != nil {
			return 0, 0, err
		}
		ds = append(ds, float64(time.Since(t).Microseconds())/1000)
	}
	sort.Float64s(ds)
	return ds[len(ds)*50/100], ds[min(len(ds)-1, len(ds)*99/100)], nil
}

func mib(b int64) string { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }

func printTable(f figures) {
	rate := func(n int64, s float64) string { return fmt.Sprintf("%.0f", float64(n)/s) }
	fmt.Printf("bcm-electrum benchmark, %s; regtest chain of %d blocks, %d transactions; load %s before, %s after\n\n",
		f.When, f.Blocks, f.Txs, f.LoadBefore, f.LoadAfter)
	fmt.Println("| measure | bcm-electrum | floor |")
	fmt.Println("|---|---:|---:|")
	fmt.Printf("| index the chain from empty: seconds | %.1f s | %.1f s (getblockhash + getblock raw, decoded, 4 in flight) |\n", f.IndexSeconds, f.Floor.Seconds)
	fmt.Printf("| index throughput: blocks/s | %s | %s |\n", rate(f.Blocks, f.IndexSeconds), rate(f.Blocks, f.Floor.Seconds))
	fmt.Printf("| index throughput: txs/s | %s | %s |\n", rate(f.Txs, f.IndexSeconds), rate(f.Txs, f.Floor.Seconds))
	fmt.Printf("| peak RSS while indexing (VmHWM) | %s (Go heap limit %s) | %s (the fetching process) |\n", mib(f.IndexPeakRSS), mib(f.MemoryLimitBytes), mib(f.Floor.PeakRSS))
	fmt.Printf("| get_history of a busy script hash (%d entries): p50 / p99 | %.1f / %.1f ms | server.ping %.2f / %.2f ms; btcd searchrawtransactions %.0f / %.0f ms |\n",
		f.BusyEntries, f.HistoryP50Ms, f.HistoryP99Ms, f.PingP50Ms, f.PingP99Ms, f.NodeSearchP50Ms, f.NodeSearchP99Ms)
	fmt.Printf("| RSS when caught up: anonymous (heap, stacks) / file-backed (the memory-mapped index, the binary) | %s / %s | |\n", mib(f.RssAnon), mib(f.RssFile))
	fmt.Printf("| peak RSS after the queries | %s | |\n", mib(f.AfterQueriesRSS))
	fmt.Printf("| index file | %s | raw blocks %s |\n", mib(f.IndexBytes), mib(f.Floor.RawBytes))
	fmt.Printf("\nchain generation (not measured against anything): %.0f s\n", f.GenerateSeconds)
}
