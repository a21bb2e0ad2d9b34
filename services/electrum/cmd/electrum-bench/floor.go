package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"time"

	"bcm/services/electrum/internal/node"
)

// floorResult is what the floor child reports.
type floorResult struct {
	Seconds  float64 `json:"seconds"`
	Blocks   int64   `json:"blocks"`
	Txs      int64   `json:"txs"`
	PeakRSS  int64   `json:"peak_rss_bytes"`
	RawBytes int64   `json:"raw_bytes"`
}

// floorMain fetches blocks FROM..TO the way the indexer does (getblockhash, then getblock
// raw, decoded; the same client and the same four requests in flight) and indexes nothing:
// what the node and the transport cost alone.
func floorMain(args []string) int {
	if len(args) != 6 {
		fmt.Fprintln(os.Stderr, "usage: electrum-bench floor ADDR USER PASSFILE CERT FROM TO")
		return 2
	}
	pass, err := os.ReadFile(args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	from, _ := strconv.ParseInt(args[4], 10, 64)
	to, _ := strconv.ParseInt(args[5], 10, 64)
	c, err := node.New(node.Config{Addr: args[0], User: args[1], Password: string(trimNL(pass)), CertFile: args[3]})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ctx := context.Background()
	start := time.Now()
	res := floorResult{}
	type got struct {
		txs, size int
		err       error
	}
	const window = 4 // as the indexer's fetchWindow
	slots := make(chan chan got, window)
	go func() {
		defer close(slots)
		for h := from; h <= to; h++ {
			slot := make(chan got, 1)
			slots <- slot
			go func(h int64) {
				hash, err := c.BlockHash(ctx, h)
				if err != nil {
					slot <- got{err: err}
					return
				}
				b, size, err := c.Block(ctx, hash)
				if err != nil {
					slot <- got{err: err}
					return
				}
				slot <- got{txs: len(b.Transactions), size: size}
			}(h)
		}
	}()
	for slot := range slots {
		g := <-slot
		if g.err != nil {
			fmt.Fprintln(os.Stderr, g.err)
			return 1
		}
		res.Blocks++
		res.Txs += int64(g.txs)
		res.RawBytes += int64(g.size)
	}
	res.Seconds = time.Since(start).Seconds()
	res.PeakRSS = peakRSS(os.Getpid())
	json.NewEncoder(os.Stdout).Encode(res)
	return 0
}

func trimNL(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}
