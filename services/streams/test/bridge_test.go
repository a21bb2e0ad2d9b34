package test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"bcm/services/streams/internal/bridge"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
	"github.com/twmb/franz-go/pkg/kgo"
)

// fakeChain is a node whose best chain the test sets: blocks linked by hash, each with a
// coinbase and a few other transactions (not valid Bitcoin: the bridge does not validate).
type fakeChain struct {
	mu     sync.Mutex
	blocks []*wire.MsgBlock
	delay  time.Duration
}

// makeChain extends base with n blocks whose contents depend on seed.
func makeChain(base []*wire.MsgBlock, seed string, n int) []*wire.MsgBlock {
	out := append([]*wire.MsgBlock{}, base...)
	for i := 0; i < n; i++ {
		height := len(out)
		var prev chainhash.Hash
		if height > 0 {
			prev = out[height-1].BlockHash()
		}
		// The header must differ between branches: a merkle root from the seed.
		root := chainhash.Hash(sha256.Sum256([]byte(fmt.Sprintf("%s/%d", seed, height))))
		b := wire.NewMsgBlock(wire.NewBlockHeader(1, &prev, &root, 0x207fffff, uint32(height)))
		b.Header.Timestamp = time.Unix(1700000000+int64(height)*600, 0)
		coinbase := wire.NewMsgTx(2)
		coinbase.AddTxIn(wire.NewTxIn(wire.NewOutPoint(&chainhash.Hash{}, 0xffffffff), []byte(fmt.Sprintf("%s/%d", seed, height)), nil))
		coinbase.AddTxOut(wire.NewTxOut(50_0000_0000, []byte{0x51}))
		b.AddTransaction(coinbase)
		for j := 0; j < height%4; j++ {
			tx := wire.NewMsgTx(2)
			h := chainhash.Hash(sha256.Sum256([]byte(fmt.Sprintf("%s/%d/%d", seed, height, j))))
			tx.AddTxIn(wire.NewTxIn(wire.NewOutPoint(&h, uint32(j)), nil, nil))
			tx.AddTxOut(wire.NewTxOut(int64(1000+j), []byte{0x51}))
			b.AddTransaction(tx)
		}
		out = append(out, b)
	}
	return out
}

func (c *fakeChain) set(blocks []*wire.MsgBlock) { c.mu.Lock(); c.blocks = blocks; c.mu.Unlock() }

func (c *fakeChain) BlockCount(context.Context) (int64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return int64(len(c.blocks) - 1), nil
}

func (c *fakeChain) BlockHash(_ context.Context, h int64) (chainhash.Hash, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if h < 0 || h >= int64(len(c.blocks)) {
		return chainhash.Hash{}, fmt.Errorf("no block at %d", h)
	}
	return c.blocks[h].BlockHash(), nil
}

func (c *fakeChain) Block(_ context.Context, hash chainhash.Hash) (*wire.MsgBlock, int, error) {
	time.Sleep(c.delay)
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, b := range c.blocks {
		if b.BlockHash() == hash {
			return b, b.SerializeSize(), nil
		}
	}
	return nil, 0, fmt.Errorf("no block %s", hash)
}

// committed reads a topic as read_committed consumers do: keys in order.
func committed(t *testing.T, topic string, atLeast int) []string {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(kafka(t)), kgo.FetchIsolationLevel(kgo.ReadCommitted()),
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: {0: kgo.NewOffset().AtStart()}}))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var keys []string
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		fetches := cl.PollFetches(ctx)
		cancel()
		n := 0
		fetches.EachRecord(func(r *kgo.Record) { keys = append(keys, string(r.Key)); n++ })
		if n == 0 && len(keys) >= atLeast {
			return keys
		}
	}
	t.Fatalf("%s: %d records after 90 s, want at least %d", topic, len(keys), atLeast)
	return nil
}

func hashes(blocks []*wire.MsgBlock) (blockKeys, txKeys []string) {
	for _, b := range blocks {
		blockKeys = append(blockKeys, b.BlockHash().String())
		for _, tx := range b.Transactions {
			txKeys = append(txKeys, tx.TxHash().String())
		}
	}
	return
}

func sameList(t *testing.T, what string, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d records, want %d", what, len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("%s: record %d is %s, want %s", what, i, got[i], want[i])
		}
	}
}

// TestBridgeHelperProcess is the bridge as a process of its own, for the kill test below.
func TestBridgeHelperProcess(t *testing.T) {
	if os.Getenv("BCM_BRIDGE_HELPER") != "1" {
		t.Skip("run by TestBridgeKilledMidway")
	}
	n, _ := strconv.Atoi(os.Getenv("BCM_BRIDGE_BLOCKS"))
	node := &fakeChain{delay: 30 * time.Millisecond}
	node.set(makeChain(nil, "main", n))
	b, err := bridge.New(context.Background(), bridge.Config{Chain: os.Getenv("BCM_BRIDGE_CHAIN"), Brokers: []string{os.Getenv("BCM_BRIDGE_BROKERS")},
		RegistryURL: os.Getenv("BCM_BRIDGE_REGISTRY"), BatchBlocks: 1, Poll: 200 * time.Millisecond}, node)
	if err != nil {
		t.Fatal(err)
	}
	_ = b.Run(context.Background())
}

// The bridge killed (SIGKILL) while it writes, then started again: the topics hold every
// block once, in order, and every transaction once, as read_committed consumers see them.
func TestBridgeKilledMidway(t *testing.T) {
	reg := registryInstance(t, "_schemas_bridge")
	const n = 50
	chain := "killtest"
	blocksTopic, txTopic := bridge.Topics(chain)
	start := func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^TestBridgeHelperProcess$", "-test.v")
		cmd.Env = append(os.Environ(), "BCM_BRIDGE_HELPER=1", "BCM_BRIDGE_BLOCKS="+strconv.Itoa(n), "BCM_BRIDGE_CHAIN="+chain,
			"BCM_BRIDGE_BROKERS="+kafka(t), "BCM_BRIDGE_REGISTRY="+reg)
		out, err := os.Create(fmt.Sprintf("%s/bridge-%d.log", t.TempDir(), time.Now().UnixNano()))
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	first := start()
	// Killed once some blocks are in (and, most likely, a transaction is open).
	committed(t, blocksTopic, 15)
	_ = first.Process.Signal(syscall.SIGKILL)
	_ = first.Wait()
	second := start()
	defer func() { _ = second.Process.Kill(); _ = second.Wait() }()
	want := makeChain(nil, "main", n)
	wantBlocks, wantTxs := hashes(want)
	sameList(t, "blocks", committed(t, blocksTopic, len(wantBlocks)), wantBlocks)
	got := committed(t, txTopic, len(wantTxs))
	sameList(t, "transactions", got, wantTxs)
}

// A reorganization: the node's best chain switches to a branch from block 7; the bridge
// writes the new branch's blocks after the old ones (heights 8.. again, other hashes).
func TestBridgeReorganization(t *testing.T) {
	reg := registryInstance(t, "_schemas_reorg")
	node := &fakeChain{}
	old := makeChain(nil, "old", 11) // heights 0..10
	node.set(old)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b, err := bridge.New(ctx, bridge.Config{Chain: "reorgtest", Brokers: []string{kafka(t)}, RegistryURL: reg, Poll: 100 * time.Millisecond}, node)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	blocksTopic, _ := bridge.Topics("reorgtest")
	committed(t, blocksTopic, 11)
	branch := makeChain(old[:8], "new", 4) // heights 8..11 anew
	node.set(branch)
	oldKeys, _ := hashes(old)
	newKeys, _ := hashes(branch[8:])
	sameList(t, "blocks", committed(t, blocksTopic, 15), append(oldKeys, newKeys...))
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
