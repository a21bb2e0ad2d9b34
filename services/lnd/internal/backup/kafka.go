package backup

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// DefaultTopic is the compacted topic of channel backups: the last record per node is the
// node's current backup.
const DefaultTopic = "bcm.lnd.channel-backups"

// Record is the Kafka record of one encrypted backup: keyed by the node's identity pubkey
// (compaction keeps the latest per node), the OpenPGP message as value, and headers that
// say what it is without decrypting it.
func Record(topic, node string, e Entry, encrypted []byte) *kgo.Record {
	return &kgo.Record{
		Topic:     topic,
		Key:       []byte(node),
		Value:     encrypted,
		Timestamp: e.Time,
		Headers: []kgo.RecordHeader{
			{Key: "content-type", Value: []byte("application/pgp-encrypted")},
			{Key: "bcm-file", Value: []byte(e.File)},
			{Key: "bcm-sha256", Value: []byte(e.SHA256)},
			{Key: "bcm-channels", Value: []byte(strconv.Itoa(e.Channels))},
		},
	}
}

// TopicConfig is what the topic is created with when it is missing: compaction, and
// records up to 10 MB (a multi-channel backup grows with the channels).
func TopicConfig() map[string]*string {
	compact, max := "compact", strconv.Itoa(10<<20)
	return map[string]*string{"cleanup.policy": &compact, "max.message.bytes": &max}
}

// Producer sends backups to Kafka.
type Producer struct {
	client *kgo.Client
	topic  string
}

// NewProducer connects to the brokers and makes sure the topic exists (created compacted
// when missing; an existing topic that is not compacted is an error naming the fix).
func NewProducer(ctx context.Context, brokers []string, topic string) (*Producer, error) {
	client, err := kgo.NewClient(
		kgo.SeedBrokers(brokers...),
		kgo.DefaultProduceTopic(topic),
		// Every in-sync replica has it before the record counts as kept.
		kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.ProducerBatchMaxBytes(10<<20),
		kgo.ProduceRequestTimeout(30*time.Second),
	)
	if err != nil {
		return nil, fmt.Errorf("kafka client: %w", err)
	}
	p := &Producer{client: client, topic: topic}
	if err := p.ensureTopic(ctx); err != nil {
		client.Close()
		return nil, err
	}
	return p, nil
}

func (p *Producer) ensureTopic(ctx context.Context) error {
	adm := kadm.NewClient(p.client)
	// One partition: the records of one node stay in order. Replication: the broker's default.
	_, err := adm.CreateTopic(ctx, 1, -1, TopicConfig(), p.topic)
	if err != nil && !errors.Is(err, kerr.TopicAlreadyExists) {
		return fmt.Errorf("creating the kafka topic %s: %w", p.topic, err)
	}
	configs, err := adm.DescribeTopicConfigs(ctx, p.topic)
	if err != nil {
		return fmt.Errorf("reading the kafka topic %s's configuration: %w", p.topic, err)
	}
	rc, err := configs.On(p.topic, nil)
	if err != nil {
		return fmt.Errorf("reading the kafka topic %s's configuration: %w", p.topic, err)
	}
	for _, c := range rc.Configs {
		if c.Key == "cleanup.policy" && (c.Value == nil || *c.Value != "compact") {
			return fmt.Errorf("the kafka topic %s has cleanup.policy=%v, not compact; fix: kafka-configs --alter --entity-type topics --entity-name %s --add-config cleanup.policy=compact", p.topic, deref(c.Value), p.topic)
		}
	}
	return nil
}

func deref(s *string) string {
	if s == nil {
		return "(none)"
	}
	return *s
}

// Send produces one backup and waits until the brokers have it.
func (p *Producer) Send(ctx context.Context, node string, e Entry, encrypted []byte) error {
	return p.client.ProduceSync(ctx, Record(p.topic, node, e, encrypted)).FirstErr()
}

// Close flushes and disconnects.
func (p *Producer) Close() { p.client.Close() }
