package walletinit

import (
	"errors"
	"fmt"

	"bcm/services/lnd/internal/identity"
)

// checkSecret: the wallet secret file must make the node the controller expects, before
// anything is created or opened. A mismatch means the secret file and the pubkey come from
// different devices, clusters or chains.
func (c *Config) checkSecret() error {
	// The throw-away wallet goes on the volume: the container's root may be read-only.
	node, err := identity.FromEntropyIn(c.LndDir, c.Secret.Entropy, c.Chain, c.Secret.Birthday)
	if err != nil {
		return err
	}
	if node.PubKey != c.ExpectedPubKey {
		return fmt.Errorf("the wallet secret file makes node %s on %s, but --expect-node-pubkey is %s; fix: give bcm-lnd-start the secret file and pubkey computed together by the controller for this cluster and chain (redeploy)",
			node.PubKey, c.Chain.Name, c.ExpectedPubKey)
	}
	return nil
}

// anotherSeed is the one-line error for a wallet on the volume that is not the device's.
func (c *Config) anotherSeed(what string) error {
	return fmt.Errorf("the wallet on this volume belongs to another seed (%s, expected node %s); fix: deploy with the Trezor (and passphrase) that made it, or move %s away (it holds that node's keys and channel state: keep it if it has funds) and start again to create this device's wallet; nothing was changed",
		what, c.ExpectedPubKey, c.chainDir())
}

// checkExisting reads the node key of wallet.db read-only (not a byte changes) and compares
// it with the expected one.
func (c *Config) checkExisting(walletDB string) error {
	pub, err := identity.ExistingNodeKey(walletDB, []byte(c.Secret.Password), c.Chain)
	switch {
	case errors.Is(err, identity.ErrWrongPassword):
		return c.anotherSeed("it does not open with the password derived from this device")
	case errors.Is(err, identity.ErrLocked):
		return fmt.Errorf("%s is open in another process; fix: stop the other lnd using this volume (only one lnd task may run on it)", walletDB)
	case err != nil:
		return fmt.Errorf("reading the node key of %s: %v; fix: check that the volume holds lnd's wallet for %s, or move %s away if it holds no funds", walletDB, err, c.Chain.Name, c.chainDir())
	case pub != c.ExpectedPubKey:
		return c.anotherSeed("its node is " + pub)
	}
	return nil
}
