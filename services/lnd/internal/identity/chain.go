// Package identity says which node and which first address lnd makes from a seed, with
// lnd's and btcwallet's own code, and reads the node key of an existing wallet.db without
// changing a byte of it.
package identity

import (
	"fmt"
	"path/filepath"

	"github.com/btcsuite/btcd/chaincfg"
)

// Chain is one of BCM's chains: regtest, signet, testnet (testnet3) or mainnet.
type Chain struct {
	// Name is BCM's name, also lnd's flag: --bitcoin.<Name>.
	Name   string
	Params *chaincfg.Params
	// Dir is lnd's directory name under data/chain/bitcoin/ (testnet3 is "testnet").
	Dir string
}

// CoinType is the BIP44 coin type of lnd's key families (m/1017'/coin'/...): 0 on
// mainnet, 1 on every test chain.
func (c Chain) CoinType() uint32 { return c.Params.HDCoinType }

// ChainDir is where lnd keeps the chain's wallet.db and macaroons under a data directory.
func (c Chain) ChainDir(dataDir string) string {
	return filepath.Join(dataDir, "chain", "bitcoin", c.Dir)
}

// Chains are the chains BCM runs, by name.
var Chains = map[string]Chain{
	"regtest": {"regtest", &chaincfg.RegressionNetParams, "regtest"},
	"signet":  {"signet", &chaincfg.SigNetParams, "signet"},
	"testnet": {"testnet", &chaincfg.TestNet3Params, "testnet"},
	"mainnet": {"mainnet", &chaincfg.MainNetParams, "mainnet"},
}

// ChainNames in a fixed order, for messages and vectors.
var ChainNames = []string{"regtest", "signet", "testnet", "mainnet"}

// ParseChain finds a chain by name.
func ParseChain(name string) (Chain, error) {
	c, ok := Chains[name]
	if !ok {
		return Chain{}, fmt.Errorf("unknown chain %q: use regtest, signet, testnet or mainnet", name)
	}
	return c, nil
}
