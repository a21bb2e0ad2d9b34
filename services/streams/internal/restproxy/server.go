// Package restproxy is a Confluent-compatible REST proxy: the v2 API (produce with embedded
// json, binary or avro; consumer instances in groups; topic and broker metadata) and the v3
// API's clusters, topics and records, on franz-go. Avro goes through a schema registry with
// Confluent's API and wire format.
package restproxy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Config is where the proxy finds Kafka and the registry, and how it names itself.
type Config struct {
	Brokers []string
	// RegistryURL is a Confluent-compatible schema registry (for avro); empty: no avro.
	RegistryURL string
	// BaseURL is how clients reach this instance (consumer instances' base_uri).
	BaseURL string
	// InstanceTimeout ends a consumer instance idle this long (Confluent's consumer.instance.timeout.ms).
	InstanceTimeout time.Duration
}

// Server is one REST proxy instance; consumer instances live in it (as in Confluent's).
type Server struct {
	cfg       Config
	producer  *kgo.Client
	admin     *kadm.Client
	registry  *registryClient
	mu        sync.Mutex
	consumers map[string]*consumer // group + "/" + name
}

// New connects the shared producer and admin client.
func New(cfg Config) (*Server, error) {
	if cfg.InstanceTimeout == 0 {
		cfg.InstanceTimeout = 5 * time.Minute
	}
	producer, err := kgo.NewClient(kgo.SeedBrokers(cfg.Brokers...), kgo.RequiredAcks(kgo.AllISRAcks()), kgo.ProducerLinger(0),
		kgo.RecordPartitioner(partitioner{}))
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, producer: producer, admin: kadm.NewClient(producer), consumers: map[string]*consumer{}}
	if cfg.RegistryURL != "" {
		s.registry = newRegistryClient(cfg.RegistryURL)
	}
	go s.expire()
	return s, nil
}

// Close ends every consumer instance and the clients.
func (s *Server) Close() {
	s.mu.Lock()
	for k, c := range s.consumers {
		c.close()
		delete(s.consumers, k)
	}
	s.mu.Unlock()
	s.producer.Close()
}

// apiError is Confluent's error body.
type apiError struct {
	status int
	Code   int    `json:"error_code"`
	Msg    string `json:"message"`
}

func (e *apiError) Error() string { return e.Msg }

func fail(status, code int, format string, args ...any) *apiError {
	return &apiError{status: status, Code: code, Msg: fmt.Sprintf(format, args...)}
}

// Confluent's error codes used here.
const (
	codeTopicNotFound     = 40401
	codePartitionNotFound = 40402
	codeInstanceNotFound  = 40403
	codeUnsupportedFormat = 40601
	codeInstanceExists    = 40902
	codeInvalidRequest    = 42201
	codeSchemaMissing     = 42205
	codeKafka             = 50002
	codeNotFound          = 404
	codeBadRequest        = 400
)

type noContent struct{}

// Handler is the HTTP API.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	h := func(pattern string, f func(w http.ResponseWriter, r *http.Request) (any, error)) {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			ctx, cancel := context.WithTimeout(r.Context(), 60*time.Second)
			defer cancel()
			v, err := f(w, r.WithContext(ctx))
			v3 := strings.HasPrefix(r.URL.Path, "/v3/")
			if w.Header().Get("Content-Type") == "" {
				if v3 {
					w.Header().Set("Content-Type", "application/json")
				} else {
					w.Header().Set("Content-Type", "application/vnd.kafka.v2+json")
				}
			}
			if err != nil {
				var e *apiError
				if !errors.As(err, &e) {
					e = fail(http.StatusInternalServerError, codeKafka, "%v", err)
				}
				w.WriteHeader(e.status)
				_ = json.NewEncoder(w).Encode(e)
				return
			}
			switch v := v.(type) {
			case noContent:
				w.WriteHeader(http.StatusNoContent)
			case nil:
			default:
				_ = json.NewEncoder(w).Encode(v)
			}
		})
	}
	h("GET /{$}", func(http.ResponseWriter, *http.Request) (any, error) { return map[string]any{}, nil })
	h("GET /topics", s.listTopics)
	h("GET /topics/{topic}", s.getTopic)
	h("GET /topics/{topic}/partitions", s.getPartitions)
	h("POST /topics/{topic}", s.produceV2)
	h("POST /topics/{topic}/partitions/{partition}", s.produceV2)
	h("GET /brokers", s.listBrokers)
	h("POST /consumers/{group}", s.createConsumer)
	h("DELETE /consumers/{group}/instances/{name}", s.deleteConsumer)
	h("POST /consumers/{group}/instances/{name}/subscription", s.subscribe)
	h("GET /consumers/{group}/instances/{name}/subscription", s.subscription)
	h("DELETE /consumers/{group}/instances/{name}/subscription", s.unsubscribe)
	h("GET /consumers/{group}/instances/{name}/records", s.records)
	h("POST /consumers/{group}/instances/{name}/offsets", s.commit)
	h("POST /consumers/{group}/instances/{name}/positions/beginning", s.seekEdge(true))
	h("POST /consumers/{group}/instances/{name}/positions/end", s.seekEdge(false))
	h("GET /v3/clusters", s.v3Clusters)
	h("GET /v3/clusters/{cluster}", s.v3Cluster)
	h("GET /v3/clusters/{cluster}/topics", s.v3Topics)
	h("POST /v3/clusters/{cluster}/topics", s.v3CreateTopic)
	h("GET /v3/clusters/{cluster}/topics/{topic}", s.v3Topic)
	h("DELETE /v3/clusters/{cluster}/topics/{topic}", s.v3DeleteTopic)
	h("POST /v3/clusters/{cluster}/topics/{topic}/records", s.v3Produce)
	h("GET /v3/clusters/{cluster}/consumer-groups", s.v3Groups)
	return mux
}

// readJSON decodes a request body with numbers kept exact.
func readJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, 64<<20))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		return fail(http.StatusUnprocessableEntity, codeInvalidRequest, "invalid JSON in the request body: %v", err)
	}
	return nil
}

func (s *Server) topicDetail(ctx context.Context, topic string) (kadm.TopicDetail, error) {
	md, err := s.admin.Metadata(ctx, topic)
	if err != nil {
		return kadm.TopicDetail{}, err
	}
	t, ok := md.Topics[topic]
	if !ok || t.Err != nil {
		return kadm.TopicDetail{}, fail(http.StatusNotFound, codeTopicNotFound, "Topic %s not found.", topic)
	}
	return t, nil
}

func (s *Server) listTopics(_ http.ResponseWriter, r *http.Request) (any, error) {
	topics, err := s.admin.ListTopics(r.Context())
	if err != nil {
		return nil, err
	}
	names := []string{}
	for _, t := range topics.Sorted() {
		if !t.IsInternal {
			names = append(names, t.Topic)
		}
	}
	return names, nil
}

func partitionsOf(t kadm.TopicDetail) []map[string]any {
	out := []map[string]any{}
	for _, p := range t.Partitions.Sorted() {
		replicas := []map[string]any{}
		isr := map[int32]bool{}
		for _, id := range p.ISR {
			isr[id] = true
		}
		for _, id := range p.Replicas {
			replicas = append(replicas, map[string]any{"broker": id, "leader": id == p.Leader, "in_sync": isr[id]})
		}
		out = append(out, map[string]any{"partition": p.Partition, "leader": p.Leader, "replicas": replicas})
	}
	return out
}

func (s *Server) getTopic(_ http.ResponseWriter, r *http.Request) (any, error) {
	t, err := s.topicDetail(r.Context(), r.PathValue("topic"))
	if err != nil {
		return nil, err
	}
	configs := map[string]string{}
	if rc, err := s.admin.DescribeTopicConfigs(r.Context(), t.Topic); err == nil {
		for _, c := range rc {
			for _, kv := range c.Configs {
				if kv.Value != nil && kv.Source == 1 { // set on the topic itself
					configs[kv.Key] = *kv.Value
				}
			}
		}
	}
	return map[string]any{"name": t.Topic, "configs": configs, "partitions": partitionsOf(t)}, nil
}

func (s *Server) getPartitions(_ http.ResponseWriter, r *http.Request) (any, error) {
	t, err := s.topicDetail(r.Context(), r.PathValue("topic"))
	if err != nil {
		return nil, err
	}
	return partitionsOf(t), nil
}

func (s *Server) listBrokers(_ http.ResponseWriter, r *http.Request) (any, error) {
	md, err := s.admin.BrokerMetadata(r.Context())
	if err != nil {
		return nil, err
	}
	ids := []int32{}
	for _, b := range md.Brokers {
		ids = append(ids, b.NodeID)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return map[string]any{"brokers": ids}, nil
}

// expire ends consumer instances idle past the instance timeout.
func (s *Server) expire() {
	for range time.Tick(10 * time.Second) {
		s.mu.Lock()
		for k, c := range s.consumers {
			if c.idleFor() > s.cfg.InstanceTimeout {
				c.close()
				delete(s.consumers, k)
			}
		}
		s.mu.Unlock()
	}
}
