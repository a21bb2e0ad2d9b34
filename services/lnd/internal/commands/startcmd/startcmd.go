// Package startcmd is bcm-lnd-start: it is the lnd container's entrypoint: it creates lnd's wallet from the
// device-derived values (once), checks that the wallet on the volume is the device's, and
// execs lnd, which then unlocks itself from a password file at every start.
// See services/lnd/README.md.
package startcmd

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log"
	"os"
	"os/exec"
	"os/signal"
	"regexp"
	"syscall"
	"time"

	"bcm/services/lnd/internal/cli"
	"bcm/services/lnd/internal/derive"
	"bcm/services/lnd/internal/identity"
	"bcm/services/lnd/internal/walletinit"
	"github.com/btcsuite/btcd/btcec/v2"
)

const name = "bcm-lnd-start"

const usage = `Usage: bcm-lnd-start --chain CHAIN --expect-node-pubkey HEX [flags] -- [lnd arguments]

The entrypoint of BCM's lnd container. Before lnd runs for good it
  1. checks that the wallet secret file makes the node --expect-node-pubkey names;
  2. when lnd's data directory has no wallet.db, creates the wallet: lnd runs with its gRPC on
     127.0.0.1 only (no REST, no P2P), and InitWallet gets the 24 aezeed words made from the
     secret's entropy, salt and birthday, its password and its macaroon root key;
  3. checks (read-only) that wallet.db is that node's; another seed's wallet stops here with
     a one-line error, and nothing is changed;
  4. on a wallet's first start, unlocks it over the local gRPC with --recovery-window and
     waits for the recovery scan (marker: data/chain/bitcoin/CHAIN/bcm-wallet.json);
  5. execs lnd with the arguments after "--", plus --lnddir, --bitcoin.CHAIN, --datadir and
     --wallet-unlock-password-file=PASSWORD-FILE.

The wallet secret file is JSON (lowercase hex):
  {"entropy":"<32 hex>","salt":"<10 hex>","birthday":"YYYY-MM-DD",
   "password":"<64 hex>","macaroonRootKey":"<64 hex>"}
The password file holds the same password alone (a trailing newline is allowed).
Secrets are read only from these files, never from arguments or the environment.
`

// Main runs the command with its arguments (os.Args[1:]).
func Main(args []string) {
	fs := cli.NewFlagSet(name, usage)
	lndDir := fs.String("lnddir", "/var/lib/lnd", "lnd's directory (the volume); passed to lnd as --lnddir")
	chainName := fs.String("chain", "", "the chain: regtest, signet, testnet or mainnet (passed to lnd as --bitcoin.CHAIN)")
	secretFile := fs.String("wallet-secret", "/run/secrets/lnd-wallet.json", "the wallet secret file (JSON, see above)")
	passwordFile := fs.String("password-file", "/run/secrets/lnd-wallet-password", "the wallet password alone, for lnd's --wallet-unlock-password-file")
	expect := fs.String("expect-node-pubkey", "", "the node identity pubkey the controller computed (66 hex digits)")
	recovery := fs.Int("recovery-window", 2500, "lnd's address look-ahead for the first start's recovery scan; 0: no scan")
	port := fs.Int("init-rpc-port", 10009, "the port of lnd's gRPC on 127.0.0.1 during the one-shot steps")
	lnd := fs.String("lnd", "lnd", "the lnd binary")
	stepTimeout := fs.Duration("step-timeout", 10*time.Minute, "the longest wait for lnd to start or become active in a one-shot step")
	recoveryTimeout := fs.Duration("recovery-timeout", 0, "the longest wait for the recovery scan (0: until it finishes)")
	fs.Parse(args)

	logger := log.New(os.Stderr, "["+name+"] ", log.LstdFlags|log.LUTC)
	cfg, err := config(fs, *lndDir, *chainName, *secretFile, *passwordFile, *expect, *recovery, *port, *lnd)
	if err != nil {
		cli.Fatal(name, err)
	}
	cfg.StepTimeout, cfg.RecoveryTimeout, cfg.Log = *stepTimeout, *recoveryTimeout, logger

	// SIGTERM during a one-shot step (docker stop) ends it: the child lnd is stopped by the
	// step's deferred stop, and the next start converges.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	lndArgs, err := walletinit.Prepare(ctx, cfg)
	stop()
	if err != nil {
		cli.Fatal(name, err)
	}
	logger.Printf("starting lnd")
	argv := append([]string{cfg.Lnd}, lndArgs...)
	if err := syscall.Exec(cfg.Lnd, argv, os.Environ()); err != nil {
		cli.Fatal(name, fmt.Errorf("exec %s: %w", cfg.Lnd, err))
	}
}

var hexKey = regexp.MustCompile(`^0[23][0-9a-f]{64}$`)

func config(fs *cli.FlagSet, lndDir, chainName, secretFile, passwordFile, expect string, recovery, port int, lnd string) (*walletinit.Config, error) {
	if chainName == "" {
		return nil, errors.New("--chain is required: regtest, signet, testnet or mainnet")
	}
	chain, err := identity.ParseChain(chainName)
	if err != nil {
		return nil, err
	}
	if !hexKey.MatchString(expect) {
		return nil, errors.New("--expect-node-pubkey must be the node's compressed public key, 66 lowercase hex digits (the controller prints it: bcm lightning identity)")
	}
	raw, _ := hex.DecodeString(expect)
	if _, err := btcec.ParsePubKey(raw); err != nil {
		return nil, fmt.Errorf("--expect-node-pubkey is not a point on secp256k1: %v", err)
	}
	if recovery < 0 || recovery > 1<<20 {
		return nil, errors.New("--recovery-window must be between 0 and 1048576")
	}
	if port < 1 || port > 65535 {
		return nil, errors.New("--init-rpc-port must be a TCP port")
	}
	path, err := exec.LookPath(lnd)
	if err != nil {
		return nil, fmt.Errorf("the lnd binary %q: %w; fix: put lnd on PATH or give --lnd", lnd, err)
	}
	data, err := os.ReadFile(secretFile)
	if err != nil {
		return nil, fmt.Errorf("the wallet secret file: %w; fix: mount it at %s or give --wallet-secret", err, secretFile)
	}
	secret, err := derive.ParseWalletSecret(data)
	if err != nil {
		return nil, fmt.Errorf("the wallet secret file %s: %w", secretFile, err)
	}
	return &walletinit.Config{
		Lnd:            path,
		LndDir:         lndDir,
		Chain:          chain,
		Secret:         secret,
		PasswordFile:   passwordFile,
		ExpectedPubKey: expect,
		RecoveryWindow: int32(recovery),
		InitRPCPort:    port,
		LndArgs:        fs.Args(),
	}, nil
}
