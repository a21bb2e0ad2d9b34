package restproxy

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"

	"bcm/services/streams/internal/avrojson"

	"github.com/hamba/avro/v2"
	"github.com/twmb/franz-go/pkg/kgo"
)

// produceRequest is the v2 body: records with optional partitions, and for avro the key and
// value schemas (text, registered under TOPIC-key / TOPIC-value) or their ids.
type produceRequest struct {
	KeySchema     string `json:"key_schema"`
	KeySchemaID   *int   `json:"key_schema_id"`
	ValueSchema   string `json:"value_schema"`
	ValueSchemaID *int   `json:"value_schema_id"`
	Records       []struct {
		Key       json.RawMessage `json:"key"`
		Value     json.RawMessage `json:"value"`
		Partition *int32          `json:"partition"`
	} `json:"records"`
}

type offsetAnswer struct {
	Partition *int32  `json:"partition"`
	Offset    *int64  `json:"offset"`
	ErrorCode *int    `json:"error_code"`
	Error     *string `json:"error"`
}

// avroSide resolves one side's schema for avro: an id given, or a schema text registered now.
func (s *Server) avroSide(ctx context.Context, subject, text string, id *int, needed bool) (avro.Schema, *int, error) {
	if s.registry == nil {
		return nil, nil, fail(http.StatusUnprocessableEntity, codeSchemaMissing, "this proxy has no schema registry (avro needs one)")
	}
	switch {
	case id != nil:
		schema, err := s.registry.byID(ctx, *id)
		return schema, id, err
	case text != "":
		n, err := s.registry.register(ctx, subject, text)
		if err != nil {
			return nil, nil, err
		}
		schema, err := s.registry.byID(ctx, n)
		return schema, &n, err
	case needed:
		return nil, nil, fail(http.StatusUnprocessableEntity, codeSchemaMissing, "Request includes keys or values but not the matching key_schema(_id) or value_schema(_id) (avro needs a schema)")
	}
	return nil, nil, nil
}

func avroEncode(schema avro.Schema, id *int, raw json.RawMessage) ([]byte, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, err
	}
	v = numbers(raw, v)
	b, err := avrojson.Encode(schema, v)
	if err != nil {
		return nil, err
	}
	return avrojson.Frame(*id, b), nil
}

// numbers decodes raw again keeping numbers exact (json.Number), as the Avro encoder wants them.
func numbers(raw json.RawMessage, fallback any) any {
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if dec.Decode(&v) != nil {
		return fallback
	}
	return v
}

func (s *Server) produceV2(_ http.ResponseWriter, r *http.Request) (any, error) {
	topic := r.PathValue("topic")
	format, err := embeddedFormat(r.Header.Get("Content-Type"))
	if err != nil {
		return nil, err
	}
	var req produceRequest
	if err := readJSON(r, &req); err != nil {
		return nil, err
	}
	if len(req.Records) == 0 {
		return nil, fail(http.StatusUnprocessableEntity, codeInvalidRequest, "records: at least one record is needed")
	}
	t, err := s.topicDetail(r.Context(), topic)
	if err != nil {
		return nil, err
	}
	var fixed *int32
	if p := r.PathValue("partition"); p != "" {
		n, err := strconv.Atoi(p)
		if _, ok := t.Partitions[int32(n)]; err != nil || !ok {
			return nil, fail(http.StatusNotFound, codePartitionNotFound, "Partition %s of topic %s not found.", p, topic)
		}
		v := int32(n)
		fixed = &v
	}
	var keySchema, valueSchema avro.Schema
	var keyID, valueID *int
	if format == formatAvro {
		hasKeys, hasValues := false, false
		for _, rec := range req.Records {
			hasKeys = hasKeys || (len(rec.Key) > 0 && string(rec.Key) != "null")
			hasValues = hasValues || (len(rec.Value) > 0 && string(rec.Value) != "null")
		}
		if keySchema, keyID, err = s.avroSide(r.Context(), topic+"-key", req.KeySchema, req.KeySchemaID, hasKeys); err != nil {
			return nil, err
		}
		if valueSchema, valueID, err = s.avroSide(r.Context(), topic+"-value", req.ValueSchema, req.ValueSchemaID, hasValues); err != nil {
			return nil, err
		}
	}
	records := make([]*kgo.Record, len(req.Records))
	for i, rec := range req.Records {
		var k, v []byte
		switch format {
		case formatJSON:
			k, err = encodeJSON(rec.Key)
			if err == nil {
				v, err = encodeJSON(rec.Value)
			}
		case formatBinary:
			k, err = encodeBinary(rec.Key)
			if err == nil {
				v, err = encodeBinary(rec.Value)
			}
		case formatAvro:
			if k, err = avroEncode(keySchema, keyID, rec.Key); err == nil {
				v, err = avroEncode(valueSchema, valueID, rec.Value)
			}
		}
		if err != nil {
			return nil, fail(http.StatusUnprocessableEntity, codeInvalidRequest, "records[%d]: %v", i, err)
		}
		kr := &kgo.Record{Topic: topic, Key: k, Value: v, Partition: -1}
		if rec.Partition != nil {
			kr.Partition = *rec.Partition
		}
		if fixed != nil {
			kr.Partition = *fixed
		}
		records[i] = kr
	}
	offsets := s.produceAll(r.Context(), records)
	return map[string]any{"key_schema_id": keyID, "value_schema_id": valueID, "offsets": offsets}, nil
}

// produceAll sends records in order and waits for every acknowledgement: one answer each.
func (s *Server) produceAll(ctx context.Context, records []*kgo.Record) []offsetAnswer {
	out := make([]offsetAnswer, len(records))
	done := make(chan struct{}, len(records))
	for i, rec := range records {
		i := i
		s.producer.Produce(ctx, rec, func(r *kgo.Record, err error) {
			if err != nil {
				code := 50003
				msg := err.Error()
				out[i] = offsetAnswer{ErrorCode: &code, Error: &msg}
			} else {
				p, o := r.Partition, r.Offset
				out[i] = offsetAnswer{Partition: &p, Offset: &o}
			}
			done <- struct{}{}
		})
	}
	for range records {
		<-done
	}
	return out
}

// partitioner keeps a partition the client named (Partition ≥ 0); otherwise a key picks one
// as Kafka's Java client does (murmur2), and records without a key take turns.
type partitioner struct{}

func (partitioner) ForTopic(string) kgo.TopicPartitioner {
	return &topicPartitioner{keyed: kgo.StickyKeyPartitioner(nil).ForTopic("")}
}

type topicPartitioner struct {
	keyed kgo.TopicPartitioner
	next  int
}

func (*topicPartitioner) RequiresConsistency(*kgo.Record) bool { return true }

func (p *topicPartitioner) Partition(r *kgo.Record, n int) int {
	if r.Partition >= 0 && int(r.Partition) < n {
		return int(r.Partition)
	}
	if r.Key != nil {
		return p.keyed.Partition(r, n)
	}
	p.next = (p.next + 1) % n
	return p.next
}
