// Package test runs bcm-electrum, built from this module, against real btcd nodes on
// regtest (built from the pinned btcd module), on loopback only. Every expected answer
// comes from btcd itself (searchrawtransactions over its address index, getblock,
// getrawmempool), never from numbers written here.
package test

import (
	"fmt"
	"os"
	"testing"

	"bcm/services/electrum/internal/regtest"
)

var (
	btcdBin   string
	serverBin string
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	var err error
	if btcdBin, err = regtest.BuildBtcd(); err != nil {
		fmt.Fprintf(os.Stderr, "building btcd: %v\n", err)
		return 1
	}
	dir, err := os.MkdirTemp("", "bcm-electrum-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	if serverBin, err = regtest.BuildServer(dir); err != nil {
		fmt.Fprintf(os.Stderr, "building bcm-electrum: %v\n", err)
		return 1
	}
	return m.Run()
}
