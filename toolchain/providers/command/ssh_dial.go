package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"
)

// Backoff between dial attempts: hosts that are still booting (the common
// case right after a VM is created) get time to start sshd.
var (
	dialBackoffStart = 500 * time.Millisecond
	dialBackoffMax   = 10 * time.Second
)

// sshClient is a connected client plus whatever must be closed with it (the
// bastion connection when a proxy is used).
type sshClient struct {
	*ssh.Client
	via *sshClient
}

func (c *sshClient) Close() {
	_ = c.Client.Close()
	if c.via != nil {
		c.via.Close()
	}
}

// dial connects to the host, through the proxy when one is set, retrying
// failed attempts up to dialErrorLimit times (-1: until ctx ends).
func (c connection) dial(ctx context.Context, sink *logSink) (*sshClient, error) {
	var via *sshClient
	if c.proxy != nil {
		var err error
		if via, err = c.proxy.dial(ctx, sink); err != nil {
			return nil, fmt.Errorf("proxy %s: %w", c.proxy.address(), err)
		}
	}
	// Bad keys are configuration errors: they fail at once, not per attempt.
	config, closeAgent, err := c.clientConfig()
	if err != nil {
		if via != nil {
			via.Close()
		}
		return nil, err
	}
	defer closeAgent() // agent signers are only used during handshakes

	backoff := dialBackoffStart
	for attempt := 1; ; attempt++ {
		client, err := c.dialOnce(ctx, via, config)
		if err == nil {
			return &sshClient{Client: client, via: via}, nil
		}
		last := c.dialErrorLimit != -1 && attempt >= max(c.dialErrorLimit, 1)
		if last || ctx.Err() != nil || !retryable(err) {
			if via != nil {
				via.Close()
			}
			return nil, fmt.Errorf("dialing %s@%s (attempt %d): %w", c.user, c.address(), attempt, err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(backoff):
		}
		backoff = min(backoff*3/2, dialBackoffMax)
	}
}

// retryable is false for failures that another attempt cannot fix (a host
// key that does not match, or none pinned). Failed
// authentication is retried on purpose: cloud-init may still be installing
// the authorized key when the first attempts arrive.
func retryable(err error) bool {
	return !strings.Contains(err.Error(), "host key mismatch") && !strings.Contains(err.Error(), errNoHostKey)
}

func (c connection) clientConfig() (*ssh.ClientConfig, func(), error) {
	hostKeyCallback, algos, err := c.hostKeyCallback()
	if err != nil {
		return nil, nil, err
	}
	auth, closeAgent, err := c.authMethods()
	if err != nil {
		return nil, nil, err
	}
	return &ssh.ClientConfig{
		User:              c.user,
		Auth:              auth,
		HostKeyCallback:   hostKeyCallback,
		HostKeyAlgorithms: algos,
	}, closeAgent, nil
}

func (c connection) dialOnce(ctx context.Context, via *sshClient, config *ssh.ClientConfig) (*ssh.Client, error) {
	var err error
	timeout := time.Duration(c.perDialTimeout) * time.Second
	dialCtx := ctx
	if timeout > 0 {
		var cancel context.CancelFunc
		dialCtx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	var conn net.Conn
	if via != nil {
		conn, err = via.DialContext(dialCtx, "tcp", c.address())
	} else {
		conn, err = (&net.Dialer{}).DialContext(dialCtx, "tcp", c.address())
	}
	if err != nil {
		return nil, err
	}
	// perDialTimeout bounds the SSH handshake too, not only the TCP connect:
	// closing the connection is the one way to abort a stuck handshake.
	stop := context.AfterFunc(dialCtx, func() { _ = conn.Close() })
	sc, chans, reqs, err := ssh.NewClientConn(conn, c.address(), config)
	if !stop() {
		if err == nil {
			_ = sc.Close()
		}
		return nil, errors.Join(errors.New("ssh handshake timed out"), dialCtx.Err())
	}
	if err != nil {
		_ = conn.Close()
		return nil, err
	}
	return ssh.NewClient(sc, chans, reqs), nil
}
