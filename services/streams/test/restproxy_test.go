package test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"bcm/services/streams/internal/avrojson"
	"bcm/services/streams/internal/registry"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

const (
	v2JSON   = "application/vnd.kafka.json.v2+json"
	v2Binary = "application/vnd.kafka.binary.v2+json"
	v2Avro   = "application/vnd.kafka.avro.v2+json"
	v2       = "application/vnd.kafka.v2+json"
)

func createTopic(t *testing.T, name string, partitions int32) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(kafka(t)))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := kadm.NewClient(cl).CreateTopic(ctx, partitions, 1, nil, name); err != nil {
		t.Fatal(err)
	}
}

type produced struct {
	KeySchemaID   *int `json:"key_schema_id"`
	ValueSchemaID *int `json:"value_schema_id"`
	Offsets       []struct {
		Partition *int32  `json:"partition"`
		Offset    *int64  `json:"offset"`
		ErrorCode *int    `json:"error_code"`
		Error     *string `json:"error"`
	} `json:"offsets"`
}

// consume makes a consumer instance (the Confluent docs' sequence: create, subscribe, fetch
// until n records came, commit, delete) and returns the records.
func consume(t *testing.T, base, group, format, topic string, n int) []map[string]any {
	t.Helper()
	var inst struct {
		InstanceID string `json:"instance_id"`
		BaseURI    string `json:"base_uri"`
	}
	must(t, call(t, "POST", base+"/consumers/"+group, v2, map[string]string{"name": "c1", "format": format, "auto.offset.reset": "earliest", "auto.commit.enable": "false"}, &inst), 200, "create consumer")
	if inst.InstanceID != "c1" || inst.BaseURI == "" {
		t.Fatalf("consumer instance: %+v", inst)
	}
	uri := base + "/consumers/" + group + "/instances/c1"
	must(t, call(t, "POST", uri+"/subscription", v2, map[string]any{"topics": []string{topic}}, nil), 204, "subscribe")
	var sub map[string][]string
	must(t, call(t, "GET", uri+"/subscription", v2, nil, &sub), 200, "subscription")
	if fmt.Sprint(sub["topics"]) != "["+topic+"]" {
		t.Fatalf("subscription: %v", sub)
	}
	accept := "application/vnd.kafka." + format + ".v2+json"
	var all []map[string]any
	deadline := time.Now().Add(60 * time.Second)
	for len(all) < n && time.Now().Before(deadline) {
		var got []map[string]any
		must(t, call(t, "GET", uri+"/records?timeout=2000", accept, nil, &got), 200, "records")
		all = append(all, got...)
	}
	if len(all) != n {
		t.Fatalf("%d records from %s, want %d: %v", len(all), topic, n, all)
	}
	must(t, call(t, "POST", uri+"/offsets", v2, nil, nil), 200, "commit")
	must(t, call(t, "DELETE", uri, v2, nil, nil), 204, "delete consumer")
	var e errAnswer
	must(t, call(t, "GET", uri+"/records", accept, nil, &e), 404, "records of a deleted instance")
	if e.Code != 40403 {
		t.Fatalf("a deleted instance: %+v", e)
	}
	return all
}

// The Confluent docs' v2 requests: produce JSON and binary records to a topic, list topics,
// read a topic's metadata, consume through a consumer instance in a group, and the group's
// committed offsets (read back by franz-go).
func TestRestProxyV2JSONAndBinary(t *testing.T) {
	createTopic(t, "rest-json", 2)
	base := restInstance(t, "")
	var out produced
	must(t, call(t, "POST", base+"/topics/rest-json", v2JSON, `{"records":[{"key":"alice","value":{"name":"Alice","n":1}},{"value":[1,2,3]},{"value":"x","partition":1}]}`, &out), 200, "produce json")
	if len(out.Offsets) != 3 || out.Offsets[2].Partition == nil || *out.Offsets[2].Partition != 1 || out.ValueSchemaID != nil {
		t.Fatalf("produce answer: %+v", out)
	}
	for i, o := range out.Offsets {
		if o.Error != nil || o.Offset == nil {
			t.Fatalf("record %d: %+v", i, o)
		}
	}
	var topics []string
	must(t, call(t, "GET", base+"/topics", v2, nil, &topics), 200, "topics")
	found := false
	for _, n := range topics {
		found = found || n == "rest-json"
	}
	if !found {
		t.Fatalf("topics: %v", topics)
	}
	var meta struct {
		Name       string           `json:"name"`
		Partitions []map[string]any `json:"partitions"`
	}
	must(t, call(t, "GET", base+"/topics/rest-json", v2, nil, &meta), 200, "topic")
	if meta.Name != "rest-json" || len(meta.Partitions) != 2 {
		t.Fatalf("topic: %+v", meta)
	}
	var e errAnswer
	must(t, call(t, "GET", base+"/topics/no-such-topic", v2, nil, &e), 404, "a missing topic")
	if e.Code != 40401 {
		t.Fatalf("a missing topic: %+v", e)
	}

	records := consume(t, base, "rest-json-group", "json", "rest-json", 3)
	values := map[string]bool{}
	for _, r := range records {
		b, _ := json.Marshal(r["value"])
		values[string(b)] = true
		if r["topic"] != "rest-json" {
			t.Fatalf("record: %v", r)
		}
	}
	for _, want := range []string{`{"n":1,"name":"Alice"}`, `[1,2,3]`, `"x"`} {
		if !values[want] {
			t.Fatalf("values %v lack %s", values, want)
		}
	}
	// The commit reached Kafka: the group is at the end of both partitions.
	cl, _ := kgo.NewClient(kgo.SeedBrokers(kafka(t)))
	defer cl.Close()
	committed, err := kadm.NewClient(cl).FetchOffsets(context.Background(), "rest-json-group")
	if err != nil {
		t.Fatal(err)
	}
	total := int64(0)
	committed.Each(func(o kadm.OffsetResponse) { total += o.At })
	if total != 3 {
		t.Fatalf("committed offsets add up to %d, want 3", total)
	}

	createTopic(t, "rest-binary", 1)
	payload := []byte{0, 1, 2, 250, 255}
	must(t, call(t, "POST", base+"/topics/rest-binary", v2Binary, map[string]any{"records": []map[string]string{{"key": base64.StdEncoding.EncodeToString([]byte("k")), "value": base64.StdEncoding.EncodeToString(payload)}}}, &out), 200, "produce binary")
	got := consume(t, base, "rest-binary-group", "binary", "rest-binary", 1)
	if got[0]["value"] != base64.StdEncoding.EncodeToString(payload) || got[0]["key"] != base64.StdEncoding.EncodeToString([]byte("k")) {
		t.Fatalf("binary record: %v", got[0])
	}
}

const pageView = `{"type":"record","name":"PageView","namespace":"bcm.test","fields":[{"name":"url","type":"string"},{"name":"ms","type":"long"},{"name":"referrer","type":["null","string"],"default":null},{"name":"tags","type":{"type":"array","items":"string"}}]}`

// A schema registered through the registry's API, used by a producer through the REST proxy
// (value_schema_id), read back by a Kafka client with the schema resolved from the registry,
// and by an avro consumer instance of the proxy.
func TestRestProxyAvroThroughTheRegistry(t *testing.T) {
	createTopic(t, "pageviews", 1)
	reg := registryInstance(t, "_schemas_avro")
	base := restInstance(t, reg)
	status, id, e := register(t, reg, "pageviews-value", pageView)
	must(t, status, 200, fmt.Sprintf("register: %+v", e))
	body := fmt.Sprintf(`{"value_schema_id": %d, "records": [{"value": {"url": "/a", "ms": 1234567890123, "referrer": {"string": "/b"}, "tags": ["x", "y"]}}, {"value": {"url": "/c", "ms": 5, "referrer": null, "tags": []}}]}`, id.ID)
	var out produced
	must(t, call(t, "POST", base+"/topics/pageviews", v2Avro, body, &out), 200, "produce avro")
	if out.ValueSchemaID == nil || *out.ValueSchemaID != id.ID {
		t.Fatalf("produce answer: %+v", out)
	}
	// A value that does not fit the schema: refused with the field named.
	var bad errAnswer
	must(t, call(t, "POST", base+"/topics/pageviews", v2Avro, fmt.Sprintf(`{"value_schema_id": %d, "records": [{"value": {"url": 5}}]}`, id.ID), &bad), 422, "a value that does not fit")

	// A Kafka client: the wire format names the schema; the registry gives it.
	cl, err := kgo.NewClient(kgo.SeedBrokers(kafka(t)), kgo.ConsumeTopics("pageviews"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var values []any
	for len(values) < 2 && ctx.Err() == nil {
		cl.PollFetches(ctx).EachRecord(func(r *kgo.Record) {
			schemaID, payload, err := avrojson.Unframe(r.Value)
			if err != nil {
				t.Fatal(err)
			}
			var answer map[string]any
			must(t, call(t, "GET", fmt.Sprintf("%s/schemas/ids/%d", reg, schemaID), "", nil, &answer), http.StatusOK, "the record's schema")
			schema, err := registry.ParseAvro(answer["schema"].(string))
			if err != nil {
				t.Fatal(err)
			}
			v, err := avrojson.Decode(schema, payload)
			if err != nil {
				t.Fatal(err)
			}
			values = append(values, v)
		})
	}
	b, _ := json.Marshal(values)
	if want := `[{"ms":1234567890123,"referrer":{"string":"/b"},"tags":["x","y"],"url":"/a"},{"ms":5,"referrer":null,"tags":[],"url":"/c"}]`; string(b) != want {
		t.Fatalf("read back:\n%s\nwant\n%s", b, want)
	}
	// And through the proxy's avro consumer.
	records := consume(t, base, "pageviews-group", "avro", "pageviews", 2)
	b, _ = json.Marshal([]any{records[0]["value"], records[1]["value"]})
	if want := `[{"ms":1234567890123,"referrer":{"string":"/b"},"tags":["x","y"],"url":"/a"},{"ms":5,"referrer":null,"tags":[],"url":"/c"}]`; string(b) != want {
		t.Fatalf("avro consumer:\n%s", b)
	}
}

// The v3 API: the cluster, creating and listing topics, producing a record.
func TestRestProxyV3(t *testing.T) {
	base := restInstance(t, "")
	var clusters struct {
		Kind string `json:"kind"`
		Data []struct {
			ClusterID string `json:"cluster_id"`
		} `json:"data"`
	}
	must(t, call(t, "GET", base+"/v3/clusters", "application/json", nil, &clusters), 200, "clusters")
	if clusters.Kind != "KafkaClusterList" || len(clusters.Data) != 1 || clusters.Data[0].ClusterID != "YmNtLXN0cmVhbXMtdGVzdA" {
		t.Fatalf("clusters: %+v", clusters)
	}
	c := base + "/v3/clusters/" + clusters.Data[0].ClusterID
	var topic map[string]any
	must(t, call(t, "POST", c+"/topics", "application/json", `{"topic_name":"v3-topic","partitions_count":3,"replication_factor":1}`, &topic), 201, "create topic")
	if topic["topic_name"] != "v3-topic" || topic["partitions_count"] != float64(3) || topic["kind"] != "KafkaTopic" {
		t.Fatalf("created: %v", topic)
	}
	var rec map[string]any
	must(t, call(t, "POST", c+"/topics/v3-topic/records", "application/json", `{"key":{"type":"JSON","data":"k1"},"value":{"type":"JSON","data":{"hello":"world"}}}`, &rec), 200, "produce")
	if rec["error_code"] != float64(200) || rec["topic_name"] != "v3-topic" || rec["offset"] == nil {
		t.Fatalf("produced: %v", rec)
	}
	var list struct {
		Data []map[string]any `json:"data"`
	}
	must(t, call(t, "GET", c+"/topics", "application/json", nil, &list), 200, "topics")
	names := map[any]bool{}
	for _, d := range list.Data {
		names[d["topic_name"]] = true
	}
	if !names["v3-topic"] {
		t.Fatalf("topics: %v", names)
	}
	var e errAnswer
	must(t, call(t, "GET", base+"/v3/clusters/nope/topics", "application/json", nil, &e), 404, "another cluster")
}
