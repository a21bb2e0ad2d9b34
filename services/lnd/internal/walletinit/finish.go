package walletinit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/lightningnetwork/lnd/lnrpc"
)

// marker is the content of bcm-wallet.json: the first start's recovery scan is done.
type marker struct {
	NodePubkey     string    `json:"nodePubkey"`
	RecoveryWindow int32     `json:"recoveryWindow"`
	Finished       time.Time `json:"finished"`
}

// finish completes the first start of a wallet in place that has no marker (a kill between
// create's link and its marker): lnd unlocks it over its local RPC with the recovery window
// (lnd's password-file unlock has none), it must be the expected node, and the recovery scan
// finishes, so that a redeploy from the same device finds the funds of earlier addresses.
// Then bcm-wallet.json records it. A kill before that repeats this step at the next start,
// and lnd resumes the scan where it stopped (lnd's docs/recovery.md: unlock again with the
// window).
func (c *Config) finish(ctx context.Context) error {
	s, state, err := c.startLocal(ctx, c.LndDir, "waiting for the wallet's password", notStarting)
	if err != nil {
		return err
	}
	defer s.stop()
	if state != lnrpc.WalletState_LOCKED {
		return fmt.Errorf("lnd's state is %v with a wallet in place, not LOCKED; fix: remove noseedbackup and wallet-unlock-* options from lnd's configuration: bcm-lnd-start unlocks the wallet", state)
	}
	c.Log.Printf("unlocking the wallet for its first start (recovery window %d)", c.RecoveryWindow)
	callCtx, cancel := context.WithTimeout(ctx, c.StepTimeout)
	defer cancel()
	_, err = lnrpc.NewWalletUnlockerClient(s.conn).UnlockWallet(callCtx, &lnrpc.UnlockWalletRequest{
		WalletPassword: []byte(c.Secret.Password),
		RecoveryWindow: c.RecoveryWindow,
	})
	if err != nil {
		return fmt.Errorf("lnd's UnlockWallet: %w", err)
	}
	if err := s.waitFor(ctx, "active (RPC_ACTIVE)", lnrpc.WalletState_RPC_ACTIVE); err != nil {
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
	return c.writeMarker()
}

// writeMarker records that the wallet's first start (and its recovery scan) is done.
func (c *Config) writeMarker() error {
	return writeJSONAtomic(c.marker(), marker{NodePubkey: c.ExpectedPubKey, RecoveryWindow: c.RecoveryWindow, Finished: time.Now().UTC()})
}

// waitRecovery polls GetRecoveryInfo until lnd says the scan finished (it needs the chain
// backend synced), logging the progress every half minute.
func (s *session) waitRecovery(ctx context.Context) error {
	conn, err := s.macaroonConn()
	if err != nil {
		return err
	}
	defer conn.Close()
	if s.c.RecoveryTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.c.RecoveryTimeout)
		defer cancel()
	}
	client := lnrpc.NewLightningClient(conn)
	var lastLog time.Time
	for {
		callCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
		info, err := client.GetRecoveryInfo(callCtx, &lnrpc.GetRecoveryInfoRequest{})
		cancel()
		switch {
		case err != nil:
			s.c.Log.Printf("lnd's GetRecoveryInfo: %v (retrying)", err)
		case !info.RecoveryMode || info.RecoveryFinished:
			s.c.Log.Printf("the wallet's recovery scan is finished")
			return nil
		case time.Since(lastLog) > 30*time.Second:
			s.c.Log.Printf("the wallet's recovery scan is at %.1f%% (it needs the chain backend synced)", 100*info.Progress)
			lastLog = time.Now()
		}
		select {
		case <-s.proc.Exited():
			return fmt.Errorf("during the recovery scan: %w (its log above says why)", s.proc.ExitErr())
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return fmt.Errorf("the wallet's recovery scan did not finish within %s; fix: let the chain backend sync, or raise --recovery-timeout; the next start resumes the scan", s.c.RecoveryTimeout)
			}
			return errors.New("stopped during the wallet's recovery scan; the next start resumes it")
		case <-time.After(time.Second):
		}
	}
}

// writeJSONAtomic writes v to path by a temporary file, fsync and rename.
func writeJSONAtomic(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}
