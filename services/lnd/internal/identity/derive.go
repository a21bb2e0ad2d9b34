package identity

import (
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

// The throw-away wallet's passphrase: it is deleted right after, and its encryption does not
// change a single key.
var throwAwayPass = []byte("bcm-identity-throw-away")

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
	// Only this throw-away wallet is encrypted here (lnd makes the real one): scrypt's
	// cost buys it nothing, and it is the bulk of the time.
	fastScrypt.Do(func() { waddrmgr.DefaultScryptOptions = waddrmgr.FastScryptOptions })

	dir, err := os.MkdirTemp(parent, ".bcm-lnd-identity-")
	if err != nil {
		return Node{}, err
	}
	defer os.RemoveAll(dir)

	w, err := btcwallet.New(btcwallet.Config{
		PrivatePass:   throwAwayPass,
		PublicPass:    throwAwayPass,
		HdSeed:        entropy[:],
		Birthday:      birthday,
		NetParams:     chain.Params,
		CoinType:      chain.CoinType(),
		ChainSource:   &chainreg.NoChainSource{BestBlockTime: birthday},
		LoaderOptions: []btcwallet.LoaderOption{btcwallet.LoaderWithLocalWalletDB(dir, false, time.Minute)},
	}, nil)
	if err != nil {
		return Node{}, fmt.Errorf("creating lnd's wallet for the seed: %w", err)
	}
	if err := w.Start(); err != nil {
		return Node{}, fmt.Errorf("starting lnd's wallet for the seed: %w", err)
	}
	defer w.Stop()

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
