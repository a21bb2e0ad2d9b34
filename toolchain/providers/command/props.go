package main

import (
	"sort"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"google.golang.org/protobuf/types/known/structpb"
)

// The engine is told (Configure) that we accept secrets and resource
// references, so both arrive strongly typed. We keep them as-is in the maps we
// hand back, and read values through the plain* helpers that strip the secret
// wrappers.

func unmarshal(s *structpb.Struct) (resource.PropertyMap, error) {
	if s == nil {
		return resource.PropertyMap{}, nil
	}
	return plugin.UnmarshalProperties(s, plugin.MarshalOptions{
		KeepUnknowns: true, KeepSecrets: true, KeepResources: true, SkipNulls: true,
	})
}

func marshal(m resource.PropertyMap) (*structpb.Struct, error) {
	return plugin.MarshalProperties(m, plugin.MarshalOptions{
		KeepUnknowns: true, KeepSecrets: true, KeepResources: true, SkipNulls: true,
	})
}

// plain removes secret (and output) wrappers at every depth so values can be
// read and compared; secretness is tracked separately from the raw maps.
func plain(v resource.PropertyValue) resource.PropertyValue {
	switch {
	case v.IsSecret():
		return plain(v.SecretValue().Element)
	case v.IsOutput():
		o := v.OutputValue()
		if !o.Known {
			return resource.MakeComputed(resource.NewStringProperty(""))
		}
		return plain(o.Element)
	case v.IsArray():
		arr := v.ArrayValue()
		out := make([]resource.PropertyValue, len(arr))
		for i, e := range arr {
			out[i] = plain(e)
		}
		return resource.NewArrayProperty(out)
	case v.IsObject():
		return resource.NewObjectProperty(plainMap(v.ObjectValue()))
	}
	return v
}

func plainMap(m resource.PropertyMap) resource.PropertyMap {
	out := make(resource.PropertyMap, len(m))
	for k, v := range m {
		out[k] = plain(v)
	}
	return out
}

// str returns a string property of a plain map; ok is false when absent/null.
func str(m resource.PropertyMap, key string) (string, bool) {
	v, has := m[resource.PropertyKey(key)]
	if !has || !v.IsString() {
		return "", false
	}
	return v.StringValue(), true
}

func strPtr(m resource.PropertyMap, key string) *string {
	if s, ok := str(m, key); ok {
		return &s
	}
	return nil
}

func boolOr(m resource.PropertyMap, key string, def bool) bool {
	v, has := m[resource.PropertyKey(key)]
	if !has || !v.IsBool() {
		return def
	}
	return v.BoolValue()
}

func intOr(m resource.PropertyMap, key string, def int) int {
	v, has := m[resource.PropertyKey(key)]
	if !has || !v.IsNumber() {
		return def
	}
	return int(v.NumberValue())
}

func strList(m resource.PropertyMap, key string) []string {
	v, has := m[resource.PropertyKey(key)]
	if !has || !v.IsArray() {
		return nil
	}
	var out []string
	for _, e := range v.ArrayValue() {
		if e.IsString() {
			out = append(out, e.StringValue())
		}
	}
	return out
}

func strMap(m resource.PropertyMap, key string) map[string]string {
	v, has := m[resource.PropertyKey(key)]
	if !has || !v.IsObject() {
		return nil
	}
	out := map[string]string{}
	for k, e := range v.ObjectValue() {
		if e.IsString() {
			out[string(k)] = e.StringValue()
		}
	}
	return out
}

func obj(m resource.PropertyMap, key string) (resource.PropertyMap, bool) {
	v, has := m[resource.PropertyKey(key)]
	if !has || !v.IsObject() {
		return nil, false
	}
	return v.ObjectValue(), true
}

// sortedKeys gives deterministic iteration order for environment maps.
func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// anySecret reports whether any of the named raw properties contains a secret.
func anySecret(raw resource.PropertyMap, keys ...string) bool {
	for _, k := range keys {
		if v, ok := raw[resource.PropertyKey(k)]; ok && v.ContainsSecrets() {
			return true
		}
	}
	return false
}

// secretStrings collects every string found under a secret wrapper, so that
// log lines and error messages can be scrubbed of them. The connection is
// special: the SDK makes all of it secret, but scrubbing its host or user
// ("root") from every log line would only garble output, so only its
// credentials are collected.
func secretStrings(raw resource.PropertyMap) []string {
	var out []string
	for k, v := range raw {
		if k == "connection" {
			out = append(out, connectionCredentials(plain(v))...)
		} else {
			out = append(out, secretLeaves(v)...)
		}
	}
	return out
}

func connectionCredentials(conn resource.PropertyValue) []string {
	if !conn.IsObject() {
		return nil
	}
	var out []string
	m := conn.ObjectValue()
	for _, k := range []string{"password", "privateKey", "privateKeyPassword"} {
		if s, ok := str(m, k); ok && s != "" {
			out = append(out, s)
		}
	}
	if proxy, ok := m["proxy"]; ok {
		out = append(out, connectionCredentials(proxy)...)
	}
	return out
}

func secretLeaves(root resource.PropertyValue) []string {
	var out []string
	var walk func(v resource.PropertyValue, inSecret bool)
	walk = func(v resource.PropertyValue, inSecret bool) {
		switch {
		case v.IsSecret():
			walk(v.SecretValue().Element, true)
		case v.IsOutput():
			o := v.OutputValue()
			walk(o.Element, inSecret || o.Secret)
		case v.IsArray():
			for _, e := range v.ArrayValue() {
				walk(e, inSecret)
			}
		case v.IsObject():
			for _, e := range v.ObjectValue() {
				walk(e, inSecret)
			}
		case v.IsString() && inSecret:
			out = append(out, v.StringValue())
		}
	}
	walk(root, false)
	return out
}
