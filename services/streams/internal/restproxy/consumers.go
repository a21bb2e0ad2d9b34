package restproxy

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// consumer is a v2 consumer instance: a franz-go group member made at subscription.
type consumer struct {
	group, name, format string
	reset               string // earliest or latest
	autoCommit          bool
	mu                  sync.Mutex
	client              *kgo.Client
	topics              []string
	last                time.Time
	brokers             []string
	polled              map[string]map[int32]int64 // the next offset after what was returned
}

func (c *consumer) touch() { c.mu.Lock(); c.last = time.Now(); c.mu.Unlock() }

func (c *consumer) idleFor() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Since(c.last)
}

func (c *consumer) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.client != nil {
		// Leaving the group commits nothing more than was committed (autocommit commits on leave).
		c.client.Close()
		c.client = nil
	}
}

func (s *Server) instance(r *http.Request) (*consumer, error) {
	s.mu.Lock()
	c := s.consumers[r.PathValue("group")+"/"+r.PathValue("name")]
	s.mu.Unlock()
	if c == nil {
		return nil, fail(http.StatusNotFound, codeInstanceNotFound, "Consumer instance not found.")
	}
	c.touch()
	return c, nil
}

func (s *Server) createConsumer(_ http.ResponseWriter, r *http.Request) (any, error) {
	group := r.PathValue("group")
	var req map[string]any
	if err := readJSON(r, &req); err != nil {
		return nil, err
	}
	str := func(k, def string) string {
		if v, ok := req[k].(string); ok && v != "" {
			return v
		}
		return def
	}
	name := str("name", fmt.Sprintf("rest-consumer-%d", time.Now().UnixNano()))
	format := str("format", formatBinary)
	if format != formatJSON && format != formatBinary && format != formatAvro {
		return nil, fail(http.StatusUnprocessableEntity, codeInvalidRequest, "format: %q is not json, binary or avro", format)
	}
	reset := str("auto.offset.reset", "latest")
	if reset != "earliest" && reset != "latest" {
		return nil, fail(http.StatusUnprocessableEntity, codeInvalidRequest, "auto.offset.reset: %q is not earliest or latest", reset)
	}
	c := &consumer{group: group, name: name, format: format, reset: reset, autoCommit: str("auto.commit.enable", "true") == "true", last: time.Now(), brokers: s.cfg.Brokers}
	key := group + "/" + name
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.consumers[key] != nil {
		return nil, fail(http.StatusConflict, codeInstanceExists, "Consumer with specified consumer ID already exists in the specified consumer group.")
	}
	s.consumers[key] = c
	base := strings.TrimSuffix(s.cfg.BaseURL, "/")
	return map[string]string{"instance_id": name, "base_uri": fmt.Sprintf("%s/consumers/%s/instances/%s", base, group, name)}, nil
}

func (s *Server) deleteConsumer(_ http.ResponseWriter, r *http.Request) (any, error) {
	c, err := s.instance(r)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	delete(s.consumers, c.group+"/"+c.name)
	s.mu.Unlock()
	c.close()
	return noContent{}, nil
}

func (s *Server) subscribe(_ http.ResponseWriter, r *http.Request) (any, error) {
	c, err := s.instance(r)
	if err != nil {
		return nil, err
	}
	var req struct {
		Topics       []string `json:"topics"`
		TopicPattern string   `json:"topic_pattern"`
	}
	if err := readJSON(r, &req); err != nil {
		return nil, err
	}
	if len(req.Topics) == 0 && req.TopicPattern == "" {
		return nil, fail(http.StatusUnprocessableEntity, codeInvalidRequest, "topics: name at least one topic (or a topic_pattern)")
	}
	opts := []kgo.Opt{kgo.SeedBrokers(c.brokers...), kgo.ConsumerGroup(c.group), kgo.FetchIsolationLevel(kgo.ReadCommitted()),
		kgo.FetchMaxWait(500 * time.Millisecond)}
	if c.reset == "earliest" {
		opts = append(opts, kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	} else {
		opts = append(opts, kgo.ConsumeResetOffset(kgo.NewOffset().AtEnd()))
	}
	if req.TopicPattern != "" {
		opts = append(opts, kgo.ConsumeTopics(req.TopicPattern), kgo.ConsumeRegex())
	} else {
		opts = append(opts, kgo.ConsumeTopics(req.Topics...))
	}
	if !c.autoCommit {
		opts = append(opts, kgo.DisableAutoCommit())
	}
	client, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.client != nil {
		c.client.Close()
	}
	c.client, c.topics, c.polled = client, req.Topics, map[string]map[int32]int64{}
	if req.TopicPattern != "" {
		c.topics = []string{req.TopicPattern}
	}
	c.mu.Unlock()
	return noContent{}, nil
}

func (s *Server) subscription(_ http.ResponseWriter, r *http.Request) (any, error) {
	c, err := s.instance(r)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	topics := c.topics
	if topics == nil {
		topics = []string{}
	}
	return map[string]any{"topics": topics}, nil
}

func (s *Server) unsubscribe(_ http.ResponseWriter, r *http.Request) (any, error) {
	c, err := s.instance(r)
	if err != nil {
		return nil, err
	}
	c.close()
	c.mu.Lock()
	c.topics = nil
	c.mu.Unlock()
	return noContent{}, nil
}

// records polls up to the request's timeout (default 1 s) for what the group gives this member.
func (s *Server) records(w http.ResponseWriter, r *http.Request) (any, error) {
	c, err := s.instance(r)
	if err != nil {
		return nil, err
	}
	want := c.format
	if accept := r.Header.Get("Accept"); accept != "" && !strings.Contains(accept, "*/*") {
		if f, err := embeddedFormat(accept); err == nil && strings.Contains(accept, "vnd.kafka.") && f != want {
			return nil, fail(http.StatusNotAcceptable, codeUnsupportedFormat, "The requested embedded data format does not match the deserializer for this consumer instance (%s)", c.format)
		}
	}
	timeout := time.Second
	if t, err := strconv.Atoi(r.URL.Query().Get("timeout")); err == nil && t >= 0 {
		timeout = time.Duration(t) * time.Millisecond
	}
	maxBytes := int64(-1)
	if m, err := strconv.ParseInt(r.URL.Query().Get("max_bytes"), 10, 64); err == nil && m > 0 {
		maxBytes = m
	}
	c.mu.Lock()
	client := c.client
	c.mu.Unlock()
	if client == nil {
		return nil, fail(http.StatusConflict, 40903, "Consumer instance is not subscribed to any topic.")
	}
	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	defer cancel()
	fetches := client.PollRecords(ctx, 500)
	out := []map[string]any{}
	var size int64
	var decodeErr error
	fetches.EachRecord(func(rec *kgo.Record) {
		if decodeErr != nil {
			return
		}
		size += int64(len(rec.Key) + len(rec.Value))
		k, err := s.decodeAs(r.Context(), c.format, rec.Key)
		if err == nil {
			var v any
			if v, err = s.decodeAs(r.Context(), c.format, rec.Value); err == nil {
				out = append(out, map[string]any{"topic": rec.Topic, "key": k, "value": v, "partition": rec.Partition, "offset": rec.Offset})
			}
		}
		if err != nil {
			decodeErr = fmt.Errorf("%s/%d@%d: %v", rec.Topic, rec.Partition, rec.Offset, err)
		}
		c.mu.Lock()
		if c.polled[rec.Topic] == nil {
			c.polled[rec.Topic] = map[int32]int64{}
		}
		c.polled[rec.Topic][rec.Partition] = rec.Offset + 1
		c.mu.Unlock()
	})
	_ = maxBytes
	if decodeErr != nil {
		return nil, fail(http.StatusInternalServerError, 50002, "Error deserializing record: %v", decodeErr)
	}
	w.Header().Set("Content-Type", "application/vnd.kafka."+c.format+".v2+json")
	return out, nil
}

// commit commits the offsets given, or everything returned so far.
func (s *Server) commit(_ http.ResponseWriter, r *http.Request) (any, error) {
	c, err := s.instance(r)
	if err != nil {
		return nil, err
	}
	var req struct {
		Offsets []struct {
			Topic     string `json:"topic"`
			Partition int32  `json:"partition"`
			Offset    int64  `json:"offset"`
		} `json:"offsets"`
	}
	if err := readJSON(r, &req); err != nil {
		return nil, err
	}
	c.mu.Lock()
	client := c.client
	offsets := map[string]map[int32]kgo.EpochOffset{}
	if len(req.Offsets) > 0 {
		for _, o := range req.Offsets {
			if offsets[o.Topic] == nil {
				offsets[o.Topic] = map[int32]kgo.EpochOffset{}
			}
			// Confluent's proxy commits the offset given + 1: the next one to read.
			offsets[o.Topic][o.Partition] = kgo.EpochOffset{Epoch: -1, Offset: o.Offset + 1}
		}
	} else {
		for t, ps := range c.polled {
			for p, o := range ps {
				if offsets[t] == nil {
					offsets[t] = map[int32]kgo.EpochOffset{}
				}
				offsets[t][p] = kgo.EpochOffset{Epoch: -1, Offset: o}
			}
		}
	}
	c.mu.Unlock()
	if client == nil {
		return nil, fail(http.StatusConflict, 40903, "Consumer instance is not subscribed to any topic.")
	}
	var commitErr error
	done := make(chan struct{})
	client.CommitOffsetsSync(r.Context(), offsets, func(_ *kgo.Client, _ *kmsg.OffsetCommitRequest, resp *kmsg.OffsetCommitResponse, err error) {
		commitErr = err
		if err == nil {
			commitErr = firstCommitError(resp)
		}
		close(done)
	})
	<-done
	if commitErr != nil {
		return nil, commitErr
	}
	return nil, nil
}

// seekEdge moves the instance's assigned partitions to their beginning or end.
func (s *Server) seekEdge(beginning bool) func(http.ResponseWriter, *http.Request) (any, error) {
	return func(_ http.ResponseWriter, r *http.Request) (any, error) {
		c, err := s.instance(r)
		if err != nil {
			return nil, err
		}
		var req struct {
			Partitions []struct {
				Topic     string `json:"topic"`
				Partition int32  `json:"partition"`
			} `json:"partitions"`
		}
		if err := readJSON(r, &req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		client := c.client
		c.mu.Unlock()
		if client == nil {
			return nil, fail(http.StatusConflict, 40903, "Consumer instance is not subscribed to any topic.")
		}
		topics := map[string][]int32{}
		for _, p := range req.Partitions {
			topics[p.Topic] = append(topics[p.Topic], p.Partition)
		}
		var list []string
		for t := range topics {
			list = append(list, t)
		}
		var edges map[string]map[int32]int64
		if beginning {
			lo, err := s.admin.ListStartOffsets(r.Context(), list...)
			if err != nil {
				return nil, err
			}
			edges = offsetsOf(lo.Offsets())
		} else {
			hi, err := s.admin.ListEndOffsets(r.Context(), list...)
			if err != nil {
				return nil, err
			}
			edges = offsetsOf(hi.Offsets())
		}
		set := map[string]map[int32]kgo.EpochOffset{}
		for t, ps := range topics {
			set[t] = map[int32]kgo.EpochOffset{}
			for _, p := range ps {
				set[t][p] = kgo.EpochOffset{Epoch: -1, Offset: edges[t][p]}
			}
		}
		client.SetOffsets(set)
		return noContent{}, nil
	}
}

func firstCommitError(resp *kmsg.OffsetCommitResponse) error {
	for _, t := range resp.Topics {
		for _, p := range t.Partitions {
			if err := kerr.ErrorForCode(p.ErrorCode); err != nil {
				return fmt.Errorf("commit %s/%d: %w", t.Topic, p.Partition, err)
			}
		}
	}
	return nil
}

func offsetsOf(l kadm.Offsets) map[string]map[int32]int64 {
	out := map[string]map[int32]int64{}
	l.Each(func(o kadm.Offset) {
		if out[o.Topic] == nil {
			out[o.Topic] = map[int32]int64{}
		}
		out[o.Topic][o.Partition] = o.At
	})
	return out
}
