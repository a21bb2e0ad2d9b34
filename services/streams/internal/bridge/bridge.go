package bridge

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Node is what the bridge asks of the Bitcoin node.
type Node interface {
	BlockCount(ctx context.Context) (int64, error)
	BlockHash(ctx context.Context, height int64) (chainhash.Hash, error)
	// Block is the block and its serialized size.
	Block(ctx context.Context, hash chainhash.Hash) (*wire.MsgBlock, int, error)
}

// Config says what to bridge where.
type Config struct {
	Chain             string // regtest, testnet3, …: the topics are bitcoin.<chain>.blocks and .transactions
	Brokers           []string
	RegistryURL       string
	ReplicationFactor int16 // of the topics when the bridge makes them; 0: the cluster's default
	// StartHeight is the first block written to an empty topic.
	StartHeight int64
	// BatchBlocks is how many blocks one Kafka transaction carries at most while catching up.
	BatchBlocks int
	// Poll is how often the node is asked for new blocks when no notification came.
	Poll time.Duration
	// Recent is how many of the last blocks are remembered to find the fork of a reorganization.
	Recent int
}

// Topics are the two topic names of a chain.
func Topics(chain string) (blocks, transactions string) {
	return "bitcoin." + chain + ".blocks", "bitcoin." + chain + ".transactions"
}

// Bridge is one running bridge.
type Bridge struct {
	cfg      Config
	node     Node
	client   *kgo.Client
	admin    *kadm.Client
	schemas  *Schemas
	blocks   string
	txs      string
	recent   []Block // the last blocks written, oldest first
	Notified chan struct{}
}

// New connects to Kafka as the chain's only transactional writer (a bridge still running
// elsewhere with the same chain is fenced off, and its open transaction aborted), makes the
// topics and registers the schemas.
func New(ctx context.Context, cfg Config, node Node) (*Bridge, error) {
	if cfg.BatchBlocks < 1 {
		cfg.BatchBlocks = 20
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 5 * time.Second
	}
	if cfg.Recent < 10 {
		cfg.Recent = 100
	}
	if cfg.ReplicationFactor < 1 {
		cfg.ReplicationFactor = -1 // the cluster's default.replication.factor
	}
	b := &Bridge{cfg: cfg, node: node, Notified: make(chan struct{}, 1)}
	b.blocks, b.txs = Topics(cfg.Chain)
	var err error
	if b.schemas, err = ParseSchemas(); err != nil {
		return nil, err
	}
	reg := &registry{base: cfg.RegistryURL}
	if b.schemas.BlockID, err = reg.register(ctx, b.blocks+"-value", BlockSchema); err != nil {
		return nil, err
	}
	if b.schemas.TransactionID, err = reg.register(ctx, b.txs+"-value", TransactionSchema); err != nil {
		return nil, err
	}
	b.client, err = kgo.NewClient(
		kgo.SeedBrokers(cfg.Brokers...),
		kgo.TransactionalID("bcm-chain-bridge-"+cfg.Chain),
		kgo.TransactionTimeout(60*time.Second),
		kgo.RecordPartitioner(kgo.StickyKeyPartitioner(nil)),
		kgo.ProducerBatchMaxBytes(8<<20),
		kgo.MaxBufferedRecords(100000),
	)
	if err != nil {
		return nil, err
	}
	b.admin = kadm.NewClient(b.client)
	if err := b.ensureTopics(ctx); err != nil {
		b.client.Close()
		return nil, err
	}
	return b, nil
}

// Close leaves Kafka (an open transaction is aborted by the broker or the next bridge).
func (b *Bridge) Close() { b.client.Close() }

func (b *Bridge) ensureTopics(ctx context.Context) error {
	// Blocks in one partition: their order is the chain's. Transactions are keyed by txid.
	big := kadm.StringPtr(fmt.Sprint(8 << 20))
	for _, t := range []string{b.blocks, b.txs} {
		for {
			_, err := b.admin.CreateTopic(ctx, 1, b.cfg.ReplicationFactor, map[string]*string{"max.message.bytes": big}, t)
			if err == nil || errors.Is(err, kerr.TopicAlreadyExists) {
				break
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("creating topic %s: %w", t, err)
			case <-time.After(2 * time.Second):
				log.Printf("creating topic %s: %v (retrying)", t, err)
			}
		}
	}
	return nil
}

// resume reads the last committed blocks from the blocks topic: where to go on from.
// read_committed stops at the last stable offset, before a dead bridge's open transaction;
// this bridge's first transaction then fences that one off and aborts it, so what is read
// here is final.
func (b *Bridge) resume(ctx context.Context) error {
	b.recent = nil
	ends, err := b.admin.ListCommittedOffsets(ctx, b.blocks)
	if err != nil {
		return err
	}
	end, ok := ends.Lookup(b.blocks, 0)
	if !ok || end.Err != nil {
		return fmt.Errorf("end of %s: %v", b.blocks, end.Err)
	}
	if end.Offset == 0 {
		return nil
	}
	// Each transaction adds a marker: twice as many offsets as blocks is enough.
	from := end.Offset - int64(2*b.cfg.Recent+2)
	if from < 0 {
		from = 0
	}
	reader, err := kgo.NewClient(kgo.SeedBrokers(b.cfg.Brokers...), kgo.FetchIsolationLevel(kgo.ReadCommitted()),
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{b.blocks: {0: kgo.NewOffset().At(from)}}))
	if err != nil {
		return err
	}
	defer reader.Close()
	for {
		pctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		fetches := reader.PollFetches(pctx)
		cancel()
		if ctx.Err() != nil {
			return ctx.Err()
		}
		n := 0
		var decodeErr error
		fetches.EachRecord(func(r *kgo.Record) {
			n++
			blk, err := b.schemas.DecodeBlock(r.Value)
			if err != nil {
				decodeErr = fmt.Errorf("%s@%d: %w", b.blocks, r.Offset, err)
				return
			}
			b.remember(blk)
		})
		if decodeErr != nil {
			return decodeErr
		}
		last := int64(-1)
		fetches.EachRecord(func(r *kgo.Record) { last = r.Offset })
		if n == 0 || last >= end.Offset-1 {
			if n == 0 && len(b.recent) == 0 && from > 0 {
				return fmt.Errorf("found no block in %s from offset %d to %d", b.blocks, from, end.Offset)
			}
			return nil
		}
	}
}

func (b *Bridge) remember(blk Block) {
	// A block at a height already remembered replaces that one and everything after it (a reorganization).
	for i, r := range b.recent {
		if r.Height >= blk.Height {
			b.recent = b.recent[:i]
			break
		}
	}
	b.recent = append(b.recent, blk)
	if len(b.recent) > b.cfg.Recent {
		b.recent = b.recent[len(b.recent)-b.cfg.Recent:]
	}
}

func (b *Bridge) last() *Block {
	if len(b.recent) == 0 {
		return nil
	}
	return &b.recent[len(b.recent)-1]
}

// Run bridges until ctx ends: catches up, then follows the node.
func (b *Bridge) Run(ctx context.Context) error {
	if err := b.resume(ctx); err != nil {
		return err
	}
	if l := b.last(); l != nil {
		log.Printf("resuming after block %d %s", l.Height, l.Hash)
	} else {
		log.Printf("empty %s: starting at height %d", b.blocks, b.cfg.StartHeight)
	}
	for {
		wrote, err := b.step(ctx)
		if err != nil {
			return err
		}
		if wrote > 0 {
			continue
		}
		select {
		case <-ctx.Done():
			return nil
		case <-b.Notified:
		case <-time.After(b.cfg.Poll):
		}
	}
}

// step writes the next batch of blocks (at most BatchBlocks), or handles a reorganization;
// it returns how many blocks it wrote.
func (b *Bridge) step(ctx context.Context) (int, error) {
	tip, err := b.node.BlockCount(ctx)
	if err != nil {
		return 0, fmt.Errorf("getblockcount: %w", err)
	}
	next := b.cfg.StartHeight
	var prev *chainhash.Hash
	if l := b.last(); l != nil {
		next = l.Height + 1
		if prev, err = chainhash.NewHashFromStr(l.Hash); err != nil {
			return 0, err
		}
	}
	if next > tip {
		return 0, nil
	}
	type described struct {
		block Block
		txs   []Transaction
	}
	var batch []described
	for h := next; h <= tip && len(batch) < b.cfg.BatchBlocks; h++ {
		hash, err := b.node.BlockHash(ctx, h)
		if err != nil {
			return 0, fmt.Errorf("getblockhash %d: %w", h, err)
		}
		blk, size, err := b.node.Block(ctx, hash)
		if err != nil {
			return 0, fmt.Errorf("getblock %s: %w", hash, err)
		}
		if prev != nil && blk.Header.PrevBlock != *prev {
			if len(batch) > 0 {
				break // write what links; the reorganization is seen next step
			}
			return 0, b.unwind(ctx)
		}
		d, txs, err := Describe(h, blk, size)
		if err != nil {
			return 0, err
		}
		batch = append(batch, described{d, txs})
		p := blk.BlockHash()
		prev = &p
	}
	if len(batch) == 0 {
		return 0, nil
	}
	var records []*kgo.Record
	for _, d := range batch {
		for _, t := range d.txs {
			v, err := b.schemas.EncodeTransaction(t)
			if err != nil {
				return 0, err
			}
			records = append(records, &kgo.Record{Topic: b.txs, Key: []byte(t.Txid), Value: v})
		}
		v, err := b.schemas.EncodeBlock(d.block)
		if err != nil {
			return 0, err
		}
		records = append(records, &kgo.Record{Topic: b.blocks, Key: []byte(d.block.Hash), Value: v})
	}
	if err := b.commit(ctx, records); err != nil {
		return 0, err
	}
	for _, d := range batch {
		b.remember(d.block)
	}
	l := b.last()
	log.Printf("wrote blocks %d..%d (%d records), tip %d", batch[0].block.Height, l.Height, len(records), tip)
	return len(batch), nil
}

// commit writes records in one Kafka transaction: all of them, or (after an abort) none.
func (b *Bridge) commit(ctx context.Context, records []*kgo.Record) error {
	if err := b.client.BeginTransaction(); err != nil {
		return err
	}
	if err := b.client.ProduceSync(ctx, records...).FirstErr(); err != nil {
		_ = b.client.EndTransaction(context.Background(), kgo.TryAbort)
		return fmt.Errorf("producing: %w", err)
	}
	if err := b.client.EndTransaction(ctx, kgo.TryCommit); err != nil {
		return fmt.Errorf("committing: %w", err)
	}
	return nil
}

// unwind goes back to the last remembered block the node still has on its best chain: the
// blocks after it are written again from the new branch (consumers see a height again, with
// another hash and its own prev_hash).
func (b *Bridge) unwind(ctx context.Context) error {
	for len(b.recent) > 0 {
		l := b.last()
		hash, err := b.node.BlockHash(ctx, l.Height)
		if err == nil && hash.String() == l.Hash {
			log.Printf("reorganization: going on after block %d %s", l.Height, l.Hash)
			return nil
		}
		b.recent = b.recent[:len(b.recent)-1]
	}
	return fmt.Errorf("reorganization deeper than the %d blocks remembered: restart the bridge with the topics' consumers told (it will resume after the last block it wrote)", b.cfg.Recent)
}
