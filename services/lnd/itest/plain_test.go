package itest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"bcm/services/lnd/internal/lndrun"
	"github.com/lightningnetwork/lnd/lnrpc"
)

// The 24 words bcm-lnd-seed prints restore the node in a plain lnd, created the way
// `lncli create` does it with "an existing cipher seed" (InitWallet with the words, no
// aezeed passphrase, a password of the user's choosing): same identity, same first address.
func TestWordsRestoreTheNodeInPlainLnd(t *testing.T) {
	s := runSeed(t, secretHex("carol"), "regtest")
	if len(s.Words) != 24 {
		t.Fatalf("%d words", len(s.Words))
	}
	dir := filepath.Join(work, "carol-plain")
	grpcPort := freePort()
	conf := fmt.Sprintf("[Application Options]\nrpclisten=127.0.0.1:%d\nnorest=1\nnolisten=1\nnobootstrap=1\n[Bitcoin]\nbitcoin.regtest=1\nbitcoin.node=nochainbackend\n", grpcPort)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "lnd.conf"), []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _ := os.Create(filepath.Join(dir, "lnd.out"))
	defer out.Close()
	cmd := exec.Command(bins.lnd, "--lnddir="+dir, "--configfile="+filepath.Join(dir, "lnd.conf"))
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }()
	addr := "127.0.0.1:" + strconv.Itoa(grpcPort)
	cert := filepath.Join(dir, "tls.cert")

	waitPlain := func(want lnrpc.WalletState) {
		t.Helper()
		deadline := time.Now().Add(2 * time.Minute)
		for time.Now().Before(deadline) {
			if exists(cert) {
				c, err := lndrun.Dial(addr, cert, "")
				if err == nil {
					ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
					st, err := lnrpc.NewStateClient(c).GetState(ctx, &lnrpc.GetStateRequest{})
					cancel()
					c.Close()
					if err == nil && st.State >= want && st.State != lnrpc.WalletState_WAITING_TO_START {
						return
					}
				}
			}
			time.Sleep(300 * time.Millisecond)
		}
		t.Fatalf("plain lnd did not reach %v", want)
	}
	waitPlain(lnrpc.WalletState_NON_EXISTING)
	c, err := lndrun.Dial(addr, cert, "")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := lnrpc.NewWalletUnlockerClient(c).InitWallet(ctx, &lnrpc.InitWalletRequest{
		WalletPassword:     []byte("a password the user chose"),
		CipherSeedMnemonic: s.Words,
	}); err != nil {
		t.Fatalf("InitWallet with bcm-lnd-seed's words: %v", err)
	}
	waitPlain(lnrpc.WalletState_RPC_ACTIVE)
	mc, err := lndrun.Dial(addr, cert, filepath.Join(dir, "data/chain/bitcoin/regtest/admin.macaroon"))
	if err != nil {
		t.Fatal(err)
	}
	defer mc.Close()
	info, err := lnrpc.NewLightningClient(mc).GetInfo(ctx, &lnrpc.GetInfoRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if info.IdentityPubkey != s.NodePubkey {
		t.Fatalf("the restored node is %s, bcm-lnd-seed says %s", info.IdentityPubkey, s.NodePubkey)
	}
	a, err := lnrpc.NewLightningClient(mc).NewAddress(ctx, &lnrpc.NewAddressRequest{Type: lnrpc.AddressType_WITNESS_PUBKEY_HASH})
	if err != nil {
		t.Fatal(err)
	}
	if a.Address != s.FirstAddress {
		t.Fatalf("the restored node's first address is %s, bcm-lnd-seed says %s", a.Address, s.FirstAddress)
	}
}

// On a chain with no peers and no backend (signet, bitcoin.node=nochainbackend) the same
// path creates the wallet and lnd unlocks itself. No backend means no recovery scan can
// finish: --recovery-window=0.
func TestSignetWithoutChainBackend(t *testing.T) {
	n := newNode(t, work, "erin", secretHex("erin"), "signet", noBackend)
	n.start("--recovery-window=0")
	defer n.stop()
	n.waitState(lnrpc.WalletState_RPC_ACTIVE, 3*time.Minute)
	if got := n.getInfo().IdentityPubkey; got != n.seed.NodePubkey {
		t.Fatalf("identity %s, want %s", got, n.seed.NodePubkey)
	}
	var resp struct{ Address string }
	if err := json.Unmarshal([]byte(n.lncli("newaddress", "p2wkh")), &resp); err != nil {
		t.Fatal(err)
	}
	if resp.Address != n.seed.FirstAddress {
		t.Fatalf("newaddress %s, derived %s", resp.Address, n.seed.FirstAddress)
	}
}
