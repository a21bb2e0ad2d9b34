package registry

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/hamba/avro/v2"
)

// Schema types this registry takes. Protobuf is not among them (no parser here).
const (
	Avro = "AVRO"
	JSON = "JSON"
)

// kindOf is a stored schemaType: empty means AVRO, as in Confluent's records.
func kindOf(schemaType string) string {
	if schemaType == "" {
		return Avro
	}
	return strings.ToUpper(schemaType)
}

// Levels are the compatibility levels Confluent's registry knows.
var Levels = []string{"NONE", "BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE"}

// ValidLevel says whether level is one of Levels.
func ValidLevel(level string) bool {
	for _, l := range Levels {
		if l == level {
			return true
		}
	}
	return false
}

// Canonical is the content's identity: the JSON with keys sorted and no white space, after
// checking that it parses as its type. Two registrations of the same content, however laid
// out, get one id; a changed default or doc is other content.
func Canonical(kind, schema string) (string, error) {
	var v any
	if err := json.Unmarshal([]byte(schema), &v); err != nil {
		return "", fmt.Errorf("the schema is not JSON: %v", err)
	}
	switch kind {
	case Avro:
		if _, err := parseAvro(schema); err != nil {
			return "", err
		}
	case JSON:
		if _, ok := v.(map[string]any); !ok {
			if _, isBool := v.(bool); !isBool {
				return "", fmt.Errorf("a JSON schema is an object or a boolean")
			}
		}
	default:
		return "", fmt.Errorf("schemaType %s is not supported here (AVRO or JSON)", kind)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// parseAvro parses with a cache of its own: named types of one schema never leak into another.
func parseAvro(schema string) (avro.Schema, error) {
	s, err := avro.ParseWithCache(schema, "", &avro.SchemaCache{})
	if err != nil {
		return nil, fmt.Errorf("invalid Avro schema: %v", err)
	}
	return s, nil
}

// ParseAvro parses an Avro schema on its own (for encoders and decoders).
func ParseAvro(schema string) (avro.Schema, error) { return parseAvro(schema) }

// Compatible checks a new schema against the versions the level compares it with (the
// latest, or all for the _TRANSITIVE levels), oldest first, and says why not when it is not.
// BACKWARD: the new schema reads data written with the old; FORWARD: the old reads the new;
// FULL: both. JSON schemas are stored without a compatibility check.
func Compatible(level, kind, schema string, previous []*Schema) error {
	if level == "NONE" || kind != Avro || len(previous) == 0 {
		return nil
	}
	against := previous
	if !strings.HasSuffix(level, "_TRANSITIVE") {
		against = previous[len(previous)-1:]
	}
	next, err := parseAvro(schema)
	if err != nil {
		return err
	}
	checker := avro.NewSchemaCompatibility()
	base := strings.TrimSuffix(level, "_TRANSITIVE")
	for _, p := range against {
		if kindOf(p.SchemaType) != Avro {
			continue
		}
		old, err := parseAvro(p.Schema)
		if err != nil {
			return err
		}
		if base == "BACKWARD" || base == "FULL" {
			if err := checker.Compatible(next, old); err != nil {
				return fmt.Errorf("the new schema cannot read data written with version %d (%s): %v", p.Version, level, err)
			}
		}
		if base == "FORWARD" || base == "FULL" {
			if err := checker.Compatible(old, next); err != nil {
				return fmt.Errorf("version %d cannot read data written with the new schema (%s): %v", p.Version, level, err)
			}
		}
	}
	return nil
}
