// Package registry is a Confluent-compatible schema registry whose only store is a compacted
// Kafka topic (`_schemas`, Confluent's own layout of keys and values): every instance reads
// the whole topic into memory and answers from there; a write is a record appended to the
// topic, accepted or not by the same deterministic fold on every instance.
package registry

import (
	"encoding/json"
	"sort"
	"sync"
)

// Schema is one version of a subject.
type Schema struct {
	Subject    string      `json:"subject"`
	Version    int         `json:"version"`
	ID         int         `json:"id"`
	SchemaType string      `json:"schemaType,omitempty"`
	Schema     string      `json:"schema"`
	References []Reference `json:"references,omitempty"`
	Deleted    bool        `json:"deleted"`
}

// Reference names another subject's version a schema refers to (stored, not resolved here).
type Reference struct {
	Name    string `json:"name"`
	Subject string `json:"subject"`
	Version int    `json:"version"`
}

// recordKey is a `_schemas` key, as Confluent's registry writes it.
type recordKey struct {
	KeyType string  `json:"keytype"`
	Subject *string `json:"subject"`
	Version int     `json:"version,omitempty"`
	Magic   int     `json:"magic"`
}

// configValue is the value of a CONFIG record.
type configValue struct {
	CompatibilityLevel string `json:"compatibilityLevel"`
}

// text is a schema's content, shared by every subject version with the same canonical form.
type text struct {
	id        int
	schema    string
	kind      string
	canonical string
}

// State is the fold of the `_schemas` topic.
type State struct {
	mu        sync.RWMutex
	subjects  map[string]map[int]*Schema
	ids       map[int]*text
	canonical map[string]int // kind + "\x00" + canonical form → id
	config    map[string]string
	applied   int64 // offset of the last record applied, -1 before any
}

// NewState is an empty fold.
func NewState() *State {
	return &State{subjects: map[string]map[int]*Schema{}, ids: map[int]*text{}, canonical: map[string]int{}, config: map[string]string{}, applied: -1}
}

func canonKey(kind, canonical string) string { return kind + "\x00" + canonical }

// Apply folds one record in (key and value as stored; a nil value is a tombstone). Every
// instance applies the same records in the same order, so every instance decides alike: a
// schema record is accepted only if its subject version is free and its id is free or holds
// the same content; a record that lost a race is ignored (its writer sees that and retries).
func (s *State) Apply(offset int64, key, value []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if offset > s.applied {
		s.applied = offset
	}
	var k recordKey
	if json.Unmarshal(key, &k) != nil {
		return
	}
	switch k.KeyType {
	case "CONFIG":
		subject := ""
		if k.Subject != nil {
			subject = *k.Subject
		}
		var v configValue
		if value == nil || json.Unmarshal(value, &v) != nil || v.CompatibilityLevel == "" {
			delete(s.config, subject)
			return
		}
		s.config[subject] = v.CompatibilityLevel
	case "SCHEMA":
		if k.Subject == nil {
			return
		}
		versions := s.subjects[*k.Subject]
		if value == nil { // a hard delete
			if versions != nil {
				delete(versions, k.Version)
			}
			return
		}
		var v Schema
		if json.Unmarshal(value, &v) != nil || v.Subject != *k.Subject || v.Version != k.Version || v.Version < 1 || v.ID < 1 {
			return
		}
		kind := kindOf(v.SchemaType)
		if have := versions[v.Version]; have != nil {
			// The same version again: only its deleted flag may change.
			if have.ID == v.ID {
				have.Deleted = v.Deleted
			}
			return
		}
		if v.Deleted {
			return
		}
		canonical, err := Canonical(kind, v.Schema)
		if err != nil {
			return
		}
		if t := s.ids[v.ID]; t != nil && (t.kind != kind || t.canonical != canonical) {
			return // the id went to other content first
		}
		if id, ok := s.canonical[canonKey(kind, canonical)]; ok && id != v.ID {
			return // this content has an id already
		}
		if versions == nil {
			versions = map[int]*Schema{}
			s.subjects[v.Subject] = versions
		}
		stored := v
		stored.SchemaType = kind
		versions[v.Version] = &stored
		if s.ids[v.ID] == nil {
			s.ids[v.ID] = &text{id: v.ID, schema: v.Schema, kind: kind, canonical: canonical}
			s.canonical[canonKey(kind, canonical)] = v.ID
		}
	}
}

// Applied is the offset of the last record folded in (-1 before any).
func (s *State) Applied() int64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.applied
}

// Subjects lists subjects with a live version (or any version when deleted is true), sorted.
func (s *State) Subjects(deleted bool) []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := []string{}
	for name, versions := range s.subjects {
		for _, v := range versions {
			if deleted || !v.Deleted {
				out = append(out, name)
				break
			}
		}
	}
	sort.Strings(out)
	return out
}

// Versions lists a subject's version numbers, ascending; nil when the subject has none.
func (s *State) Versions(subject string, deleted bool) []int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []int
	for n, v := range s.subjects[subject] {
		if deleted || !v.Deleted {
			out = append(out, n)
		}
	}
	sort.Ints(out)
	return out
}

// Version is a subject's version (version -1: the latest live one), or nil.
func (s *State) Version(subject string, version int, deleted bool) *Schema {
	s.mu.RLock()
	defer s.mu.RUnlock()
	versions := s.subjects[subject]
	if version == -1 {
		var latest *Schema
		for _, v := range versions {
			if !v.Deleted && (latest == nil || v.Version > latest.Version) {
				latest = v
			}
		}
		if latest == nil {
			return nil
		}
		c := *latest
		return &c
	}
	v := versions[version]
	if v == nil || (v.Deleted && !deleted) {
		return nil
	}
	c := *v
	return &c
}

// ByID is the schema text with that id: its content and type, or ok false.
func (s *State) ByID(id int) (schema, kind string, ok bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	t := s.ids[id]
	if t == nil {
		return "", "", false
	}
	return t.schema, t.kind, true
}

// SubjectVersionsOf lists the (subject, version) pairs that use an id.
func (s *State) SubjectVersionsOf(id int) []Schema {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []Schema
	for _, versions := range s.subjects {
		for _, v := range versions {
			if v.ID == id && !v.Deleted {
				out = append(out, Schema{Subject: v.Subject, Version: v.Version})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Subject != out[j].Subject {
			return out[i].Subject < out[j].Subject
		}
		return out[i].Version < out[j].Version
	})
	return out
}

// Lookup finds a live version of subject with the same content.
func (s *State) Lookup(subject, kind, canonical string) *Schema {
	s.mu.RLock()
	defer s.mu.RUnlock()
	id, ok := s.canonical[canonKey(kind, canonical)]
	if !ok {
		return nil
	}
	var found *Schema
	for _, v := range s.subjects[subject] {
		if v.ID == id && !v.Deleted && (found == nil || v.Version < found.Version) {
			found = v
		}
	}
	if found == nil {
		return nil
	}
	c := *found
	return &c
}

// IDFor is the id content already has, or the next free one.
func (s *State) IDFor(kind, canonical string) (id int, existing bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if id, ok := s.canonical[canonKey(kind, canonical)]; ok {
		return id, true
	}
	max := 0
	for id := range s.ids {
		if id > max {
			max = id
		}
	}
	return max + 1, false
}

// NextVersion is the version a new schema of subject gets (deleted versions keep their numbers).
func (s *State) NextVersion(subject string) int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	max := 0
	for n := range s.subjects[subject] {
		if n > max {
			max = n
		}
	}
	return max + 1
}

// Compatibility is the level for a subject (its own, else the global one, else BACKWARD);
// own is false when the subject has none of its own.
func (s *State) Compatibility(subject string) (level string, own bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if l, ok := s.config[subject]; ok && subject != "" {
		return l, true
	}
	if l, ok := s.config[""]; ok {
		return l, subject == ""
	}
	return "BACKWARD", false
}
