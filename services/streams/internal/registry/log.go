package registry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Log is the `_schemas` topic: one partition, compacted, read from its start by every
// instance and appended to with an idempotent producer (acks from every in-sync replica).
type Log struct {
	topic   string
	client  *kgo.Client
	admin   *kadm.Client
	state   *State
	mu      sync.Mutex
	cond    *sync.Cond
	readErr error
}

// LogConfig says where the log is.
type LogConfig struct {
	Brokers           []string
	Topic             string // default _schemas
	ReplicationFactor int16  // of the topic when this instance creates it
}

// OpenLog creates the topic if it is missing and starts folding it into state.
func OpenLog(ctx context.Context, cfg LogConfig, state *State) (*Log, error) {
	if cfg.Topic == "" {
		cfg.Topic = "_schemas"
	}
	if cfg.ReplicationFactor < 1 {
		cfg.ReplicationFactor = 1
	}
	client, err := kgo.NewClient(
		kgo.SeedBrokers(cfg.Brokers...),
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{cfg.Topic: {0: kgo.NewOffset().AtStart()}}),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()),
		kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.RecordPartitioner(kgo.ManualPartitioner()),
		kgo.ProducerLinger(0),
	)
	if err != nil {
		return nil, err
	}
	l := &Log{topic: cfg.Topic, client: client, admin: kadm.NewClient(client), state: state}
	l.cond = sync.NewCond(&l.mu)
	if err := l.ensureTopic(ctx, cfg.ReplicationFactor); err != nil {
		client.Close()
		return nil, err
	}
	go l.read()
	return l, nil
}

func (l *Log) ensureTopic(ctx context.Context, rf int16) error {
	for {
		_, err := l.admin.CreateTopic(ctx, 1, rf, map[string]*string{"cleanup.policy": kadm.StringPtr("compact")}, l.topic)
		if err == nil || errors.Is(err, kerr.TopicAlreadyExists) {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("creating topic %s: %w", l.topic, err)
		case <-time.After(2 * time.Second):
		}
	}
}

// read folds every record into the state, for as long as the client lives.
func (l *Log) read() {
	for {
		fetches := l.client.PollFetches(context.Background())
		if fetches.IsClientClosed() {
			l.mu.Lock()
			l.readErr = kgo.ErrClientClosed
			l.cond.Broadcast()
			l.mu.Unlock()
			return
		}
		fetches.EachRecord(func(r *kgo.Record) {
			l.state.Apply(r.Offset, r.Key, r.Value)
		})
		l.mu.Lock()
		l.cond.Broadcast()
		l.mu.Unlock()
	}
}

// Sync waits until every record written before the call is folded in.
func (l *Log) Sync(ctx context.Context) error {
	for {
		ends, err := l.admin.ListEndOffsets(ctx, l.topic)
		if err == nil {
			end, ok := ends.Lookup(l.topic, 0)
			if ok && end.Err == nil {
				return l.waitFor(ctx, end.Offset-1)
			}
			err = end.Err
			if err == nil {
				err = fmt.Errorf("the topic has no partition 0 yet")
			}
		}
		// A topic just made may not be in every broker's metadata yet.
		select {
		case <-ctx.Done():
			return fmt.Errorf("end offset of %s: %v", l.topic, err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// waitFor waits until the fold has passed offset (every record of the topic is plain: no
// transaction markers, so the last offset is always a record's).
func (l *Log) waitFor(ctx context.Context, offset int64) error {
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-ctx.Done():
			l.mu.Lock()
			l.cond.Broadcast()
			l.mu.Unlock()
		case <-done:
		}
	}()
	l.mu.Lock()
	defer l.mu.Unlock()
	for l.state.Applied() < offset && l.readErr == nil {
		if ctx.Err() != nil {
			return fmt.Errorf("reading %s up to offset %d: %w", l.topic, offset, ctx.Err())
		}
		l.cond.Wait()
	}
	return l.readErr
}

// Append writes one record and waits until it is folded in; it returns its offset.
func (l *Log) Append(ctx context.Context, key, value any) (int64, error) {
	k, err := json.Marshal(key)
	if err != nil {
		return 0, err
	}
	var v []byte
	if value != nil {
		if v, err = json.Marshal(value); err != nil {
			return 0, err
		}
	}
	r := &kgo.Record{Topic: l.topic, Partition: 0, Key: k, Value: v}
	if err := l.client.ProduceSync(ctx, r).FirstErr(); err != nil {
		return 0, fmt.Errorf("writing to %s: %w", l.topic, err)
	}
	return r.Offset, l.waitFor(ctx, r.Offset)
}

// Close stops reading and writing.
func (l *Log) Close() { l.client.Close() }
