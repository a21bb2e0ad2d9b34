package registry

import (
	"encoding/json"
	"testing"
)

func schemaRecord(t *testing.T, subject string, version, id int, schema string, deleted bool) ([]byte, []byte) {
	t.Helper()
	k, _ := json.Marshal(recordKey{KeyType: "SCHEMA", Subject: &subject, Version: version, Magic: 1})
	v, _ := json.Marshal(Schema{Subject: subject, Version: version, ID: id, Schema: schema, Deleted: deleted})
	return k, v
}

const (
	a = `{"type":"record","name":"A","fields":[{"name":"x","type":"int"}]}`
	b = `{"type":"record","name":"B","fields":[{"name":"y","type":"string"}]}`
)

// The fold decides races the same way on every instance: the first record for a version, or
// for an id, wins; later ones are void.
func TestFoldFirstWriterWins(t *testing.T) {
	s := NewState()
	apply := func(offset int64, subject string, version, id int, schema string, deleted bool) {
		k, v := schemaRecord(t, subject, version, id, schema, deleted)
		s.Apply(offset, k, v)
	}
	apply(0, "s", 1, 1, a, false)
	apply(1, "s", 1, 2, b, false) // version 1 taken
	apply(2, "t", 1, 1, b, false) // id 1 holds other content
	apply(3, "t", 1, 2, a, false) // content a has id 1 already
	apply(4, "t", 1, 2, b, false) // all free: accepted
	if v := s.Version("s", 1, false); v == nil || v.ID != 1 || v.Schema != a {
		t.Fatalf("s v1: %+v", v)
	}
	if v := s.Version("t", 1, false); v == nil || v.ID != 2 || v.Schema != b {
		t.Fatalf("t v1: %+v", v)
	}
	if id, existing := s.IDFor(Avro, mustCanonical(t, a)); id != 1 || !existing {
		t.Fatalf("IDFor(a) = %d %v", id, existing)
	}
	if id, existing := s.IDFor(Avro, mustCanonical(t, `{"type":"string"}`)); id != 3 || existing {
		t.Fatalf("IDFor(new) = %d %v", id, existing)
	}
	apply(5, "s", 1, 1, a, true) // soft delete
	if s.Version("s", 1, false) != nil || s.Version("s", 1, true) == nil || len(s.Subjects(false)) != 1 {
		t.Fatalf("after the soft delete: %v %v", s.Version("s", 1, true), s.Subjects(false))
	}
	if s.NextVersion("s") != 2 {
		t.Fatalf("a deleted version keeps its number: next %d", s.NextVersion("s"))
	}
	if s.Applied() != 5 {
		t.Fatalf("applied %d", s.Applied())
	}
}

func mustCanonical(t *testing.T, schema string) string {
	c, err := Canonical(Avro, schema)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCanonicalAndCompatibility(t *testing.T) {
	if mustCanonical(t, `{ "fields": [{"type":"int","name":"x"}], "name": "A", "type": "record" }`) != mustCanonical(t, a) {
		t.Fatal("the same schema laid out otherwise is other content")
	}
	if _, err := Canonical(Avro, `{"type":"record","name":"A","fields":[{"name":"x","type":"nope"}]}`); err == nil {
		t.Fatal("an unknown type was taken")
	}
	if _, err := Canonical("PROTOBUF", `{}`); err == nil {
		t.Fatal("protobuf was taken")
	}
	old := []*Schema{{Version: 1, Schema: a, SchemaType: Avro}}
	withDefault := `{"type":"record","name":"A","fields":[{"name":"x","type":"int"},{"name":"z","type":"long","default":0}]}`
	without := `{"type":"record","name":"A","fields":[{"name":"x","type":"int"},{"name":"z","type":"long"}]}`
	for _, c := range []struct {
		level, schema string
		ok            bool
	}{
		{"BACKWARD", withDefault, true},
		{"BACKWARD", without, false},
		{"FORWARD", without, true},
		{"FULL", withDefault, true},
		{"FULL", without, false},
		{"NONE", b, true},
	} {
		err := Compatible(c.level, Avro, c.schema, old)
		if (err == nil) != c.ok {
			t.Errorf("%s %s: %v", c.level, c.schema, err)
		}
	}
}
