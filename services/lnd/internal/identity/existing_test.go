package identity

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// ExistingNodeKey reads the node key of a wallet lnd's code made, without changing a byte,
// and tells a wrong password apart.
func TestExistingNodeKeyReadsWithoutWriting(t *testing.T) {
	entropy := [16]byte{9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5, 6}
	chain := Chains["regtest"]
	day := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	want, err := FromEntropy(entropy, chain, day)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	w, err := startWallet(dir, []byte("the wallet password"), entropy, chain, day)
	if err != nil {
		t.Fatal(err)
	}
	if err := closeWallet(w); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "wallet.db")
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ExistingNodeKey(path, []byte("the wallet password"), chain)
	if err != nil {
		t.Fatal(err)
	}
	if got != want.PubKey {
		t.Fatalf("node key %s, want %s", got, want.PubKey)
	}
	if _, err := ExistingNodeKey(path, []byte("another password"), chain); !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("another password: %v", err)
	}
	// mainnet's scope (coin 0) is not in a regtest wallet.
	if _, err := ExistingNodeKey(path, []byte("the wallet password"), Chains["mainnet"]); err == nil {
		t.Fatal("a regtest wallet read as mainnet")
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Fatal("reading the node key changed wallet.db")
	}
	if _, err := ExistingNodeKey(filepath.Join(dir, "missing.db"), []byte("x"), chain); err == nil {
		t.Fatal("a missing file was read")
	}
}
