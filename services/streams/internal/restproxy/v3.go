package restproxy

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// The v3 API's resources (Confluent's "kind"/"metadata"/"data" shapes), for one cluster.

func (s *Server) clusterID(ctx context.Context) (string, error) {
	md, err := s.admin.BrokerMetadata(ctx)
	if err != nil {
		return "", err
	}
	return md.Cluster, nil
}

func (s *Server) base(r *http.Request) string {
	if s.cfg.BaseURL != "" {
		return strings.TrimSuffix(s.cfg.BaseURL, "/")
	}
	return "http://" + r.Host
}

func (s *Server) cluster(r *http.Request) (string, error) {
	id, err := s.clusterID(r.Context())
	if err != nil {
		return "", err
	}
	if c := r.PathValue("cluster"); c != "" && c != id {
		return "", fail(http.StatusNotFound, codeNotFound, "Cluster %s cannot be found.", c)
	}
	return id, nil
}

func (s *Server) clusterData(r *http.Request, id string) map[string]any {
	self := fmt.Sprintf("%s/v3/clusters/%s", s.base(r), id)
	return map[string]any{
		"kind":       "KafkaCluster",
		"metadata":   map[string]any{"self": self, "resource_name": "crn:///kafka=" + id},
		"cluster_id": id,
		"topics":     map[string]string{"related": self + "/topics"},
		"brokers":    map[string]string{"related": self + "/brokers"},
	}
}

func (s *Server) v3Clusters(_ http.ResponseWriter, r *http.Request) (any, error) {
	id, err := s.cluster(r)
	if err != nil {
		return nil, err
	}
	return map[string]any{"kind": "KafkaClusterList", "metadata": map[string]any{"self": s.base(r) + "/v3/clusters", "next": nil},
		"data": []any{s.clusterData(r, id)}}, nil
}

func (s *Server) v3Cluster(_ http.ResponseWriter, r *http.Request) (any, error) {
	id, err := s.cluster(r)
	if err != nil {
		return nil, err
	}
	return s.clusterData(r, id), nil
}

func (s *Server) topicData(r *http.Request, cluster string, t kadm.TopicDetail) map[string]any {
	self := fmt.Sprintf("%s/v3/clusters/%s/topics/%s", s.base(r), cluster, t.Topic)
	rf := 0
	for _, p := range t.Partitions {
		rf = len(p.Replicas)
		break
	}
	return map[string]any{
		"kind":               "KafkaTopic",
		"metadata":           map[string]any{"self": self, "resource_name": fmt.Sprintf("crn:///kafka=%s/topic=%s", cluster, t.Topic)},
		"cluster_id":         cluster,
		"topic_name":         t.Topic,
		"is_internal":        t.IsInternal,
		"replication_factor": rf,
		"partitions_count":   len(t.Partitions),
		"partitions":         map[string]string{"related": self + "/partitions"},
		"configs":            map[string]string{"related": self + "/configs"},
	}
}

func (s *Server) v3Topics(_ http.ResponseWriter, r *http.Request) (any, error) {
	id, err := s.cluster(r)
	if err != nil {
		return nil, err
	}
	topics, err := s.admin.ListTopicsWithInternal(r.Context())
	if err != nil {
		return nil, err
	}
	data := []any{}
	for _, t := range topics.Sorted() {
		data = append(data, s.topicData(r, id, t))
	}
	return map[string]any{"kind": "KafkaTopicList", "metadata": map[string]any{"self": fmt.Sprintf("%s/v3/clusters/%s/topics", s.base(r), id), "next": nil}, "data": data}, nil
}

func (s *Server) v3Topic(_ http.ResponseWriter, r *http.Request) (any, error) {
	id, err := s.cluster(r)
	if err != nil {
		return nil, err
	}
	t, err := s.topicDetail(r.Context(), r.PathValue("topic"))
	if err != nil {
		return nil, fail(http.StatusNotFound, codeNotFound, "This server does not host this topic-partition.")
	}
	return s.topicData(r, id, t), nil
}

func (s *Server) v3CreateTopic(w http.ResponseWriter, r *http.Request) (any, error) {
	id, err := s.cluster(r)
	if err != nil {
		return nil, err
	}
	var req struct {
		TopicName         string `json:"topic_name"`
		PartitionsCount   int32  `json:"partitions_count"`
		ReplicationFactor int16  `json:"replication_factor"`
		Configs           []struct {
			Name  string  `json:"name"`
			Value *string `json:"value"`
		} `json:"configs"`
	}
	if err := readJSON(r, &req); err != nil {
		return nil, err
	}
	if req.TopicName == "" {
		return nil, fail(http.StatusBadRequest, codeBadRequest, "topic_name: required")
	}
	if req.PartitionsCount == 0 {
		req.PartitionsCount = -1 // the broker's default
	}
	if req.ReplicationFactor == 0 {
		req.ReplicationFactor = -1
	}
	configs := map[string]*string{}
	for _, c := range req.Configs {
		configs[c.Name] = c.Value
	}
	// CreateTopic's error is the topic's own (kerr), or the request's.
	if _, err := s.admin.CreateTopic(r.Context(), req.PartitionsCount, req.ReplicationFactor, configs, req.TopicName); err != nil {
		return nil, fail(http.StatusBadRequest, codeBadRequest, "%v", err)
	}
	var t kadm.TopicDetail
	for i := 0; i < 50; i++ {
		if t, err = s.topicDetail(r.Context(), req.TopicName); err == nil && len(t.Partitions) > 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	return s.topicData(r, id, t), nil
}

func (s *Server) v3DeleteTopic(_ http.ResponseWriter, r *http.Request) (any, error) {
	if _, err := s.cluster(r); err != nil {
		return nil, err
	}
	if _, err := s.admin.DeleteTopic(r.Context(), r.PathValue("topic")); err != nil {
		return nil, fail(http.StatusNotFound, codeNotFound, "%v", err)
	}
	return noContent{}, nil
}

// v3Data is a record side: {"type": "JSON"|"BINARY"|"STRING"|"AVRO", "data": ..., "schema_id": n}.
type v3Data struct {
	Type          string          `json:"type"`
	Data          json.RawMessage `json:"data"`
	SchemaID      *int            `json:"schema_id"`
	Schema        string          `json:"schema"`
	SubjectStrat  string          `json:"subject_name_strategy"`
	SchemaVersion *int            `json:"schema_version"`
}

func (s *Server) v3Bytes(ctx context.Context, topic, side string, d *v3Data) ([]byte, error) {
	if d == nil || len(d.Data) == 0 || string(d.Data) == "null" {
		return nil, nil
	}
	switch strings.ToUpper(d.Type) {
	case "BINARY":
		var str string
		if err := json.Unmarshal(d.Data, &str); err != nil {
			return nil, fmt.Errorf("BINARY data must be a base64 string")
		}
		return base64.StdEncoding.DecodeString(str)
	case "STRING":
		var str string
		if err := json.Unmarshal(d.Data, &str); err != nil {
			return nil, fmt.Errorf("STRING data must be a string")
		}
		return []byte(str), nil
	case "JSON":
		return encodeJSON(d.Data)
	case "", "AVRO":
		if d.SchemaID == nil && d.Schema == "" {
			if d.Type == "" {
				return encodeJSON(d.Data)
			}
			return nil, fmt.Errorf("AVRO data needs schema_id or schema")
		}
		schema, id, err := s.avroSide(ctx, topic+"-"+side, d.Schema, d.SchemaID, true)
		if err != nil {
			return nil, err
		}
		return avroEncode(schema, id, d.Data)
	}
	return nil, fmt.Errorf("type %q is not BINARY, STRING, JSON or AVRO", d.Type)
}

// v3Produce takes one record, or a stream of them (one JSON object after another, answered one by one).
func (s *Server) v3Produce(w http.ResponseWriter, r *http.Request) (any, error) {
	cluster, err := s.cluster(r)
	if err != nil {
		return nil, err
	}
	topic := r.PathValue("topic")
	if _, err := s.topicDetail(r.Context(), topic); err != nil {
		return nil, fail(http.StatusNotFound, codeNotFound, "This server does not host this topic-partition.")
	}
	// Streaming mode answers each record while the next ones are still arriving.
	_ = http.NewResponseController(w).EnableFullDuplex()
	dec := json.NewDecoder(io.LimitReader(r.Body, 64<<20))
	dec.UseNumber()
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	for n := 0; ; n++ {
		var req struct {
			PartitionID *int32  `json:"partition_id"`
			Key         *v3Data `json:"key"`
			Value       *v3Data `json:"value"`
			Timestamp   *string `json:"timestamp"`
			Headers     []struct {
				Name  string `json:"name"`
				Value string `json:"value"`
			} `json:"headers"`
		}
		if err := dec.Decode(&req); err != nil {
			if errors.Is(err, io.EOF) && n > 0 {
				return nil, nil
			}
			if n > 0 { // the status is sent: the error is the stream's last answer
				_ = enc.Encode(map[string]any{"error_code": 400, "message": fmt.Sprintf("invalid record: %v", err)})
				return nil, nil
			}
			return nil, fail(http.StatusBadRequest, codeBadRequest, "invalid record: %v", err)
		}
		answer := s.v3One(r.Context(), cluster, topic, req.PartitionID, req.Key, req.Value, req.Timestamp, func(rec *kgo.Record) {
			for _, h := range req.Headers {
				v, _ := base64.StdEncoding.DecodeString(h.Value)
				rec.Headers = append(rec.Headers, kgo.RecordHeader{Key: h.Name, Value: v})
			}
		})
		_ = enc.Encode(answer)
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
	}
}

func (s *Server) v3One(ctx context.Context, cluster, topic string, partition *int32, key, value *v3Data, ts *string, more func(*kgo.Record)) map[string]any {
	bad := func(err error) map[string]any { return map[string]any{"error_code": 400, "message": err.Error()} }
	k, err := s.v3Bytes(ctx, topic, "key", key)
	if err != nil {
		return bad(err)
	}
	v, err := s.v3Bytes(ctx, topic, "value", value)
	if err != nil {
		return bad(err)
	}
	rec := &kgo.Record{Topic: topic, Key: k, Value: v, Partition: -1}
	if partition != nil {
		rec.Partition = *partition
	}
	if ts != nil {
		if t, err := time.Parse(time.RFC3339Nano, *ts); err == nil {
			rec.Timestamp = t
		}
	}
	more(rec)
	answers := s.produceAll(ctx, []*kgo.Record{rec})
	if a := answers[0]; a.Error != nil {
		return map[string]any{"error_code": 500, "message": *a.Error}
	}
	side := func(b []byte, d *v3Data) any {
		if d == nil {
			return nil
		}
		t := strings.ToUpper(d.Type)
		if t == "" {
			t = "JSON"
		}
		return map[string]any{"type": t, "size": len(b)}
	}
	return map[string]any{"error_code": 200, "cluster_id": cluster, "topic_name": topic, "partition_id": rec.Partition, "offset": rec.Offset,
		"timestamp": rec.Timestamp.UTC().Format("2006-01-02T15:04:05.000Z"), "key": side(k, key), "value": side(v, value)}
}

func (s *Server) v3Groups(_ http.ResponseWriter, r *http.Request) (any, error) {
	id, err := s.cluster(r)
	if err != nil {
		return nil, err
	}
	groups, err := s.admin.ListGroups(r.Context())
	if err != nil {
		return nil, err
	}
	data := []any{}
	for _, g := range groups.Sorted() {
		data = append(data, map[string]any{"kind": "KafkaConsumerGroup", "cluster_id": id, "consumer_group_id": g.Group, "state": g.State,
			"metadata": map[string]any{"self": fmt.Sprintf("%s/v3/clusters/%s/consumer-groups/%s", s.base(r), id, g.Group)}})
	}
	return map[string]any{"kind": "KafkaConsumerGroupList", "metadata": map[string]any{"self": fmt.Sprintf("%s/v3/clusters/%s/consumer-groups", s.base(r), id), "next": nil}, "data": data}, nil
}
