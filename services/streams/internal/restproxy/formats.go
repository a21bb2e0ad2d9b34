package restproxy

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"bcm/services/streams/internal/avrojson"

	"github.com/hamba/avro/v2"
)

// Embedded formats of the v2 API.
const (
	formatJSON   = "json"
	formatBinary = "binary"
	formatAvro   = "avro"
)

// embeddedFormat reads a v2 content type, application/vnd.kafka[.FORMAT].v2+json; plain JSON
// types are binary, as in Confluent's proxy.
func embeddedFormat(contentType string) (string, error) {
	ct := strings.TrimSpace(strings.SplitN(contentType, ";", 2)[0])
	switch ct {
	case "application/vnd.kafka.json.v2+json":
		return formatJSON, nil
	case "application/vnd.kafka.binary.v2+json", "application/vnd.kafka.v2+json", "application/json", "application/vnd.kafka+json", "application/octet-stream", "":
		return formatBinary, nil
	case "application/vnd.kafka.avro.v2+json":
		return formatAvro, nil
	}
	return "", fail(http.StatusUnsupportedMediaType, codeUnsupportedFormat, "Content-Type %s is not one of application/vnd.kafka.{json,binary,avro}.v2+json", ct)
}

// encodeJSON and encodeBinary turn an embedded value into record bytes (nil stays nil).
func encodeJSON(v json.RawMessage) ([]byte, error) {
	if len(v) == 0 || string(v) == "null" {
		return nil, nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func encodeBinary(v json.RawMessage) ([]byte, error) {
	if len(v) == 0 || string(v) == "null" {
		return nil, nil
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		return nil, fmt.Errorf("binary data must be a base64 string")
	}
	return base64.StdEncoding.DecodeString(s)
}

// decodeAs turns record bytes into the embedded form of format.
func (s *Server) decodeAs(ctx context.Context, format string, b []byte) (any, error) {
	if b == nil {
		return nil, nil
	}
	switch format {
	case formatJSON:
		var v any
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("the record is not JSON: %v", err)
		}
		return v, nil
	case formatAvro:
		if s.registry == nil {
			return nil, fmt.Errorf("no schema registry is configured for avro")
		}
		id, payload, err := avrojson.Unframe(b)
		if err != nil {
			return nil, err
		}
		schema, err := s.registry.byID(ctx, id)
		if err != nil {
			return nil, err
		}
		return avrojson.Decode(schema, payload)
	}
	return base64.StdEncoding.EncodeToString(b), nil
}

// registryClient fetches and registers schemas over Confluent's registry API; schemas by id never change, so they are kept.
type registryClient struct {
	base  string
	http  *http.Client
	mu    sync.Mutex
	cache map[int]avro.Schema
}

func newRegistryClient(base string) *registryClient {
	return &registryClient{base: strings.TrimSuffix(base, "/"), http: &http.Client{}, cache: map[int]avro.Schema{}}
}

func (c *registryClient) call(ctx context.Context, method, path string, body any, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/vnd.schemaregistry.v1+json")
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("schema registry: %v", err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if resp.StatusCode/100 != 2 {
		var e struct {
			Code int    `json:"error_code"`
			Msg  string `json:"message"`
		}
		_ = json.Unmarshal(data, &e)
		return &apiError{status: http.StatusUnprocessableEntity, Code: codeSchemaMissing, Msg: fmt.Sprintf("schema registry answered %d: %s", resp.StatusCode, e.Msg)}
	}
	return json.Unmarshal(data, out)
}

func (c *registryClient) byID(ctx context.Context, id int) (avro.Schema, error) {
	c.mu.Lock()
	s := c.cache[id]
	c.mu.Unlock()
	if s != nil {
		return s, nil
	}
	var out struct {
		Schema     string `json:"schema"`
		SchemaType string `json:"schemaType"`
	}
	if err := c.call(ctx, http.MethodGet, fmt.Sprintf("/schemas/ids/%d", id), nil, &out); err != nil {
		return nil, err
	}
	if out.SchemaType != "" && out.SchemaType != "AVRO" {
		return nil, fmt.Errorf("schema %d is %s, not AVRO", id, out.SchemaType)
	}
	s, err := avro.ParseWithCache(out.Schema, "", &avro.SchemaCache{})
	if err != nil {
		return nil, fmt.Errorf("schema %d: %v", id, err)
	}
	c.mu.Lock()
	c.cache[id] = s
	c.mu.Unlock()
	return s, nil
}

// register registers schema under subject (or finds it there) and returns its id.
func (c *registryClient) register(ctx context.Context, subject, schema string) (int, error) {
	var out struct {
		ID int `json:"id"`
	}
	if err := c.call(ctx, http.MethodPost, "/subjects/"+url.PathEscape(subject)+"/versions", map[string]string{"schema": schema}, &out); err != nil {
		return 0, err
	}
	return out.ID, nil
}
