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
	// BCM_ELECTRUM_TEST_BIN runs the tests against another build of the server, e.g. one
	// with the race detector (go build -race): its report makes the server's exit fail.
	if serverBin = os.Getenv("BCM_ELECTRUM_TEST_BIN"); serverBin != "" {
		fmt.Fprintf(os.Stderr, "testing %s (BCM_ELECTRUM_TEST_BIN)\n", serverBin)
	} else if serverBin, err = regtest.BuildServer(dir); err != nil {
		fmt.Fprintf(os.Stderr, "building bcm-electrum: %v\n", err)
		return 1
	}
	return m.Run()
}
