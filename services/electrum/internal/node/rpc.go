// Package node talks JSON-RPC to the Bitcoin node the index follows: btcd (HTTPS with its
// self-signed certificate) or bitcoind (plain HTTP). btcd's own rpcclient is not used for
// the transport: in HTTP POST mode it sends one request at a time through a single
// goroutine and opens a new connection (a new TLS handshake with btcd) for every request,
// which caps indexing at one block per round trip. This client keeps connections alive and
// lets several requests run at once.
package node

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Config says how to reach the node.
type Config struct {
	Addr     string // host:port
	User     string
	Password string
	CertFile string // btcd's rpc.cert; empty means plain HTTP (bitcoind, or btcd --notls)
	Timeout  time.Duration
}

// Client is a JSON-RPC client of one node.
type Client struct {
	url    string
	user   string
	pass   string
	http   *http.Client
	nextID atomic.Uint64

	kindMu sync.Mutex
	kind   Kind
}

// RPCError is an error the node answered with (as opposed to not answering).
type RPCError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func (e *RPCError) Error() string { return fmt.Sprintf("node error %d: %s", e.Code, e.Message) }

// MethodNotFound is JSON-RPC's code for an unknown method (btcd lacks some of bitcoind's).
const MethodNotFound = -32601

// IsMethodNotFound tells whether err is the node saying it has no such method.
func IsMethodNotFound(err error) bool {
	var e *RPCError
	return errors.As(err, &e) && e.Code == MethodNotFound
}

// New makes a client; with a certificate file it speaks HTTPS and trusts only that
// certificate (btcd's is self-signed).
func New(cfg Config) (*Client, error) {
	if cfg.Addr == "" {
		return nil, errors.New("no node RPC address: give --rpc-addr HOST:PORT")
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 2 * time.Minute
	}
	transport := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConnsPerHost: 8,
		IdleConnTimeout:     60 * time.Second,
	}
	scheme := "http"
	if cfg.CertFile != "" {
		pem, err := os.ReadFile(cfg.CertFile)
		if err != nil {
			return nil, fmt.Errorf("reading the node's RPC certificate: %w (give btcd's rpc.cert with --rpc-cert, or --rpc-cert '' for plain HTTP)", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s holds no PEM certificate", cfg.CertFile)
		}
		host, _, err := net.SplitHostPort(cfg.Addr)
		if err != nil {
			return nil, fmt.Errorf("node RPC address %q: %w", cfg.Addr, err)
		}
		transport.TLSClientConfig = &tls.Config{RootCAs: pool, ServerName: host, MinVersion: tls.VersionTLS12}
		scheme = "https"
	}
	return &Client{
		url:  scheme + "://" + cfg.Addr + "/",
		user: cfg.User,
		pass: cfg.Password,
		http: &http.Client{Transport: transport, Timeout: cfg.Timeout},
	}, nil
}

// Call runs method with params and decodes the result into out (unless out is nil).
func (c *Client) Call(ctx context.Context, method string, out any, params ...any) error {
	raw, err := c.CallRaw(ctx, method, params...)
	if err != nil {
		return err
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("%s: unexpected result %.200s: %w", method, raw, err)
	}
	return nil
}

// CallRaw runs method and returns its result as the node sent it.
func (c *Client) CallRaw(ctx context.Context, method string, params ...any) (json.RawMessage, error) {
	if params == nil {
		params = []any{}
	}
	body, err := json.Marshal(map[string]any{"jsonrpc": "1.0", "id": c.nextID.Add(1), "method": method, "params": params})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth(c.user, c.pass)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("node RPC %s at %s: %w", method, c.url, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("node RPC %s: reading the answer: %w", method, err)
	}
	if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
		return nil, fmt.Errorf("node RPC %s: %s: check the RPC user and password file", method, resp.Status)
	}
	var reply struct {
		Result json.RawMessage `json:"result"`
		Error  *RPCError       `json:"error"`
	}
	if err := json.Unmarshal(data, &reply); err != nil {
		return nil, fmt.Errorf("node RPC %s: %s: %.200s", method, resp.Status, strings.TrimSpace(string(data)))
	}
	if reply.Error != nil {
		return nil, reply.Error
	}
	return reply.Result, nil
}
