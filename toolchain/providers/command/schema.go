package main

import (
	"encoding/json"
	"strings"
)

// schemaJSON renders the package schema from the property tables in spec.go.
// It carries types and short descriptions (not upstream's long docs and
// examples): enough for the engine, `pulumi package get-schema` and YAML
// programs, and it cannot drift from what Check accepts.
func schemaJSON() (string, error) {
	loggingEnum := map[string]any{"type": "string"}
	var values []map[string]any
	for _, v := range loggingValues {
		values = append(values, map[string]any{"value": v})
	}
	loggingEnum["enum"] = values

	types := map[string]any{
		"command:local:Logging":          loggingEnum,
		"command:remote:Logging":         loggingEnum,
		"command:remote:Connection":      objectType("Instructions for how to connect to a remote endpoint.", "remote", connectionFields),
		"command:remote:ProxyConnection": objectType("Instructions for how to connect to a remote endpoint via a bastion host.", "remote", proxyFields),
	}

	resources := map[string]any{}
	for token, spec := range resourceSpecs {
		module := moduleOf(token)
		all := concat(spec.inputs, spec.outputs)
		res := map[string]any{
			"description":     spec.doc,
			"properties":      properties(module, all),
			"inputProperties": properties(module, spec.inputs),
		}
		if req := required(all); len(req) > 0 {
			res["required"] = req
		}
		if req := required(spec.inputs); len(req) > 0 {
			res["requiredInputs"] = req
		}
		if token == tokCopyFile {
			res["deprecationMessage"] = "This resource is deprecated and will be removed in a future release. Please use the `CopyToRemote` resource instead."
		}
		resources[token] = res
	}

	runOutputs := concat(runInvokeInputs, stdOutputs, assetOutputs)
	pkg := map[string]any{
		"name":        "command",
		"displayName": "Command",
		"version":     version,
		"description": "The Pulumi Command Provider enables you to execute commands and scripts either locally or remotely as part of the Pulumi resource model.",
		"keywords":    []string{"pulumi", "command", "category/utility", "kind/native"},
		"license":     "Apache-2.0",
		"meta":        map[string]any{"moduleFormat": "(.*)"},
		"provider":    map[string]any{"description": "The provider type for the command package."},
		"types":       types,
		"resources":   resources,
		"functions": map[string]any{
			tokLocalRun: map[string]any{
				"description": "A local command to be executed unconditionally, on every program run.",
				"inputs":      map[string]any{"properties": properties("local", runInvokeInputs), "required": required(runInvokeInputs)},
				"outputs":     map[string]any{"properties": properties("local", runOutputs), "required": required(runOutputs)},
			},
		},
	}
	b, err := json.MarshalIndent(pkg, "", "  ")
	return string(b), err
}

func moduleOf(token string) string {
	parts := strings.Split(token, ":")
	return parts[1]
}

func objectType(doc, module string, fields []propSpec) map[string]any {
	t := map[string]any{"type": "object", "description": doc, "properties": properties(module, fields)}
	if req := required(fields); len(req) > 0 {
		t["required"] = req
	}
	return t
}

func properties(module string, specs []propSpec) map[string]any {
	out := map[string]any{}
	for _, p := range specs {
		prop := typeOf(module, p.kind)
		prop["description"] = p.doc
		switch p.name {
		case "connection", "password", "privateKey", "privateKeyPassword":
			prop["secret"] = true // the SDK wraps these in pulumi.secret
		case "port":
			prop["default"] = 22
		case "user":
			prop["default"] = "root"
		case "dialErrorLimit":
			prop["default"] = 10
		case "perDialTimeout":
			prop["default"] = 15
		}
		out[p.name] = prop
	}
	return out
}

func typeOf(module string, k propKind) map[string]any {
	switch k {
	case kBool:
		return map[string]any{"type": "boolean"}
	case kInt:
		return map[string]any{"type": "integer"}
	case kStringList:
		return map[string]any{"type": "array", "items": map[string]any{"type": "string"}}
	case kStringMap:
		return map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "string"}}
	case kAnyList:
		return map[string]any{"type": "array", "items": map[string]any{"$ref": "pulumi.json#/Any"}}
	case kLogging:
		return map[string]any{"$ref": "#/types/command:" + module + ":Logging"}
	case kConnection:
		return map[string]any{"$ref": "#/types/command:remote:Connection"}
	case kProxyConnection:
		return map[string]any{"$ref": "#/types/command:remote:ProxyConnection"}
	case kAssetOrArchive:
		return map[string]any{"$ref": "pulumi.json#/Asset"}
	case kAssetMap:
		return map[string]any{"type": "object", "additionalProperties": map[string]any{"$ref": "pulumi.json#/Asset"}}
	case kArchive:
		return map[string]any{"$ref": "pulumi.json#/Archive"}
	}
	return map[string]any{"type": "string"}
}

func required(specs []propSpec) []string {
	var out []string
	for _, p := range specs {
		if p.required {
			out = append(out, p.name)
		}
	}
	return out
}
