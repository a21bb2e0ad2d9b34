package main

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// checkProps validates a raw input map against a property table. Unknown
// (computed) values are accepted as-is: they are checked again at apply time
// when the engine calls Check with the resolved values. Failures name the
// property path so the engine can point at the offending input.
func checkProps(raw resource.PropertyMap, specs []propSpec, prefix string) []*pulumirpc.CheckFailure {
	var fails []*pulumirpc.CheckFailure
	fail := func(name, format string, args ...any) {
		fails = append(fails, &pulumirpc.CheckFailure{Property: prefix + name, Reason: fmt.Sprintf(format, args...)})
	}
	known := map[string]propSpec{}
	for _, s := range specs {
		known[s.name] = s
	}

	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, string(k))
	}
	sort.Strings(keys)
	for _, k := range keys {
		spec, ok := known[k]
		if !ok {
			// Engine-internal keys ("__defaults" from old SDKs) are not user input.
			if !resource.IsInternalPropertyKey(resource.PropertyKey(k)) {
				fail(k, "unknown property %q", k)
			}
			continue
		}
		fails = append(fails, checkValue(plain(raw[resource.PropertyKey(k)]), spec, prefix)...)
	}
	for _, s := range specs {
		if v, has := raw[resource.PropertyKey(s.name)]; s.required && (!has || v.IsNull()) {
			fail(s.name, "missing required property %q", s.name)
		}
	}
	return fails
}

func checkValue(v resource.PropertyValue, spec propSpec, prefix string) []*pulumirpc.CheckFailure {
	if v.ContainsUnknowns() && !v.IsObject() && !v.IsArray() || v.IsNull() {
		return nil
	}
	name := prefix + spec.name
	bad := func(format string, args ...any) []*pulumirpc.CheckFailure {
		return []*pulumirpc.CheckFailure{{Property: name, Reason: fmt.Sprintf(format, args...)}}
	}
	switch spec.kind {
	case kString:
		if !v.IsString() {
			return bad("%s must be a string, got %s", spec.name, v.TypeString())
		}
	case kBool:
		if !v.IsBool() {
			return bad("%s must be a boolean, got %s", spec.name, v.TypeString())
		}
	case kInt:
		if !v.IsNumber() || v.NumberValue() != math.Trunc(v.NumberValue()) {
			return bad("%s must be an integer, got %s", spec.name, v.String())
		}
	case kLogging:
		if !v.IsString() || !slices.Contains(loggingValues, v.StringValue()) {
			return bad("%s must be one of %v, got %s", spec.name, loggingValues, v.String())
		}
	case kStringList:
		if !v.IsArray() {
			return bad("%s must be a list of strings, got %s", spec.name, v.TypeString())
		}
		for i, e := range v.ArrayValue() {
			if !e.IsString() && !e.ContainsUnknowns() {
				return bad("%s[%d] must be a string, got %s", spec.name, i, e.TypeString())
			}
		}
		if spec.name == "interpreter" && len(v.ArrayValue()) == 0 {
			return bad("interpreter must name at least the program to run")
		}
	case kStringMap:
		if !v.IsObject() {
			return bad("%s must be a map of strings, got %s", spec.name, v.TypeString())
		}
		for k, e := range v.ObjectValue() {
			if !e.IsString() && !e.ContainsUnknowns() {
				return bad("%s.%s must be a string, got %s", spec.name, k, e.TypeString())
			}
		}
	case kAnyList:
		if !v.IsArray() {
			return bad("%s must be a list, got %s", spec.name, v.TypeString())
		}
	case kAssetOrArchive:
		if !v.IsAsset() && !v.IsArchive() {
			return bad("%s must be an asset or an archive, got %s", spec.name, v.TypeString())
		}
	case kConnection, kProxyConnection:
		if !v.IsObject() {
			return bad("%s must be an object, got %s", spec.name, v.TypeString())
		}
		fields := connectionFields
		if spec.kind == kProxyConnection {
			fields = proxyFields
		}
		fails := checkProps(v.ObjectValue(), fields, name+".")
		if p, ok := v.ObjectValue()["port"]; ok && p.IsNumber() && (p.NumberValue() < 1 || p.NumberValue() > 65535) {
			fails = append(fails, &pulumirpc.CheckFailure{Property: name + ".port", Reason: "port must be between 1 and 65535"})
		}
		return fails
	}
	return nil
}
