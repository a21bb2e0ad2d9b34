package test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"bcm/services/streams/internal/kafkatest"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/rpcclient"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// goBuild builds a package of this module (or its build list) with the host's Go and caches.
func goBuild(t *testing.T, out, pkg string) string {
	t.Helper()
	cmd := exec.Command("go", "build", "-trimpath", "-o", out, pkg)
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local", "CGO_ENABLED=0", "GOFLAGS=-mod=readonly -buildvcs=false")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, b)
	}
	return out
}

// btcdNode is a real btcd on regtest on loopback (TLS RPC, no peers), mining to a key of the test's.
type btcdNode struct {
	addr, user, passFile, certFile string
	rpc                            *rpcclient.Client
}

func selfSigned(t *testing.T, certPath, keyPath string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "btcd regtest"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true, IsCA: true, DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalECPrivateKey(key)
	if err := os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
}

func startBtcd(t *testing.T, miningAddr string) *btcdNode {
	t.Helper()
	bin := goBuild(t, filepath.Join(kafkatest.CacheDir(), "streams-test", "btcd"), "github.com/btcsuite/btcd")
	dir := t.TempDir()
	port := kafkatest.FreePort()
	n := &btcdNode{addr: "127.0.0.1:" + strconv.Itoa(port), user: "bcm", passFile: filepath.Join(dir, "rpc-password"), certFile: filepath.Join(dir, "rpc.cert")}
	password := fmt.Sprintf("regtest-%d", port)
	selfSigned(t, n.certFile, filepath.Join(dir, "rpc.key"))
	if err := os.WriteFile(n.passFile, []byte(password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "btcd.conf")
	if err := os.WriteFile(conf, []byte(fmt.Sprintf("[Application Options]\nrpcuser=%s\nrpcpass=%s\n", n.user, password)), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _ := os.Create(filepath.Join(dir, "btcd.out"))
	cmd := exec.Command(bin, "--configfile="+conf, "--regtest", "--datadir="+filepath.Join(dir, "data"), "--logdir="+filepath.Join(dir, "logs"),
		"--rpclisten="+n.addr, "--rpccert="+n.certFile, "--rpckey="+filepath.Join(dir, "rpc.key"), "--nolisten", "--nodnsseed", "--nocfilters",
		"--miningaddr="+miningAddr)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Signal(os.Interrupt); _ = cmd.Wait(); out.Close() })
	cert, _ := os.ReadFile(n.certFile)
	var err error
	n.rpc, err = rpcclient.New(&rpcclient.ConnConfig{Host: n.addr, User: n.user, Pass: password, HTTPPostMode: true, Certificates: cert}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(n.rpc.Shutdown)
	deadline := time.Now().Add(60 * time.Second)
	for {
		if _, err := n.rpc.GetBlockCount(); err == nil {
			return n
		} else if time.Now().After(deadline) {
			b, _ := os.ReadFile(out.Name())
			t.Fatalf("btcd's RPC did not answer within 60 s: %v%s", err, kafkatest.Tail(string(b), 10))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// key is a P2PKH key on regtest derived from a name (public: regtest only). Legacy, since
// segwit activates only after some 400 blocks on btcd's regtest.
type key struct {
	priv   *btcec.PrivateKey
	addr   btcutil.Address
	script []byte
}

func newKey(t *testing.T, name string) *key {
	seed := sha256.Sum256([]byte(name))
	priv, _ := btcec.PrivKeyFromBytes(seed[:])
	addr, err := btcutil.NewAddressPubKeyHash(btcutil.Hash160(priv.PubKey().SerializeCompressed()), &chaincfg.RegressionNetParams)
	if err != nil {
		t.Fatal(err)
	}
	script, _ := txscript.PayToAddrScript(addr)
	return &key{priv: priv, addr: addr, script: script}
}

// spendCoinbase signs a transaction spending block's coinbase output to k: half to `to`, the rest back less a fee.
func (k *key) spendCoinbase(t *testing.T, block *wire.MsgBlock, to *key) *wire.MsgTx {
	t.Helper()
	cb := block.Transactions[0]
	idx := -1
	for i, o := range cb.TxOut {
		if string(o.PkScript) == string(k.script) {
			idx = i
		}
	}
	if idx < 0 {
		t.Fatalf("block %s's coinbase does not pay the miner key", block.BlockHash())
	}
	value := cb.TxOut[idx].Value
	tx := wire.NewMsgTx(2)
	op := wire.NewOutPoint(ptr(cb.TxHash()), uint32(idx))
	tx.AddTxIn(wire.NewTxIn(op, nil, nil))
	tx.AddTxOut(wire.NewTxOut(value/2, to.script))
	tx.AddTxOut(wire.NewTxOut(value/2-10_000, k.script))
	sig, err := txscript.SignatureScript(tx, 0, k.script, txscript.SigHashAll, k.priv, true)
	if err != nil {
		t.Fatal(err)
	}
	tx.TxIn[0].SignatureScript = sig
	return tx
}

func ptr[T any](v T) *T { return &v }
