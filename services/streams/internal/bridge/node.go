package bridge

import (
	"context"
	"fmt"
	"log"
	"os"
	"strings"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/rpcclient"
	"github.com/btcsuite/btcd/wire"
)

// NodeConfig is how to reach btcd's RPC (TLS with its certificate, user and password).
type NodeConfig struct {
	Addr     string // host:port
	User     string
	PassFile string // a file holding the password (a Swarm secret)
	CertFile string // btcd's rpc.cert
}

// rpcNode is btcd over its websocket RPC: calls, and a block-connected notification that
// wakes the bridge (which then asks for what it lacks; a lost notification costs one poll).
type rpcNode struct{ c *rpcclient.Client }

// DialNode connects to btcd and asks it for block notifications, which go to notify.
func DialNode(cfg NodeConfig, notify chan<- struct{}) (Node, error) {
	pass, err := os.ReadFile(cfg.PassFile)
	if err != nil {
		return nil, fmt.Errorf("--rpc-pass-file: %w", err)
	}
	cert, err := os.ReadFile(cfg.CertFile)
	if err != nil {
		return nil, fmt.Errorf("--rpc-cert: %w", err)
	}
	wake := func() {
		select {
		case notify <- struct{}{}:
		default:
		}
	}
	handlers := &rpcclient.NotificationHandlers{
		OnFilteredBlockConnected: func(int32, *wire.BlockHeader, []*btcutil.Tx) { wake() },
		OnClientConnected: func() {
			log.Printf("connected to the node at %s", cfg.Addr)
			wake()
		},
	}
	c, err := rpcclient.New(&rpcclient.ConnConfig{
		Host: cfg.Addr, Endpoint: "ws", User: cfg.User, Pass: strings.TrimSpace(string(pass)), Certificates: cert,
	}, handlers)
	if err != nil {
		return nil, fmt.Errorf("connecting to the node at %s: %w", cfg.Addr, err)
	}
	if err := c.NotifyBlocks(); err != nil {
		c.Shutdown()
		return nil, fmt.Errorf("notifyblocks: %w", err)
	}
	return &rpcNode{c: c}, nil
}

func (n *rpcNode) BlockCount(context.Context) (int64, error) { return n.c.GetBlockCount() }

func (n *rpcNode) BlockHash(_ context.Context, height int64) (chainhash.Hash, error) {
	h, err := n.c.GetBlockHash(height)
	if err != nil {
		return chainhash.Hash{}, err
	}
	return *h, nil
}

func (n *rpcNode) Block(_ context.Context, hash chainhash.Hash) (*wire.MsgBlock, int, error) {
	b, err := n.c.GetBlock(&hash)
	if err != nil {
		return nil, 0, err
	}
	return b, b.SerializeSize(), nil
}
