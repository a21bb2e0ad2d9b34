// Package walletinit is bcm-lnd-start's work before it execs lnd: it creates lnd's wallet
// from the device-derived values while lnd's RPC answers only on 127.0.0.1, lets a recovery
// scan finish, and checks that the wallet on the volume is the device's. See
// services/lnd/README.md ("bcm-lnd-start") for the steps and why each survives a kill.
package walletinit

import (
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"bcm/services/lnd/internal/derive"
	"bcm/services/lnd/internal/identity"
)

// Config is what bcm-lnd-start was told.
type Config struct {
	// Lnd is the lnd binary.
	Lnd string
	// LndDir is lnd's --lnddir (the volume); bcm-lnd-start passes it to lnd.
	LndDir string
	Chain  identity.Chain
	// Secret are the derived values from the wallet secret file.
	Secret derive.WalletSecret
	// PasswordFile holds the wallet password alone, for lnd's wallet-unlock-password-file.
	PasswordFile string
	// ExpectedPubKey is the node identity key the controller computed (hex, compressed).
	ExpectedPubKey string
	// RecoveryWindow is lnd's address look-ahead for the first start's scan (0: no scan).
	RecoveryWindow int32
	// InitRPCPort is the port of lnd's gRPC on 127.0.0.1 during the one-shot steps.
	InitRPCPort int
	// LndArgs are the user's arguments for lnd (e.g. --configfile=...).
	LndArgs []string
	// StepTimeout bounds each wait of a one-shot step (lnd starting, RPC becoming active).
	StepTimeout time.Duration
	// RecoveryTimeout bounds the wait for the recovery scan (0: no bound).
	RecoveryTimeout time.Duration
	Log             *log.Logger
}

// chainDirOf is where lnd keeps the chain's wallet.db and macaroons for an lnddir: lnd
// derives every directory from a non-default --lnddir (its datadir is then lnddir/data).
func (c *Config) chainDirOf(lndDir string) string {
	return c.Chain.ChainDir(filepath.Join(lndDir, "data"))
}

func (c *Config) chainDir() string   { return c.chainDirOf(c.LndDir) }
func (c *Config) walletDB() string   { return filepath.Join(c.chainDir(), walletDBName) }
func (c *Config) marker() string     { return filepath.Join(c.chainDir(), markerName) }
func (c *Config) stagingDir() string { return filepath.Join(c.LndDir, stagingName) }
func (c *Config) initAddr() string   { return "127.0.0.1:" + strconv.Itoa(c.InitRPCPort) }

const (
	walletDBName = "wallet.db"
	// markerName records that the first start's recovery scan finished (bcm-lnd-start's
	// own file, beside wallet.db).
	markerName = "bcm-wallet.json"
	// stagingName is the lnddir (inside the real one) where a new wallet is made before it
	// is moved into place.
	stagingName = ".bcm-wallet-init"
	lockName    = ".bcm-lnd-start.lock"
)

// chainFlag is lnd's flag for the chain: bcm-lnd-start passes it so that lnd and we agree
// (lnd refuses two chains).
func (c *Config) chainFlag() string { return "--bitcoin." + c.Chain.Name }

// localArgs are lnd's arguments for a one-shot step: the user's, then ours, which win
// (lnd reads the command line after its config file): gRPC on 127.0.0.1 only, no REST, no
// P2P listening, no peer bootstrap; lndDir is the real one or the staging one.
func (c *Config) localArgs(lndDir string) []string {
	return append(append([]string(nil), c.LndArgs...),
		"--lnddir="+lndDir,
		c.chainFlag(),
		"--rpclisten="+c.initAddr(),
		"--norest",
		"--nolisten",
		"--nobootstrap",
	)
}

// FinalArgs are lnd's arguments for good: the user's, then the lnddir, the chain and the
// password file lnd unlocks the wallet with at every start.
func (c *Config) FinalArgs() []string {
	return append(append([]string(nil), c.LndArgs...),
		"--lnddir="+c.LndDir,
		c.chainFlag(),
		"--wallet-unlock-password-file="+c.PasswordFile,
	)
}

func exists(path string) (bool, error) {
	_, err := os.Lstat(path)
	if err == nil {
		return true, nil
	}
	if os.IsNotExist(err) {
		return false, nil
	}
	return false, fmt.Errorf("checking %s: %w", path, err)
}
