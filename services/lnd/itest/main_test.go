package itest

import (
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// chain is the regtest btcd every regtest node uses; it mines to alice's derived first
// address, so that alice's wallet, created later, must find those coins by its recovery scan.
var chain *btcd

// work is the test run's directory (kept on failure for the logs: BCM_ITEST_KEEP=1).
var work string

func sha256Sum(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	var err error
	work, err = os.MkdirTemp("", "bcm-lnd-itest-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if os.Getenv("BCM_ITEST_KEEP") == "" {
		defer os.RemoveAll(work)
	} else {
		fmt.Fprintln(os.Stderr, "itest: keeping", work)
	}
	if err := setupBinaries(work); err != nil {
		fmt.Fprintln(os.Stderr, "itest: building the binaries:", err)
		return 1
	}
	alice := runSeed(panicTB{}, secretHex("alice"), "regtest")
	if err := os.MkdirAll(filepath.Join(work, "btcd"), 0o700); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	chain, err = startBtcd(filepath.Join(work, "btcd"), alice.FirstAddress)
	if err != nil {
		fmt.Fprintln(os.Stderr, "itest:", err)
		return 1
	}
	defer chain.stop()
	// 500 blocks: btcd's regtest activates segwit (BIP9, 144-block windows) only at 432,
	// before which it refuses lnd's funding transactions; the first coinbases (to alice)
	// mature; and btcd's tip is recent, so that lnd counts the backend as synced.
	if err := chain.mine(500); err != nil {
		fmt.Fprintln(os.Stderr, "itest:", err)
		return 1
	}
	return m.Run()
}

// panicTB is a testing.TB for helpers called from TestMain.
type panicTB struct{ testing.TB }

func (panicTB) Helper()                   {}
func (panicTB) Fatal(args ...any)         { panic(fmt.Sprint(args...)) }
func (panicTB) Fatalf(f string, a ...any) { panic(fmt.Sprintf(f, a...)) }
