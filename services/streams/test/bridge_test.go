package test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"bcm/services/streams/internal/avrojson"
	"bcm/services/streams/internal/bridge"
	"bcm/services/streams/internal/kafkatest"
	"bcm/services/streams/internal/registry"

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

// bridgeHelper is the bridge as a process of its own, for the kill test below (TestMain
// runs it instead of the tests when BCM_BRIDGE_HELPER=1).
func bridgeHelper() {
	n, _ := strconv.Atoi(os.Getenv("BCM_BRIDGE_BLOCKS"))
	node := &fakeChain{delay: 30 * time.Millisecond}
	node.set(makeChain(nil, "main", n))
	b, err := bridge.New(context.Background(), bridge.Config{Chain: os.Getenv("BCM_BRIDGE_CHAIN"), Brokers: []string{os.Getenv("BCM_BRIDGE_BROKERS")},
		RegistryURL: os.Getenv("BCM_BRIDGE_REGISTRY"), BatchBlocks: 1, Poll: 200 * time.Millisecond}, node)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
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
		cmd := exec.Command(os.Args[0])
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

// The bridge as the tier runs it (the bcm-streams binary) on a real btcd (TLS RPC, websocket
// notifications) and real Kafka: 50 blocks mined with a transaction each besides the
// coinbase, the bridge killed (SIGKILL) half-way and started again: the blocks topic holds
// every block once and in order, the transactions topic every transaction once, and a block
// record decodes with the schema the registry gives for its id.
func TestBridgeOnBtcdKilledMidway(t *testing.T) {
	miner, payee := newKey(t, "bcm-streams-miner"), newKey(t, "bcm-streams-payee")
	node := startBtcd(t, miner.addr.EncodeAddress())
	reg := registryInstance(t, "_schemas_btcd")
	bin := goBuild(t, filepath.Join(t.TempDir(), "bcm-streams"), "bcm/services/streams/cmd/bcm-streams")
	if _, err := node.rpc.Generate(101); err != nil {
		t.Fatal(err)
	}
	chain := "regtest-it"
	blocksTopic, txTopic := bridge.Topics(chain)
	logs := t.TempDir()
	run := 0
	start := func() *exec.Cmd {
		run++
		cmd := exec.Command(bin, "chain-bridge", "--chain="+chain, "--rpc-addr="+node.addr, "--rpc-user="+node.user, "--rpc-pass-file="+node.passFile,
			"--rpc-cert="+node.certFile, "--brokers="+kafka(t), "--registry="+reg, "--batch-blocks=1")
		out, _ := os.Create(filepath.Join(logs, fmt.Sprintf("bridge-%d.log", run)))
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	bridgeProc := start()
	defer func() { _ = bridgeProc.Process.Kill(); _ = bridgeProc.Wait() }()
	committed(t, blocksTopic, 102) // 0..101
	for i := 0; i < 50; i++ {
		h, _ := node.rpc.GetBlockHash(int64(i + 1))
		b, err := node.rpc.GetBlock(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := node.rpc.SendRawTransaction(miner.spendCoinbase(t, b, payee), false); err != nil {
			t.Fatalf("sendrawtransaction %d: %v", i, err)
		}
		if _, err := node.rpc.Generate(1); err != nil {
			t.Fatal(err)
		}
		if i == 25 {
			_ = bridgeProc.Process.Signal(syscall.SIGKILL)
			_ = bridgeProc.Wait()
			bridgeProc = start()
		}
	}
	var wantBlocks, wantTxs []string
	for h := int64(0); h <= 151; h++ {
		hash, _ := node.rpc.GetBlockHash(h)
		b, err := node.rpc.GetBlock(hash)
		if err != nil {
			t.Fatal(err)
		}
		if h > 101 && len(b.Transactions) != 2 {
			t.Fatalf("block %d has %d transactions, want the coinbase and ours", h, len(b.Transactions))
		}
		wantBlocks = append(wantBlocks, hash.String())
		for _, tx := range b.Transactions {
			wantTxs = append(wantTxs, tx.TxHash().String())
		}
	}
	sameList(t, "blocks", committed(t, blocksTopic, len(wantBlocks)), wantBlocks)
	sameList(t, "transactions", committed(t, txTopic, len(wantTxs)), wantTxs)
	if b, _ := os.ReadFile(filepath.Join(logs, "bridge-2.log")); !strings.Contains(string(b), "resuming after block") {
		t.Fatalf("the second bridge did not resume:%s", kafkatest.Tail(string(b), 10))
	}
	checkLastBlockRecord(t, blocksTopic, reg, 151, 2)
}

// checkLastBlockRecord decodes the topic's last block with the schema the registry names.
func checkLastBlockRecord(t *testing.T, topic, reg string, height int64, txCount int) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(kafka(t)), kgo.FetchIsolationLevel(kgo.ReadCommitted()),
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: {0: kgo.NewOffset().AtStart()}}))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var last *kgo.Record
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		fetches := cl.PollFetches(ctx)
		cancel()
		n := 0
		fetches.EachRecord(func(r *kgo.Record) { last = r; n++ })
		if n == 0 {
			break
		}
	}
	id, payload, err := avrojson.Unframe(last.Value)
	if err != nil {
		t.Fatal(err)
	}
	var answer map[string]any
	must(t, call(t, "GET", fmt.Sprintf("%s/schemas/ids/%d", reg, id), "", nil, &answer), 200, "the block schema")
	schema, err := registry.ParseAvro(answer["schema"].(string))
	if err != nil {
		t.Fatal(err)
	}
	v, err := avrojson.Decode(schema, payload)
	if err != nil {
		t.Fatal(err)
	}
	m := v.(map[string]any)
	if m["height"] != height || m["tx_count"] != txCount || m["hash"] != string(last.Key) {
		t.Fatalf("the last block record: height %v, tx_count %v, hash %v (key %s)", m["height"], m["tx_count"], m["hash"], last.Key)
	}
}
