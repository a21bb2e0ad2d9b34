package walletinit

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Prepare does everything before lnd is exec'ed, and returns lnd's final arguments:
//
//  1. the wallet secret file must make the expected node (else nothing is touched);
//  2. no wallet.db: create it (staging lnddir, InitWallet on 127.0.0.1, node key check,
//     recovery scan, move into place, marker);
//  3. wallet.db: it must be the expected node's, read read-only; a wallet of another seed
//     stops here with a one-line error, and the file stays as it was;
//  4. no marker (bcm-wallet.json) yet: the first start's unlock with the recovery window
//     and its scan, then the marker;
//  5. lnd's final arguments, with --wallet-unlock-password-file: lnd unlocks itself at
//     every start from then on.
func Prepare(ctx context.Context, c *Config) ([]string, error) {
	unlock, err := c.lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	// A throw-away identity wallet left by a kill (see checkSecret) goes.
	if err := removeLeftovers(c.LndDir, ".bcm-lnd-identity-"); err != nil {
		return nil, err
	}
	if err := c.checkPasswordFile(); err != nil {
		return nil, err
	}
	if err := c.checkSecret(); err != nil {
		return nil, err
	}
	have, err := exists(c.walletDB())
	if err != nil {
		return nil, err
	}
	if !have {
		c.Log.Printf("no wallet in %s: creating it", c.chainDir())
		if err := c.create(ctx); err != nil {
			return nil, err
		}
	} else if err := os.RemoveAll(c.stagingDir()); err != nil {
		// A staging directory beside a wallet in place is a leftover of a commit killed
		// after its last step.
		return nil, err
	}
	if err := c.checkExisting(c.walletDB()); err != nil {
		return nil, err
	}
	c.Log.Printf("the wallet in %s is node %s", c.chainDir(), c.ExpectedPubKey)
	done, err := exists(c.marker())
	if err != nil {
		return nil, err
	}
	if !done {
		if err := c.finish(ctx); err != nil {
			return nil, err
		}
	}
	return c.FinalArgs(), nil
}

// checkPasswordFile: lnd reads the password file whole and drops trailing CR/LF; it must
// then be the secret file's password, or lnd would fail to unlock at every start.
func (c *Config) checkPasswordFile() error {
	data, err := os.ReadFile(c.PasswordFile)
	if err != nil {
		return fmt.Errorf("the password file: %w; fix: mount the wallet password secret at %s", err, c.PasswordFile)
	}
	for len(data) > 0 && (data[len(data)-1] == '\n' || data[len(data)-1] == '\r') {
		data = data[:len(data)-1]
	}
	if string(data) != c.Secret.Password {
		return fmt.Errorf("the password file %s does not hold the wallet secret file's password; fix: make both secrets from the same derivation (redeploy)", c.PasswordFile)
	}
	return nil
}

// removeLeftovers removes dir's entries whose names start with prefix.
func removeLeftovers(dir, prefix string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), prefix) {
			if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}
