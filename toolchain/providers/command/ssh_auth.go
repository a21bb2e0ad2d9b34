package main

import (
	"bytes"
	"errors"
	"fmt"
	"net"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// errNoHostKey starts the error of a connection without a pinned host key.
const errNoHostKey = "no hostKey set: refusing to connect"

// authMethods builds the SSH auth methods in upstream's order of preference:
// private key, then password (also answering keyboard-interactive prompts,
// which many servers use for passwords), then the SSH agent. The returned
// closer releases the agent socket.
func (c connection) authMethods() ([]ssh.AuthMethod, func(), error) {
	var methods []ssh.AuthMethod
	closer := func() {}

	if c.privateKey != nil && *c.privateKey != "" {
		signer, err := parsePrivateKey(*c.privateKey, c.privateKeyPassword)
		if err != nil {
			return nil, closer, err
		}
		methods = append(methods, ssh.PublicKeys(signer))
	}
	if c.password != nil && *c.password != "" {
		pw := *c.password
		methods = append(methods, ssh.Password(pw),
			ssh.KeyboardInteractive(func(_, _ string, questions []string, _ []bool) ([]string, error) {
				answers := make([]string, len(questions))
				for i := range answers {
					answers[i] = pw
				}
				return answers, nil
			}))
	}
	if sock, explicit := c.agentSocket(); sock != "" {
		conn, err := net.Dial("unix", sock)
		switch {
		case err == nil:
			methods = append(methods, ssh.PublicKeysCallback(agent.NewClient(conn).Signers))
			closer = func() { _ = conn.Close() }
		case explicit:
			return nil, closer, fmt.Errorf("connecting to SSH agent at %q: %w", sock, err)
		}
	}
	return methods, closer, nil
}

func parsePrivateKey(pem string, passphrase *string) (ssh.Signer, error) {
	signer, err := ssh.ParsePrivateKey([]byte(pem))
	var missing *ssh.PassphraseMissingError
	if errors.As(err, &missing) {
		if passphrase == nil {
			return nil, errors.New("privateKey is encrypted: set privateKeyPassword")
		}
		signer, err = ssh.ParsePrivateKeyWithPassphrase([]byte(pem), []byte(*passphrase))
	}
	if err != nil {
		return nil, fmt.Errorf("parsing privateKey: %w", err)
	}
	return signer, nil
}

// hostKeyCallback pins the server key. The key may be given in
// authorized_keys form ("ssh-ed25519 AAAA... comment") or as a known_hosts
// line. Unlike upstream, a connection without hostKey is never made: the
// handshake stops at the host key, and the error names the key the host
// offered, so it can be checked out of band and pinned.
// The algorithms list makes a server with several host keys present the
// pinned one rather than whichever it prefers.
func (c connection) hostKeyCallback() (ssh.HostKeyCallback, []string, error) {
	if c.hostKey == nil || *c.hostKey == "" {
		return func(hostname string, _ net.Addr, got ssh.PublicKey) error {
			return fmt.Errorf("%s for %s: the host offers %s %s; check it on the host and set connection.hostKey to pin it",
				errNoHostKey, hostname, got.Type(), ssh.FingerprintSHA256(got))
		}, nil, nil
	}
	want, _, _, _, err := ssh.ParseAuthorizedKey([]byte(*c.hostKey))
	if err != nil {
		var kerr error
		_, _, want, _, _, kerr = ssh.ParseKnownHosts([]byte(*c.hostKey))
		if kerr != nil {
			return nil, nil, fmt.Errorf("parsing hostKey: %w", err)
		}
	}
	algos := []string{want.Type()}
	if want.Type() == ssh.KeyAlgoRSA {
		algos = []string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA}
	}
	wantBytes := want.Marshal()
	return func(hostname string, _ net.Addr, got ssh.PublicKey) error {
		if bytes.Equal(got.Marshal(), wantBytes) {
			return nil
		}
		return fmt.Errorf("host key mismatch for %s: got %s %s, expected %s %s", hostname,
			got.Type(), ssh.FingerprintSHA256(got), want.Type(), ssh.FingerprintSHA256(want))
	}, algos, nil
}
