package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/ssh"
)

// remoteRunner runs a command in an SSH session on the connection's host.
type remoteRunner struct {
	conn connection
}

func (r remoteRunner) run(ctx context.Context, req runRequest) (runResult, error) {
	client, err := r.conn.dial(ctx, req.sink)
	if err != nil {
		return runResult{}, err
	}
	defer client.Close()
	session, err := client.NewSession()
	if err != nil {
		return runResult{}, fmt.Errorf("opening SSH session on %s: %w", r.conn.address(), err)
	}
	defer session.Close()

	// Setenv only works for names the server's AcceptEnv allows (by default
	// almost none); the rest is exported by the shell before the command, as
	// upstream falls back to. Values are single-quoted so no expansion occurs.
	var exports strings.Builder
	for _, k := range sortedKeys(req.env) {
		if err := session.Setenv(k, req.env[k]); err != nil {
			fmt.Fprintf(&exports, "export %s=%s; ", k, shellQuote(req.env[k]))
		}
	}
	if req.stdin != nil {
		session.Stdin = strings.NewReader(*req.stdin)
	}
	logOut, logErr := streams(req.logging)
	stdout, stderr := newCapture(req.sink, logOut), newCapture(req.sink, logErr)
	session.Stdout, session.Stderr = stdout, stderr

	// Cancellation (pulumi cancel, timeouts) ends the remote process: signal
	// it, then close the session so Run returns even if the server ignores
	// signals.
	stop := context.AfterFunc(ctx, func() {
		_ = session.Signal(ssh.SIGKILL)
		_ = session.Close()
	})
	defer stop()

	err = session.Run(exports.String() + req.command)
	res := runResult{stdout: stdout.text(), stderr: stderr.text()}
	where := "remote " + r.conn.address()
	var exit *ssh.ExitError
	var missing *ssh.ExitMissingError
	switch {
	case err == nil:
		return res, nil
	case ctx.Err() != nil:
		return res, fmt.Errorf("%s command interrupted: %w", where, ctx.Err())
	case errors.As(err, &exit):
		return res, &exitError{where: where, code: exit.ExitStatus(), signal: exit.Signal(), stdout: res.stdout, stderr: res.stderr}
	case errors.As(err, &missing):
		return res, fmt.Errorf("%s command ended without an exit status (connection lost?)", where)
	}
	return res, fmt.Errorf("%s command: %w", where, err)
}

// shellQuote quotes a value for POSIX shells. Inside single quotes nothing
// is special except the single quote itself, which is written by closing the
// quotes, adding an escaped quote and reopening them.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
