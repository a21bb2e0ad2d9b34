package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/structpb"
)

func writeJSON(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestRequiredPluginsFindsDeclaredProvidersOnceEach(t *testing.T) {
	root := t.TempDir()
	nm := filepath.Join(root, "node_modules")
	writeJSON(t, filepath.Join(nm, "@pulumi", "random", "package.json"),
		`{"name":"@pulumi/random","version":"4.21.1","pulumi":{"resource":true,"name":"random","version":"4.21.1"}}`)
	writeJSON(t, filepath.Join(nm, "@pulumi", "pulumi", "package.json"), `{"name":"@pulumi/pulumi","version":"3.248.0"}`)
	// A nested copy at the same version is one plugin; another version is another.
	writeJSON(t, filepath.Join(nm, "lib", "node_modules", "@pulumi", "random", "package.json"),
		`{"name":"@pulumi/random","version":"4.21.1","pulumi":{"resource":true}}`)
	writeJSON(t, filepath.Join(nm, "other", "node_modules", "@pulumi", "random", "package.json"),
		`{"name":"@pulumi/random","version":"4.20.0","pulumi":{"resource":true}}`)
	writeJSON(t, filepath.Join(nm, "notplugin", "package.json"), `{"name":"x","pulumi":{"resource":false,"name":"x"}}`)

	program := filepath.Join(root, "stacks")
	if err := os.MkdirAll(program, 0o755); err != nil {
		t.Fatal(err)
	}
	got, err := requiredPlugins(program) // found by walking up from the program directory
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range got {
		if p.Kind != "resource" {
			t.Errorf("kind %q, want resource", p.Kind)
		}
		names = append(names, p.Name+"@"+p.Version)
	}
	want := []string{"random@v4.20.0", "random@v4.21.1"}
	if len(names) != len(want) || names[0] != want[0] || names[1] != want[1] {
		t.Fatalf("plugins %v, want %v", names, want)
	}
}

func TestProgramOptionsDefaultsAndOverrides(t *testing.T) {
	p := programFrom(nil, "/proj", "")
	if !p.options.typescript || p.options.packageManager != "npm" || p.entry != "." || p.dir != "/proj" {
		t.Fatalf("defaults: %+v", p)
	}
	opts, _ := structpb.NewStruct(map[string]any{"typescript": false, "tsconfig": "tsconfig.pulumi.json", "nodeargs": "--max-old-space-size=512"})
	p = programFrom(&pulumirpc.ProgramInfo{RootDirectory: "/proj", ProgramDirectory: "/proj/stacks", EntryPoint: "index.ts", Options: opts}, "", "")
	if p.options.typescript || p.options.tsconfig != "/proj/tsconfig.pulumi.json" || p.dir != "/proj/stacks" || p.entry != "index.ts" {
		t.Fatalf("overrides: %+v", p)
	}
	if env := typescriptEnv(p); len(env) != 1 || env[0] != "PULUMI_NODEJS_TSCONFIG_PATH=/proj/tsconfig.pulumi.json" {
		t.Fatalf("typescript env %v", env)
	}
}

func TestParseArgsTakesTheEngineAddressAndTracing(t *testing.T) {
	addr, tracing := parseArgs([]string{"-root=/x", "-tracing=http://127.0.0.1:9", "127.0.0.1:4242"})
	if addr != "127.0.0.1:4242" || tracing != "http://127.0.0.1:9" {
		t.Fatalf("got %q %q", addr, tracing)
	}
}

func TestExitCodeSeparatesExitsFromFailuresToStart(t *testing.T) {
	if code, err := exitCode(nil); code != 0 || err != nil {
		t.Fatal(code, err)
	}
	if _, err := exitCode(os.ErrNotExist); err == nil {
		t.Fatal("a failure to start must stay an error")
	}
}

func TestEmptyConfigReachesTheSDKAsAnObject(t *testing.T) {
	b, err := json.Marshal(nonNilMap(nil))
	if err != nil || string(b) != "{}" {
		t.Fatalf("got %s %v", b, err)
	}
}
