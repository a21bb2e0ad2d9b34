// Package avrojson converts between Avro's JSON encoding (what Confluent's REST proxy takes
// and gives for Avro topics: a union as {"type": value}, bytes as a string of code points)
// and the Confluent wire format (magic byte 0, the schema id in 4 bytes, the Avro binary).
package avrojson

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"github.com/hamba/avro/v2"
)

// Frame is the Confluent wire format of a value: 0, the schema id (big-endian), the payload.
func Frame(id int, payload []byte) []byte {
	out := make([]byte, 5, 5+len(payload))
	binary.BigEndian.PutUint32(out[1:], uint32(id))
	return append(out, payload...)
}

// Unframe splits a Confluent-framed value into its schema id and payload.
func Unframe(b []byte) (int, []byte, error) {
	if len(b) < 5 || b[0] != 0 {
		return 0, nil, fmt.Errorf("not in the schema registry's wire format (magic byte 0 and a 4-byte schema id)")
	}
	return int(binary.BigEndian.Uint32(b[1:5])), b[5:], nil
}

// Encode turns a value in Avro's JSON encoding (decoded with json.Decoder.UseNumber) into the
// Avro binary of schema.
func Encode(schema avro.Schema, v any) ([]byte, error) {
	native, err := toNative(schema, v, "value")
	if err != nil {
		return nil, err
	}
	return avro.Marshal(schema, native)
}

// Decode turns Avro binary into a value in Avro's JSON encoding.
func Decode(schema avro.Schema, b []byte) (any, error) {
	var native any
	if err := avro.Unmarshal(schema, b, &native); err != nil {
		return nil, err
	}
	return fromNative(schema, native), nil
}

func toNative(s avro.Schema, v any, at string) (any, error) {
	switch s := s.(type) {
	case *avro.RefSchema:
		return toNative(s.Schema(), v, at)
	case *avro.NullSchema:
		if v != nil {
			return nil, fmt.Errorf("%s: want null", at)
		}
		return nil, nil
	case *avro.PrimitiveSchema:
		return primitive(s.Type(), v, at)
	case *avro.RecordSchema:
		m, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s: want an object for record %s", at, s.FullName())
		}
		out := map[string]any{}
		for _, f := range s.Fields() {
			fv, present := m[f.Name()]
			if !present {
				if !f.HasDefault() {
					return nil, fmt.Errorf("%s.%s: missing, and the field has no default", at, f.Name())
				}
				continue
			}
			n, err := toNative(f.Type(), fv, at+"."+f.Name())
			if err != nil {
				return nil, err
			}
			out[f.Name()] = n
		}
		return out, nil
	case *avro.EnumSchema:
		str, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("%s: want a symbol of enum %s", at, s.FullName())
		}
		return str, nil
	case *avro.ArraySchema:
		list, ok := v.([]any)
		if !ok {
			return nil, fmt.Errorf("%s: want an array", at)
		}
		out := make([]any, len(list))
		for i, item := range list {
			n, err := toNative(s.Items(), item, fmt.Sprintf("%s[%d]", at, i))
			if err != nil {
				return nil, err
			}
			out[i] = n
		}
		return out, nil
	case *avro.MapSchema:
		m, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s: want an object for a map", at)
		}
		out := map[string]any{}
		for k, item := range m {
			n, err := toNative(s.Values(), item, at+"."+k)
			if err != nil {
				return nil, err
			}
			out[k] = n
		}
		return out, nil
	case *avro.UnionSchema:
		if v == nil {
			if s.Nullable() {
				return nil, nil
			}
			return nil, fmt.Errorf("%s: null is not in the union", at)
		}
		m, ok := v.(map[string]any)
		if !ok || len(m) != 1 {
			return nil, fmt.Errorf("%s: want {\"type\": value} for a union (Avro's JSON encoding)", at)
		}
		for name, inner := range m {
			for _, t := range s.Types() {
				if branchName(t) == name {
					n, err := toNative(t, inner, at)
					if err != nil {
						return nil, err
					}
					if s.Nullable() {
						return n, nil
					}
					return map[string]any{name: n}, nil
				}
			}
			return nil, fmt.Errorf("%s: %q is not a branch of the union", at, name)
		}
	case *avro.FixedSchema:
		str, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("%s: want a string for fixed %s", at, s.FullName())
		}
		b, err := codePoints(str, at)
		if err != nil {
			return nil, err
		}
		if len(b) != s.Size() {
			return nil, fmt.Errorf("%s: fixed %s has %d bytes, not %d", at, s.FullName(), s.Size(), len(b))
		}
		return b, nil
	}
	return nil, fmt.Errorf("%s: schema type %s is not supported", at, s.Type())
}

// branchName is how Avro's JSON encoding names a union branch: a named type's full name, else its type.
func branchName(s avro.Schema) string {
	if n, ok := s.(avro.NamedSchema); ok {
		return n.FullName()
	}
	if r, ok := s.(*avro.RefSchema); ok {
		return r.Schema().(avro.NamedSchema).FullName()
	}
	return string(s.Type())
}

func number(v any, at string) (json.Number, error) {
	switch n := v.(type) {
	case json.Number:
		return n, nil
	case float64:
		return json.Number(fmt.Sprint(n)), nil
	}
	return "", fmt.Errorf("%s: want a number", at)
}

func primitive(t avro.Type, v any, at string) (any, error) {
	switch t {
	case avro.Boolean:
		b, ok := v.(bool)
		if !ok {
			return nil, fmt.Errorf("%s: want true or false", at)
		}
		return b, nil
	case avro.Int, avro.Long:
		n, err := number(v, at)
		if err != nil {
			return nil, err
		}
		i, err := n.Int64()
		if err != nil || (t == avro.Int && (i > math.MaxInt32 || i < math.MinInt32)) {
			return nil, fmt.Errorf("%s: %s is not an Avro %s", at, n, t)
		}
		if t == avro.Int {
			return int(i), nil
		}
		return i, nil
	case avro.Float, avro.Double:
		n, err := number(v, at)
		if err != nil {
			return nil, err
		}
		f, err := n.Float64()
		if err != nil {
			return nil, fmt.Errorf("%s: %s is not a number", at, n)
		}
		if t == avro.Float {
			return float32(f), nil
		}
		return f, nil
	case avro.String:
		str, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("%s: want a string", at)
		}
		return str, nil
	case avro.Bytes:
		str, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("%s: want a string of code points 0-255 for bytes", at)
		}
		return codePoints(str, at)
	}
	return nil, fmt.Errorf("%s: type %s is not supported", at, t)
}

// codePoints: Avro's JSON encoding of bytes, each byte one code point 0-255.
func codePoints(s, at string) ([]byte, error) {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		if r > 255 {
			return nil, fmt.Errorf("%s: bytes are code points 0-255 in Avro's JSON encoding", at)
		}
		out = append(out, byte(r))
	}
	return out, nil
}

func fromCodePoints(b []byte) string {
	var sb strings.Builder
	for _, c := range b {
		sb.WriteRune(rune(c))
	}
	return sb.String()
}

func fromNative(s avro.Schema, v any) any {
	switch s := s.(type) {
	case *avro.RefSchema:
		return fromNative(s.Schema(), v)
	case *avro.PrimitiveSchema:
		if b, ok := v.([]byte); ok {
			return fromCodePoints(b)
		}
		return v
	case *avro.FixedSchema:
		switch b := v.(type) {
		case []byte:
			return fromCodePoints(b)
		}
		return v
	case *avro.RecordSchema:
		m, _ := v.(map[string]any)
		out := map[string]any{}
		for _, f := range s.Fields() {
			out[f.Name()] = fromNative(f.Type(), m[f.Name()])
		}
		return out
	case *avro.ArraySchema:
		list, _ := v.([]any)
		out := make([]any, len(list))
		for i, item := range list {
			out[i] = fromNative(s.Items(), item)
		}
		return out
	case *avro.MapSchema:
		m, _ := v.(map[string]any)
		out := map[string]any{}
		for k, item := range m {
			out[k] = fromNative(s.Values(), item)
		}
		return out
	case *avro.UnionSchema:
		if v == nil {
			return nil
		}
		if m, ok := v.(map[string]any); ok && len(m) == 1 {
			for name, inner := range m {
				for _, t := range s.Types() {
					if branchName(t) == name {
						return map[string]any{name: fromNative(t, inner)}
					}
				}
			}
		}
		// The decoder gives a union's value bare: its Go type names the branch.
		for _, t := range s.Types() {
			if t.Type() != avro.Null && fits(t, v) {
				return map[string]any{branchName(t): fromNative(t, v)}
			}
		}
		return v
	}
	return v
}

// fits says whether a decoded value is of schema t's kind.
func fits(t avro.Schema, v any) bool {
	if r, ok := t.(*avro.RefSchema); ok {
		t = r.Schema()
	}
	switch t.Type() {
	case avro.String, avro.Enum:
		_, ok := v.(string)
		return ok
	case avro.Int:
		_, ok := v.(int)
		if !ok {
			_, ok = v.(int32)
		}
		return ok
	case avro.Long:
		_, ok := v.(int64)
		return ok
	case avro.Float:
		_, ok := v.(float32)
		return ok
	case avro.Double:
		_, ok := v.(float64)
		return ok
	case avro.Boolean:
		_, ok := v.(bool)
		return ok
	case avro.Bytes, avro.Fixed:
		_, ok := v.([]byte)
		return ok
	case avro.Array:
		_, ok := v.([]any)
		return ok
	case avro.Record, avro.Map:
		_, ok := v.(map[string]any)
		return ok
	}
	return false
}
