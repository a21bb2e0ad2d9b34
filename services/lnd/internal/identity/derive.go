package identity

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/btcsuite/btcwallet/waddrmgr"
	"github.com/lightningnetwork/lnd/chainreg"
	"github.com/lightningnetwork/lnd/keychain"
	"github.com/lightningnetwork/lnd/lnwallet"
	"github.com/lightningnetwork/lnd/lnwallet/btcwallet"
)

// Node is what lnd makes of a seed on one chain.
type Node struct {
	// PubKey is the node's identity key (m/1017'/coin'/6'/0/0), compressed, hex.
	PubKey string `json:"nodePubkey"`
	// FirstAddress is the first `newaddress p2wkh` (m/84'/0'/0'/0/0, BIP84's coin 0 on
	// every chain, as btcwallet's scope says), in the chain's encoding.
	FirstAddress string `json:"firstAddress"`
}

var fastScrypt sync.Once

// FromEntropy creates lnd's wallet for the entropy in a temporary directory, the way lnd
// does after InitWallet (lnd's btcwallet.New and Start: its key scopes and accounts), asks
// lnd's keychain for the node key and the wallet for its first p2wkh address, and removes
// the directory. No chain backend is involved: lnd's own NoChainSource stands in for it.
func FromEntropy(entropy [16]byte, chain Chain, birthday time.Time) (Node, error) {
	return FromEntropyIn("", entropy, chain, birthday)
}

// FromEntropyIn is FromEntropy with the temporary directory made under parent ("": the
// system's): a container with a read-only root file system has only its volume to write.
func FromEntropyIn(parent string, entropy [16]byte, chain Chain, birthday time.Time) (Node, error) {
	// Only this throw-away wallet is encrypted here (lnd makes the real one), with a random
	// 256-bit passphrase: scrypt's cost buys it nothing, and it is the bulk of the time.
	fastScrypt.Do(func() { waddrmgr.DefaultScryptOptions = waddrmgr.FastScryptOptions })

	dir, err := os.MkdirTemp(parent, ".bcm-lnd-identity-")
	if err != nil {
		return Node{}, err
	}
	defer os.RemoveAll(dir)
	// The wallet holds the seed's keys while it exists: encrypted with a random passphrase
	// that is never stored, so a copy left by a kill reveals nothing (256 bits: scrypt's
	// cost adds nothing to that).
	pass := make([]byte, 32)
	if _, err := rand.Read(pass); err != nil {
		return Node{}, err
	}
	throwAwayPass := []byte(hex.EncodeToString(pass))

	w, err := startWallet(dir, throwAwayPass, entropy, chain, birthday)
	if err != nil {
		return Node{}, err
	}
	defer closeWallet(w)

	key, err := keychain.NewBtcWalletKeyRing(w.InternalWallet(), chain.CoinType()).DeriveKey(
		keychain.KeyLocator{Family: keychain.KeyFamilyNodeKey, Index: 0},
	)
	if err != nil {
		return Node{}, fmt.Errorf("deriving the node key: %w", err)
	}
	addr, err := w.NewAddress(lnwallet.WitnessPubKey, false, lnwallet.DefaultAccountName)
	if err != nil {
		return Node{}, fmt.Errorf("deriving the first p2wkh address: %w", err)
	}
	return Node{
		PubKey:       hex.EncodeToString(key.PubKey.SerializeCompressed()),
		FirstAddress: addr.EncodeAddress(),
	}, nil
}

// startWallet creates and starts lnd's wallet for the entropy in dir, as lnd does after
// InitWallet (pass is both btcwallet passphrases, as lnd uses its wallet password).
func startWallet(dir string, pass []byte, entropy [16]byte, chain Chain, birthday time.Time) (*btcwallet.BtcWallet, error) {
	w, err := btcwallet.New(btcwallet.Config{
		PrivatePass:   pass,
		PublicPass:    pass,
		HdSeed:        entropy[:],
		Birthday:      birthday,
		NetParams:     chain.Params,
		CoinType:      chain.CoinType(),
		ChainSource:   &chainreg.NoChainSource{BestBlockTime: birthday},
		LoaderOptions: []btcwallet.LoaderOption{btcwallet.LoaderWithLocalWalletDB(dir, false, time.Minute)},
	}, nil)
	if err != nil {
		return nil, fmt.Errorf("creating lnd's wallet for the seed: %w", err)
	}
	if err := w.Start(); err != nil {
		return nil, fmt.Errorf("starting lnd's wallet for the seed: %w", err)
	}
	return w, nil
}

// closeWallet stops the wallet and closes its database (lnd's loader would unload it).
func closeWallet(w *btcwallet.BtcWallet) error {
	if err := w.Stop(); err != nil {
		return err
	}
	return w.InternalWallet().Database().Close()
}
