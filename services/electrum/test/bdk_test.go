package test

import (
	"crypto/pbkdf2"
	"crypto/sha512"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"

	"bcm/services/electrum/internal/regtest"
)

// bdkVersion is the bdkpython release the test installs (PyPI), pinned.
const bdkVersion = "3.1.1"

const testMnemonic = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"

// bdkPython returns the Python of a venv with bdkpython installed, under the cache
// (${BCM_CACHE_DIR:-~/.cache/bcm}/venv-bdk-VERSION), creating it when missing.
func bdkPython(t *testing.T) string {
	t.Helper()
	venv := filepath.Join(regtest.CacheDir(), "venv-bdk-"+bdkVersion)
	py := filepath.Join(venv, "bin", "python")
	check := exec.Command(py, "-c", "import bdkpython, importlib.metadata as m; assert m.version('bdkpython') == '"+bdkVersion+"'")
	if check.Run() == nil {
		return py
	}
	t.Logf("installing bdkpython %s into %s", bdkVersion, venv)
	if out, err := exec.Command("python3", "-m", "venv", "--clear", venv).CombinedOutput(); err != nil {
		t.Fatalf("python3 -m venv %s: %v\n%s (the test needs python3 with the venv module: apt-get install python3-venv)", venv, err, out)
	}
	if out, err := exec.Command(py, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "bdkpython=="+bdkVersion).CombinedOutput(); err != nil {
		t.Fatalf("pip install bdkpython==%s: %v\n%s", bdkVersion, err, out)
	}
	return py
}

// bip84FirstAddress derives m/84'/1'/0'/0/0 of the mnemonic on regtest, independently of
// BDK: the BIP 39 seed (PBKDF2-HMAC-SHA512, 2048 rounds, salt "mnemonic"), BIP 32 with
// btcd's hdkeychain, P2WPKH.
func bip84FirstAddress(t *testing.T, mnemonic string) string {
	t.Helper()
	seed, err := pbkdf2.Key(sha512.New, mnemonic, []byte("mnemonic"), 2048, 64)
	if err != nil {
		t.Fatal(err)
	}
	key, err := hdkeychain.NewMaster(seed, &chaincfg.RegressionNetParams)
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []uint32{hdkeychain.HardenedKeyStart + 84, hdkeychain.HardenedKeyStart + 1, hdkeychain.HardenedKeyStart + 0, 0, 0} {
		if key, err = key.Derive(step); err != nil {
			t.Fatal(err)
		}
	}
	pub, err := key.ECPubKey()
	if err != nil {
		t.Fatal(err)
	}
	addr, err := btcutil.NewAddressWitnessPubKeyHash(btcutil.Hash160(pub.SerializeCompressed()), &chaincfg.RegressionNetParams)
	if err != nil {
		t.Fatal(err)
	}
	return addr.EncodeAddress()
}

type bdkState struct {
	Balance struct {
		Confirmed        int64 `json:"confirmed"`
		Immature         int64 `json:"immature"`
		TrustedPending   int64 `json:"trusted_pending"`
		UntrustedPending int64 `json:"untrusted_pending"`
		Total            int64 `json:"total"`
	} `json:"balance"`
	Tip int64 `json:"tip"`
	Txs []struct {
		Txid      string `json:"txid"`
		Confirmed bool   `json:"confirmed"`
		Height    *int64 `json:"height"`
		Received  int64  `json:"received"`
		Sent      int64  `json:"sent"`
	} `json:"txs"`
}

func runBDK(t *testing.T, py string, out any, args ...string) {
	t.Helper()
	cmd := exec.Command(py, append([]string{"test/bdk_wallet.py"}, args...)...)
	dir, _ := regtest.ModuleDir()
	cmd.Dir = dir
	cmd.Stderr = os.Stderr
	b, err := cmd.Output()
	if err != nil {
		t.Fatalf("bdk_wallet.py %v: %v\n%s", args, err, b)
	}
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("bdk_wallet.py %v printed %s: %v", args, b, err)
	}
}

func (s bdkState) tx(id string) (confirmed bool, height int64, found bool) {
	for _, tx := range s.Txs {
		if tx.Txid == id {
			h := int64(-1)
			if tx.Height != nil {
				h = *tx.Height
			}
			return tx.Confirmed, h, true
		}
	}
	return false, 0, false
}

// BDK, a wallet library nobody here wrote, uses the server through its own Electrum
// client: it sees coins mined to its first address, a payment to it, and spends through
// the server's broadcast, then sees the spend confirmed.
func TestBDKWalletThroughTheServer(t *testing.T) {
	py := bdkPython(t)
	var addr struct {
		Address    string `json:"address"`
		Descriptor string `json:"descriptor"`
	}
	runBDK(t, py, &addr, "address")
	if want := bip84FirstAddress(t, testMnemonic); addr.Address != want {
		t.Fatalf("BDK's first address %s, BIP 84 derivation gives %s", addr.Address, want)
	}

	f := newFixture(t, 2)
	// B mines to the wallet's first address and shares its blocks with A.
	b, err := regtest.StartBtcd(btcdBin, filepath.Join(f.dir, "btcd-bdk"), addr.Address)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Stop() })
	if err := b.Connect(f.ctx, f.a); err != nil {
		t.Fatal(err)
	}
	if err := b.WaitHeight(f.ctx, f.height(f.a)); err != nil {
		t.Fatal(err)
	}
	mined := f.mine(b, 1)
	// A must have B's block before it mines on top, or A's blocks would orphan it.
	if err := f.a.WaitHeight(f.ctx, f.height(b)); err != nil {
		t.Fatal(err)
	}
	if h, _ := f.a.RPC.BlockHash(f.ctx, f.height(b)); h.String() != mined[0] {
		t.Fatalf("A's block at %d is %s, not B's %s", f.height(b), h, mined[0])
	}
	f.mine(f.a, 100) // matures B's coinbase (A's own blocks pay the test miner)
	if err := b.WaitHeight(f.ctx, f.height(f.a)); err != nil {
		t.Fatal(err)
	}
	srv := f.startServer()
	url := "tcp://" + srv.Addr

	var cb struct {
		Tx []string `json:"tx"`
	}
	if err := f.a.RPC.Call(f.ctx, "getblock", &cb, mined[0], 1); err != nil {
		t.Fatal(err)
	}
	coinbase := cb.Tx[0]
	nodeView := f.expect(f.a, addr.Address)
	if len(nodeView.history) != 1 || nodeView.history[0].TxHash != coinbase {
		t.Fatalf("btcd's view of the wallet's address: %+v (coinbase %s)", nodeView.history, coinbase)
	}
	var s bdkState
	runBDK(t, py, &s, "sync", "--url", url)
	if confirmed, _, found := s.tx(coinbase); !found || !confirmed {
		t.Fatalf("BDK does not see the mined coinbase %s confirmed: %+v", coinbase, s)
	}
	if s.Balance.Confirmed != nodeView.balance.Confirmed || s.Balance.Total != nodeView.balance.Confirmed || s.Tip != f.height(f.a) {
		t.Fatalf("BDK balance %+v at tip %d, btcd says %+v at %d", s.Balance, s.Tip, nodeView.balance, f.height(f.a))
	}
	start := s.Balance.Confirmed

	// A payment to the wallet: unconfirmed, then confirmed.
	pay := f.pay(f.a, f.miner, 1, []*regtest.Key{{Address: mustAddr(t, addr.Address), PkScript: scriptOf(t, addr.Address)}}, []int64{50_000_000})
	payID := pay.TxHash().String()
	f.synced()
	runBDK(t, py, &s, "sync", "--url", url)
	if confirmed, _, found := s.tx(payID); !found || confirmed || s.Balance.UntrustedPending != 50_000_000 {
		t.Fatalf("BDK does not see the unconfirmed payment %s: %+v", payID, s)
	}
	f.mine(f.a, 1)
	f.synced()
	runBDK(t, py, &s, "sync", "--url", url)
	if confirmed, h, found := s.tx(payID); !found || !confirmed || h != f.height(f.a) || s.Balance.Confirmed != start+50_000_000 {
		t.Fatalf("BDK does not see the payment confirmed at %d: %+v", f.height(f.a), s)
	}

	// BDK spends: builds, signs, broadcasts through the server.
	ivan := regtest.NewKey("ivan, paid by BDK")
	var sent struct {
		Txid string `json:"txid"`
		Fee  int64  `json:"fee"`
	}
	runBDK(t, py, &sent, "send", "--url", url, "--to", ivan.Address.String(), "--amount", "30000000")
	var pool []string
	if err := f.a.RPC.Call(f.ctx, "getrawmempool", &pool); err != nil {
		t.Fatal(err)
	}
	if !contains(pool, sent.Txid) {
		t.Fatalf("BDK's transaction %s is not in btcd's mempool %v", sent.Txid, pool)
	}
	f.synced()
	runBDK(t, py, &s, "sync", "--url", url)
	if confirmed, _, found := s.tx(sent.Txid); !found || confirmed {
		t.Fatalf("BDK does not see its own spend unconfirmed: %+v", s)
	}
	f.mine(f.a, 1)
	f.synced()
	time.Sleep(200 * time.Millisecond)
	runBDK(t, py, &s, "sync", "--url", url)
	if confirmed, h, found := s.tx(sent.Txid); !found || !confirmed || h != f.height(f.a) {
		t.Fatalf("BDK does not see its spend confirmed at %d: %+v", f.height(f.a), s)
	}
	if want := start + 50_000_000 - 30_000_000 - sent.Fee; s.Balance.Confirmed != want || s.Balance.Total != want {
		t.Fatalf("BDK balance after the spend %+v, want %d confirmed (fee %d)", s.Balance, want, sent.Fee)
	}
	c := f.client()
	f.compareScript(c, f.a, ivan)
	var bal balance
	if err := c.Result(&bal, "blockchain.scripthash.get_balance", ivan.ScriptHash()); err != nil || bal.Confirmed != 30_000_000 {
		t.Fatalf("ivan's balance %+v %v", bal, err)
	}
	f.compareScript(c, f.a, &regtest.Key{Address: mustAddr(t, addr.Address), PkScript: scriptOf(t, addr.Address)})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func mustAddr(t *testing.T, s string) btcutil.Address {
	t.Helper()
	a, err := btcutil.DecodeAddress(s, &chaincfg.RegressionNetParams)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func scriptOf(t *testing.T, s string) []byte {
	t.Helper()
	a := mustAddr(t, s)
	w, ok := a.(*btcutil.AddressWitnessPubKeyHash)
	if !ok {
		t.Fatalf("%s is not P2WPKH", s)
	}
	return append([]byte{0x00, 0x14}, w.WitnessProgram()...)
}
