package itest

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lightningnetwork/lnd/lnrpc"
)

// waitFile polls for a file (every 20 ms) while the node runs.
func waitFile(t *testing.T, n *node, path string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !exists(path) {
		if n.exited() {
			t.Fatalf("%s ended before %s appeared: %s", n.name, path, tail(n.log(n.runs), 15))
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not appear within %s", path, timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A container killed (SIGKILL, the one-shot lnd with it) at any point of the first start
// leaves a volume from which the next start reaches the same wallet, without a second one.
func TestKilledMidInitConverges(t *testing.T) {
	n := newNode(t, work, "dave", secretHex("dave"), "regtest", btcdBackend(chain))
	staged := filepath.Join(n.dir, ".bcm-wallet-init", "data", "chain", "bitcoin", "regtest", "wallet.db")
	real := filepath.Join(n.chainDir(), "wallet.db")
	marker := filepath.Join(n.chainDir(), "bcm-wallet.json")

	// 0. docker stop (SIGTERM to bcm-lnd-start alone) during the staging: it stops its
	// one-shot lnd and ends; nothing is left listening.
	n.start(smallWindow)
	waitFile(t, n, staged, 3*time.Minute)
	_ = n.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-n.done:
	case <-time.After(90 * time.Second):
		t.Fatal("bcm-lnd-start did not end within 90 s of SIGTERM")
	}
	if code := n.cmd.ProcessState.ExitCode(); code != 1 {
		t.Fatalf("exit status %d after SIGTERM during the staging", code)
	}
	if c, err := net.DialTimeout("tcp", "127.0.0.1:"+itoa(n.init), time.Second); err == nil {
		c.Close()
		t.Fatal("the one-shot lnd still listens after bcm-lnd-start ended")
	}
	if exists(real) {
		t.Fatal("a stop during the staging left a wallet.db in lnd's data directory")
	}

	// 1. Killed while lnd makes the wallet in the staging lnddir.
	n.start(smallWindow)
	waitFile(t, n, staged, 3*time.Minute)
	n.kill()
	if exists(real) {
		t.Fatal("a kill during the staging left a wallet.db in lnd's data directory")
	}

	// 2. The next start makes the wallet again, from scratch, and runs lnd.
	run := n.start(smallWindow)
	n.waitState(lnrpc.WalletState_SERVER_ACTIVE, 5*time.Minute)
	if log := n.log(run); !strings.Contains(log, "creating the wallet") {
		t.Fatal("the second start did not make the wallet")
	}
	if got := n.getInfo().IdentityPubkey; got != n.seed.NodePubkey {
		t.Fatalf("identity %s, want %s", got, n.seed.NodePubkey)
	}
	if !exists(marker) || exists(filepath.Join(n.dir, ".bcm-wallet-init")) {
		t.Fatal("after the first start: no marker, or the staging lnddir is left")
	}
	n.stop()

	// 3. A kill between the wallet's link into place and its marker leaves a wallet without
	// marker (made here by removing it): the next start unlocks it with the recovery window;
	// killed during that too, the start after converges.
	if err := os.Remove(marker); err != nil {
		t.Fatal(err)
	}
	run = n.start(smallWindow)
	for !strings.Contains(n.log(run), "unlocking the wallet for its first start") {
		if n.exited() {
			t.Fatalf("ended: %s", tail(n.log(run), 10))
		}
		time.Sleep(20 * time.Millisecond)
	}
	n.kill()
	if exists(marker) {
		t.Fatal("killed during the first start's unlock, yet the marker is there")
	}
	run = n.start(smallWindow)
	n.waitState(lnrpc.WalletState_SERVER_ACTIVE, 5*time.Minute)
	log := n.log(run)
	if strings.Contains(log, "creating the wallet") || !strings.Contains(log, "unlocking the wallet for its first start") {
		t.Fatalf("the last start did not finish the wallet in place: %s", tail(log, 20))
	}
	if got := n.getInfo().IdentityPubkey; got != n.seed.NodePubkey {
		t.Fatalf("identity %s, want %s", got, n.seed.NodePubkey)
	}
	if !exists(marker) {
		t.Fatal("no marker after the first start finished")
	}
	n.stop()
}
