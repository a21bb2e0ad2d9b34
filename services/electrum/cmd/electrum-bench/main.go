// electrum-bench measures bcm-electrum on a generated regtest chain (bench/electrum/run.sh
// runs it; it is not part of the tests): index throughput, get_history latency for a busy
// script hash, peak resident memory while indexing, each beside its floor, fetching the
// same blocks with getblock alone from the same node.
//
//	electrum-bench [--txs 20000] [--workers 100] [--busy 3] [--queries 300] [--json FILE]
//	electrum-bench floor ADDR USER PASSFILE CERT FROM TO    (run by itself, in a child process)
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "floor" {
		os.Exit(floorMain(os.Args[2:]))
	}
	opt := options{}
	flag.IntVar(&opt.txs, "txs", 20000, "transactions to generate (besides coinbases)")
	flag.IntVar(&opt.workers, "workers", 100, "keys paying in parallel: transactions per block")
	flag.IntVar(&opt.busy, "busy", 3, "busy script hashes every transaction pays")
	flag.IntVar(&opt.queries, "queries", 300, "get_history queries timed")
	flag.StringVar(&opt.json, "json", "", "also write the figures as JSON to this file")
	flag.StringVar(&opt.keep, "keep", "", "keep the chain and logs in this directory (default: a temporary one, removed)")
	flag.Parse()
	if err := run(opt); err != nil {
		fmt.Fprintf(os.Stderr, "electrum-bench: %v\n", err)
		os.Exit(1)
	}
}
