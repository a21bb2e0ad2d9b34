package avrojson

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/hamba/avro/v2"
)

// Avro's JSON encoding in, Avro binary, and the same JSON out; the wire format's frame.
func TestRoundTrip(t *testing.T) {
	schema := avro.MustParse(`{"type":"record","name":"R","fields":[
{"name":"s","type":"string"},{"name":"l","type":"long"},{"name":"i","type":"int"},{"name":"d","type":"double"},
{"name":"b","type":"bytes"},{"name":"n","type":["null","string"]},{"name":"u","type":["int","string"]},
{"name":"a","type":{"type":"array","items":"long"}},{"name":"m","type":{"type":"map","values":"boolean"}},
{"name":"e","type":{"type":"enum","name":"E","symbols":["X","Y"]}}]}`)
	in := `{"a":[1,9007199254740993],"b":"\u0000\u00ff","d":1.5,"e":"Y","i":-3,"l":9007199254740993,"m":{"k":true},"n":{"string":"x"},"s":"hé","u":{"string":"v"}}`
	dec := json.NewDecoder(bytes.NewReader([]byte(in)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	bin, err := Encode(schema, v)
	if err != nil {
		t.Fatal(err)
	}
	id, payload, err := Unframe(Frame(7, bin))
	if err != nil || id != 7 || !bytes.Equal(payload, bin) {
		t.Fatalf("frame: %d %v", id, err)
	}
	out, err := Decode(schema, payload)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(out)
	var want any
	wd := json.NewDecoder(bytes.NewReader([]byte(in)))
	wd.UseNumber()
	_ = wd.Decode(&want)
	wantText, _ := json.Marshal(want)
	if string(got) != string(wantText) {
		t.Fatalf("\n got %s\nwant %s", got, wantText)
	}
	if _, err := Encode(schema, map[string]any{"s": 1}); err == nil {
		t.Fatal("a number for a string was taken")
	}
	if _, _, err := Unframe([]byte("plain")); err == nil {
		t.Fatal("an unframed value was taken")
	}
}
