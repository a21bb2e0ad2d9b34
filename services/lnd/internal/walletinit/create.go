package walletinit

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"bcm/services/lnd/internal/seed"
	"github.com/lightningnetwork/lnd/lnrpc"
)

// create makes the wallet in a staging lnddir (LndDir/.bcm-wallet-init) with a one-shot lnd
// and InitWallet (with the recovery window), checks lnd's node key, waits for the recovery
// scan (lnd's password-file unlock has no recovery window, so the scan must happen here),
// stops lnd, checks the file again read-only, and moves the wallet into lnd's data
// directory; wallet.db comes last, by a hard link that fails if one exists, then the marker.
// Until that link, lnd's real data directory has no wallet.db, so a kill at any point leaves
// nothing a later start would take for a wallet: it removes the staging directory and begins
// again, and the same values make the same wallet. A kill between the link and the marker
// leaves a wallet without marker: the next start's finish step unlocks it with the window
// and the scan resumes.
func (c *Config) create(ctx context.Context) error {
	if err := os.RemoveAll(c.stagingDir()); err != nil {
		return fmt.Errorf("removing the unfinished %s: %w", c.stagingDir(), err)
	}
	if err := os.MkdirAll(c.stagingDir(), 0o700); err != nil {
		return err
	}
	s, state, err := c.startLocal(ctx, c.stagingDir(), "ready for a new wallet", notStarting)
	if err != nil {
		return err
	}
	defer s.stop()
	if state != lnrpc.WalletState_NON_EXISTING {
		return fmt.Errorf("lnd's state is %v in an empty data directory, not NON_EXISTING; fix: remove noseedbackup (and wallet-unlock-* options) from lnd's configuration: bcm-lnd-start creates and unlocks the wallet", state)
	}

	words, err := seed.Mnemonic(c.Secret.Entropy, c.Secret.Salt, c.Secret.Birthday)
	if err != nil {
		return err
	}
	c.Log.Printf("creating the wallet from the device's seed (birthday %s, recovery window %d)", c.Secret.Birthday.Format(time.DateOnly), c.RecoveryWindow)
	callCtx, cancel := context.WithTimeout(ctx, c.StepTimeout)
	defer cancel()
	_, err = lnrpc.NewWalletUnlockerClient(s.conn).InitWallet(callCtx, &lnrpc.InitWalletRequest{
		WalletPassword:     []byte(c.Secret.Password),
		CipherSeedMnemonic: seed.Words(words),
		RecoveryWindow:     c.RecoveryWindow,
		MacaroonRootKey:    c.Secret.MacaroonRootKey[:],
	})
	if err != nil {
		return fmt.Errorf("lnd's InitWallet: %w", err)
	}
	if err := s.waitFor(ctx, "active (RPC_ACTIVE) with the new wallet", lnrpc.WalletState_RPC_ACTIVE); err != nil {
		return err
	}
	if err := s.checkIdentity(ctx); err != nil {
		return err
	}
	if c.RecoveryWindow > 0 {
		if err := s.waitRecovery(ctx); err != nil {
			return err
		}
	}
	s.stop()

	staged := c.chainDirOf(c.stagingDir())
	if ok, err := exists(filepath.Join(staged, walletDBName)); err != nil {
		return err
	} else if !ok {
		return fmt.Errorf("lnd made no %s in %s; fix: use lnd's bolt database (db.backend=bolt, the default): bcm-lnd-start knows only its files", walletDBName, staged)
	}
	// The file about to be moved is checked the way every later start checks it.
	if err := c.checkExisting(filepath.Join(staged, walletDBName)); err != nil {
		return err
	}
	return c.commit(staged)
}

// commit moves the staged wallet into lnd's chain directory: the macaroon files and
// macaroons.db (bound to this wallet's password and root key) first, replacing leftovers of
// an unfinished commit, then wallet.db by a hard link (never over an existing file), then
// the staging directory goes. Each step is fsync'ed.
func (c *Config) commit(staged string) error {
	dst := c.chainDir()
	if err := os.MkdirAll(dst, 0o700); err != nil {
		return err
	}
	entries, err := os.ReadDir(staged)
	if err != nil {
		return err
	}
	for _, e := range entries {
		name := e.Name()
		if name == "macaroons.db" || filepath.Ext(name) == ".macaroon" {
			if err := os.Rename(filepath.Join(staged, name), filepath.Join(dst, name)); err != nil {
				return fmt.Errorf("moving %s into %s: %w", name, dst, err)
			}
		}
	}
	if err := syncDir(dst); err != nil {
		return err
	}
	if err := os.Link(filepath.Join(staged, walletDBName), filepath.Join(dst, walletDBName)); err != nil {
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("%s appeared while the wallet was being made; nothing was replaced; fix: run one lnd task per volume", filepath.Join(dst, walletDBName))
		}
		return fmt.Errorf("moving the wallet into %s: %w", dst, err)
	}
	if err := syncDir(dst); err != nil {
		return err
	}
	c.Log.Printf("the new wallet is in %s", dst)
	if err := c.writeMarker(); err != nil {
		return err
	}
	return os.RemoveAll(c.stagingDir())
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("syncing %s: %w", dir, err)
	}
	return nil
}
