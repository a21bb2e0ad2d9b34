package itest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lightningnetwork/lnd/lnrpc"
	macaroon "gopkg.in/macaroon.v2"
)

// alice (funded by the miner) and bob are made once, by whichever test needs them first;
// their first run is the creation, which TestStartCreatesRecoversRestarts checks.
var (
	alice, bob         *node
	aliceOnce, bobOnce sync.Once
)

func aliceNode(t *testing.T) *node {
	aliceOnce.Do(func() { alice = newNode(t, work, "alice", secretHex("alice"), "regtest", btcdBackend(chain)) })
	return running(t, alice)
}

func bobNode(t *testing.T) *node {
	bobOnce.Do(func() { bob = newNode(t, work, "bob", secretHex("bob"), "regtest", btcdBackend(chain)) })
	return running(t, bob, smallWindow)
}

// smallWindow: nodes with nothing to recover scan with a small look-ahead (2500 addresses
// per branch take a minute of CPU; alice shows the default).
const smallWindow = "--recovery-window=100"

// running starts the node when it is not running, and waits until it is SERVER_ACTIVE.
func running(t *testing.T, n *node, extra ...string) *node {
	t.Helper()
	n.t = t
	if n.cmd == nil || n.exited() {
		n.start(extra...)
	}
	n.waitState(lnrpc.WalletState_SERVER_ACTIVE, 5*time.Minute)
	return n
}

func fileHash(t *testing.T, path string) (string, time.Time) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:]), st.ModTime()
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func TestStartCreatesRecoversRestarts(t *testing.T) {
	n := aliceNode(t)
	run := 1
	info := n.getInfo()
	if info.IdentityPubkey != n.seed.NodePubkey {
		t.Fatalf("lnd's identity %s, bcm-lnd-seed --identity says %s", info.IdentityPubkey, n.seed.NodePubkey)
	}
	log := n.log(run)
	for _, want := range []string{"no wallet in", "creating the wallet from the device's seed (birthday 2026-01-01, recovery window 2500)", "the wallet's recovery scan is finished", "the new wallet is in", "Attempting automatic wallet unlock with password provided in file"} {
		if !strings.Contains(log, want) {
			t.Errorf("the first start's output lacks %q", want)
		}
	}
	if strings.Contains(log, "first start") || strings.Contains(log, "was killed") {
		t.Error("the first start unlocked the wallet twice, or had to kill lnd")
	}
	if exists(filepath.Join(n.dir, ".bcm-wallet-init")) {
		t.Error("the staging lnddir is still there after the commit")
	}
	var m struct{ NodePubkey string }
	data, err := os.ReadFile(filepath.Join(n.chainDir(), "bcm-wallet.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &m); err != nil || m.NodePubkey != n.seed.NodePubkey {
		t.Fatalf("bcm-wallet.json %s", data)
	}

	// The coins btcd mined to alice's derived first address before her wallet existed are
	// hers: the recovery scan found m/84'/0'/0'/0/0 without anyone asking for an address.
	var bal *lnrpc.WalletBalanceResponse
	deadline := time.Now().Add(2 * time.Minute)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		bal, err = n.lightning().WalletBalance(ctx, &lnrpc.WalletBalanceRequest{})
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		if bal.ConfirmedBalance >= 50e8 || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Second)
	}
	if bal.ConfirmedBalance < 50e8 {
		t.Fatalf("alice's confirmed balance is %d sat, want at least the mature 50 BTC coinbase", bal.ConfirmedBalance)
	}
	t.Logf("alice: node %s, confirmed balance %d sat", info.IdentityPubkey, bal.ConfirmedBalance)

	// The macaroons are signed with the derived root key.
	mac := readMacaroon(t, filepath.Join(n.chainDir(), "admin.macaroon"))
	root, _ := hex.DecodeString(n.seed.MacaroonRootKey)
	if err := mac.Verify(root, func(string) error { return nil }, nil); err != nil {
		t.Fatalf("admin.macaroon does not verify with the derived macaroon root key: %v", err)
	}
	wrong := sha256.Sum256(root)
	if err := mac.Verify(wrong[:], func(string) error { return nil }, nil); err == nil {
		t.Fatal("admin.macaroon verifies with another key too")
	}

	// Restart: lnd unlocks itself; nothing is created or scanned again.
	n.stop()
	run = n.start()
	n.waitState(lnrpc.WalletState_SERVER_ACTIVE, 3*time.Minute)
	if got := n.getInfo().IdentityPubkey; got != n.seed.NodePubkey {
		t.Fatalf("after a restart lnd's identity is %s", got)
	}
	log = n.log(run)
	for _, unwanted := range []string{"creating the wallet", "first start", "starting lnd in"} {
		if strings.Contains(log, unwanted) {
			t.Errorf("the restart's output has %q: it should only check and exec lnd", unwanted)
		}
	}
	if !strings.Contains(log, "Attempting automatic wallet unlock with password provided in file") {
		t.Error("the restarted lnd did not unlock from the password file")
	}
}

func readMacaroon(t *testing.T, path string) *macaroon.Macaroon {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m macaroon.Macaroon
	if err := m.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	return &m
}

func TestAnotherSeedIsRefusedAndNothingChanges(t *testing.T) {
	n := aliceNode(t)
	n.stop()
	walletDB := filepath.Join(n.chainDir(), "wallet.db")
	hash, mtime := fileHash(t, walletDB)

	// Another device's secret and pubkey: the wallet does not open with its password.
	mallory := runSeed(t, secretHex("mallory"), "regtest")
	n.writeSecret(mallory)
	code, out := n.runToEnd(mallory.NodePubkey)
	checkOneLineError(t, code, out, "bcm-lnd-start: error: the wallet on this volume belongs to another seed (it does not open with the password derived from this device, expected node "+mallory.NodePubkey+"); fix: ")
	for _, secret := range []string{mallory.Password, mallory.Entropy, mallory.MacaroonRootKey} {
		if strings.Contains(out, secret) {
			t.Fatal("bcm-lnd-start printed a secret value")
		}
	}
	if h, m := fileHash(t, walletDB); h != hash || !m.Equal(mtime) {
		t.Fatal("wallet.db changed")
	}

	// The right secret with another pubkey: refused before the wallet is opened.
	n.writeSecret(n.seed)
	code, out = n.runToEnd(mallory.NodePubkey)
	checkOneLineError(t, code, out, "bcm-lnd-start: error: the wallet secret file makes node "+n.seed.NodePubkey+" on regtest, but --expect-node-pubkey is "+mallory.NodePubkey+"; fix: ")
	if h, m := fileHash(t, walletDB); h != hash || !m.Equal(mtime) {
		t.Fatal("wallet.db changed")
	}

	// And the wallet still starts with its own device's values.
	n.start()
	n.waitState(lnrpc.WalletState_SERVER_ACTIVE, 3*time.Minute)
	if got := n.getInfo().IdentityPubkey; got != n.seed.NodePubkey {
		t.Fatalf("identity %s", got)
	}
}

// checkOneLineError: exit status 1, and bcm-lnd-start's error is one line with the prefix.
func checkOneLineError(t *testing.T, code int, out, prefix string) {
	t.Helper()
	if code != 1 {
		t.Fatalf("exit status %d, want 1: %s", code, tail(out, 10))
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	last := lines[len(lines)-1]
	if !strings.HasPrefix(last, prefix) {
		t.Fatalf("last line %q, want the prefix %q", last, prefix)
	}
	if n := strings.Count(out, "bcm-lnd-start: error:"); n != 1 {
		t.Fatalf("%d error lines", n)
	}
	if !bytes.Contains([]byte(last), []byte("fix: ")) {
		t.Fatal("the error names no fix")
	}
}

func TestNewAddressIsTheDerivedFirstAddress(t *testing.T) {
	n := bobNode(t)
	var resp struct{ Address string }
	if err := json.Unmarshal([]byte(n.lncli("newaddress", "p2wkh")), &resp); err != nil {
		t.Fatal(err)
	}
	if resp.Address != n.seed.FirstAddress {
		t.Fatalf("lncli newaddress p2wkh gave %s, bcm-lnd-seed --identity says %s", resp.Address, n.seed.FirstAddress)
	}
	if got := n.getInfo().IdentityPubkey; got != n.seed.NodePubkey {
		t.Fatalf("identity %s, want %s", got, n.seed.NodePubkey)
	}
}
