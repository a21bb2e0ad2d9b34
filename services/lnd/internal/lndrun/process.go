package lndrun

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"

	"github.com/lightningnetwork/lnd/lnrpc"
	"google.golang.org/grpc"
)

// Process is an lnd started as a child, its output on ours (the container's log).
type Process struct {
	cmd  *exec.Cmd
	done chan struct{}
	err  error
}

// Start runs lnd (the binary at path) with args; the environment is passed on as it is.
func Start(path string, args []string) (*Process, error) {
	cmd := exec.Command(path, args...)
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", path, err)
	}
	p := &Process{cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// Exited is closed when lnd has exited.
func (p *Process) Exited() <-chan struct{} { return p.done }

// ExitErr says how lnd ended (after Exited is closed).
func (p *Process) ExitErr() error {
	if p.err == nil {
		return errors.New("lnd exited with status 0")
	}
	return fmt.Errorf("lnd exited: %v", p.err)
}

// Stop asks lnd to shut down (SIGTERM, which lnd handles like `lncli stop`) and waits for it;
// after timeout it is killed. A killed lnd leaves its bolt databases as they were after the
// last committed transaction.
func (p *Process) Stop(timeout time.Duration) error {
	select {
	case <-p.done:
		return nil
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		return nil
	case <-time.After(timeout):
		_ = p.cmd.Process.Kill()
		<-p.done
		return fmt.Errorf("lnd did not stop within %s of SIGTERM and was killed", timeout)
	}
}

// WaitState polls lnd's State service (it answers without a macaroon from the start) until
// ok(state) holds, lnd exits, or ctx ends. Connection errors are retried: lnd opens its RPC
// port a moment after it starts.
func WaitState(ctx context.Context, conn *grpc.ClientConn, p *Process, what string, ok func(lnrpc.WalletState) bool) (lnrpc.WalletState, error) {
	client := lnrpc.NewStateClient(conn)
	var last error
	for {
		callCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
		resp, err := client.GetState(callCtx, &lnrpc.GetStateRequest{})
		cancel()
		if err == nil && ok(resp.State) {
			return resp.State, nil
		}
		if err != nil {
			last = err
		}
		select {
		case <-p.Exited():
			return 0, fmt.Errorf("waiting for lnd to be %s: %w (its log above says why)", what, p.ExitErr())
		case <-ctx.Done():
			if last != nil {
				return 0, fmt.Errorf("lnd was not %s in time (last error: %v)", what, last)
			}
			return 0, fmt.Errorf("lnd was not %s in time (state %v)", what, resp.GetState())
		case <-time.After(300 * time.Millisecond):
		}
	}
}

// AtLeast is a WaitState condition: the state is want or later (WAITING_TO_START, a
// follower in a cluster, is not).
func AtLeast(want lnrpc.WalletState) func(lnrpc.WalletState) bool {
	return func(s lnrpc.WalletState) bool {
		return s != lnrpc.WalletState_WAITING_TO_START && s >= want
	}
}
