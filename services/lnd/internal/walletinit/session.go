package walletinit

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"bcm/services/lnd/internal/lndrun"
	"github.com/lightningnetwork/lnd/lnrpc"
	"google.golang.org/grpc"
)

// session is a one-shot lnd: started with gRPC on 127.0.0.1 only, for one step.
type session struct {
	c    *Config
	proc *lndrun.Process
	conn *grpc.ClientConn
	// dir is the session's lnddir: the real one, or the staging one.
	dir string
}

// startLocal starts lnd in lndDir with gRPC on 127.0.0.1 only and waits until it answers
// with a state that ok accepts.
func (c *Config) startLocal(ctx context.Context, lndDir, what string, ok func(lnrpc.WalletState) bool) (*session, lnrpc.WalletState, error) {
	c.Log.Printf("starting lnd in %s with gRPC on %s only (no REST, no P2P): %s", lndDir, c.initAddr(), what)
	proc, err := lndrun.Start(c.Lnd, c.localArgs(lndDir))
	if err != nil {
		return nil, 0, err
	}
	s := &session{c: c, proc: proc, dir: lndDir}
	cert := filepath.Join(lndDir, "tls.cert")
	// lnd writes tls.cert before it opens its RPC port; a certificate from an earlier start
	// may be replaced, so the connection is made again until the state answers.
	deadline := time.Now().Add(c.StepTimeout)
	for {
		select {
		case <-proc.Exited():
			return nil, 0, fmt.Errorf("lnd exited before its RPC answered: %w (its log above says why)", proc.ExitErr())
		default:
		}
		if ctx.Err() != nil {
			s.stop()
			return nil, 0, errors.New("stopped while lnd was starting; the next start begins again")
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, 0, fmt.Errorf("lnd's RPC on %s did not answer within %s", c.initAddr(), c.StepTimeout)
		}
		conn, err := lndrun.Dial(c.initAddr(), cert, "")
		if err == nil {
			waitCtx, cancel := context.WithTimeout(ctx, 3*time.Second)
			state, werr := lndrun.WaitState(waitCtx, conn, proc, what, ok)
			cancel()
			if werr == nil {
				s.conn = conn
				return s, state, nil
			}
			conn.Close()
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// notStarting: lnd has looked for its wallet (WAITING_TO_START comes before that).
func notStarting(s lnrpc.WalletState) bool { return s != lnrpc.WalletState_WAITING_TO_START }

// waitFor waits for a later state (e.g. RPC_ACTIVE after the wallet is unlocked).
func (s *session) waitFor(ctx context.Context, what string, want lnrpc.WalletState) error {
	ctx, cancel := context.WithTimeout(ctx, s.c.StepTimeout)
	defer cancel()
	_, err := lndrun.WaitState(ctx, s.conn, s.proc, what, lndrun.AtLeast(want))
	return err
}

// macaroonConn is a connection with the readonly macaroon lnd wrote for the wallet
// (GetInfo and GetRecoveryInfo need info:read, nothing more).
func (s *session) macaroonConn() (*grpc.ClientConn, error) {
	mac := filepath.Join(s.c.chainDirOf(s.dir), "readonly.macaroon")
	return lndrun.Dial(s.c.initAddr(), filepath.Join(s.dir, "tls.cert"), mac)
}

// checkIdentity asks the running lnd for its node key: the one the controller expects.
func (s *session) checkIdentity(ctx context.Context) error {
	conn, err := s.macaroonConn()
	if err != nil {
		return err
	}
	defer conn.Close()
	callCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	info, err := lnrpc.NewLightningClient(conn).GetInfo(callCtx, &lnrpc.GetInfoRequest{})
	if err != nil {
		return fmt.Errorf("lnd's GetInfo: %w", err)
	}
	if info.IdentityPubkey != s.c.ExpectedPubKey {
		return s.c.anotherSeed("lnd says its node is " + info.IdentityPubkey)
	}
	s.c.Log.Printf("lnd's node is %s, as expected", info.IdentityPubkey)
	return nil
}

// stop ends the one-shot lnd (SIGTERM, then a kill after a minute).
func (s *session) stop() {
	if s.conn != nil {
		s.conn.Close()
	}
	if err := s.proc.Stop(time.Minute); err != nil {
		s.c.Log.Printf("warning: %v", err)
	}
}
