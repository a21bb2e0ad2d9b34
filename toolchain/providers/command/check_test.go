package main

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/asset"
)

func failures(t *testing.T, token string, in resource.PropertyMap) []string {
	t.Helper()
	s, _ := newTestServer()
	resp := doCheck(t, s, token, in)
	var out []string
	for _, f := range resp.GetFailures() {
		out = append(out, f.GetProperty())
	}
	sort.Strings(out)
	return out
}

func TestCheckAcceptsValidInputsAndKeepsSecrets(t *testing.T) {
	s, _ := newTestServer()
	in := props(map[string]any{
		"create": secret("echo hi"), "environment": map[string]any{"A": secret("b")},
		"interpreter": []any{"/bin/bash", "-c"}, "logging": "none", "addPreviousOutputInEnv": false,
		"triggers": []any{1.0, "x", map[string]any{"k": true}}, "assetPaths": []any{"*.txt"},
		"dir":        resource.MakeComputed(resource.NewStringProperty("")), // unknown in preview: accepted
		"__defaults": []any{},
	})
	resp := doCheck(t, s, tokLocalCommand, in)
	if len(resp.GetFailures()) != 0 {
		t.Fatalf("failures: %v", resp.GetFailures())
	}
	got := unwire(t, resp.GetInputs())
	if !got["create"].IsSecret() || !got["environment"].ObjectValue()["A"].IsSecret() || !got["dir"].IsComputed() {
		t.Errorf("Check did not return inputs unchanged: %v", got)
	}
}

func TestCheckReportsPropertyNames(t *testing.T) {
	cases := []struct {
		token string
		in    map[string]any
		want  []string
	}{
		{tokLocalCommand, map[string]any{"create": 1.0}, []string{"create"}},
		{tokLocalCommand, map[string]any{"environment": map[string]any{"A": 1.0}}, []string{"environment"}},
		{tokLocalCommand, map[string]any{"interpreter": []any{}}, []string{"interpreter"}},
		{tokLocalCommand, map[string]any{"interpreter": "sh"}, []string{"interpreter"}},
		{tokLocalCommand, map[string]any{"logging": "loud"}, []string{"logging"}},
		{tokLocalCommand, map[string]any{"addPreviousOutputInEnv": "yes"}, []string{"addPreviousOutputInEnv"}},
		{tokLocalCommand, map[string]any{"triggers": "x"}, []string{"triggers"}},
		{tokLocalCommand, map[string]any{"creat": "typo"}, []string{"creat"}},
		{tokRemoteCommand, map[string]any{"create": "x"}, []string{"connection"}},
		{tokRemoteCommand, map[string]any{"connection": secret(resource.NewPropertyValue(map[string]any{"port": 22.5}))},
			[]string{"connection.host", "connection.port"}},
		{tokRemoteCommand, map[string]any{"connection": map[string]any{"host": "h", "port": 70000.0,
			"proxy": map[string]any{"user": 3.0}}},
			[]string{"connection.port", "connection.proxy.host", "connection.proxy.user"}},
		{tokRemoteCommand, map[string]any{"connection": map[string]any{"host": "h"}, "dir": "/x"}, []string{"dir"}},
		{tokCopyToRemote, map[string]any{"connection": map[string]any{"host": "h"}, "source": "not-an-asset"},
			[]string{"remotePath", "source"}},
		{tokCopyFile, map[string]any{"connection": map[string]any{"host": "h"}}, []string{"localPath", "remotePath"}},
	}
	for _, c := range cases {
		got := failures(t, c.token, props(c.in))
		if strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Errorf("%s %v: failures %v, want %v", c.token, c.in, got, c.want)
		}
	}
	ok := failures(t, tokCopyToRemote, props(map[string]any{
		"connection": map[string]any{"host": "h"}, "remotePath": "/x",
		"source": resource.NewAssetProperty(&asset.Asset{Sig: asset.AssetSig, Text: "t"}),
	}))
	if len(ok) != 0 {
		t.Errorf("valid CopyToRemote rejected: %v", ok)
	}
}

func TestSchemaIsValidJSONForThePackage(t *testing.T) {
	text, err := schemaJSON()
	if err != nil {
		t.Fatal(err)
	}
	var pkg struct {
		Name, Version string
		Resources     map[string]struct {
			InputProperties map[string]json.RawMessage
			RequiredInputs  []string
		}
		Functions map[string]json.RawMessage
		Types     map[string]json.RawMessage
	}
	if err := json.Unmarshal([]byte(text), &pkg); err != nil {
		t.Fatal(err)
	}
	if pkg.Name != "command" || pkg.Version != version {
		t.Errorf("name/version = %s/%s", pkg.Name, pkg.Version)
	}
	for _, tok := range []string{tokLocalCommand, tokRemoteCommand, tokCopyToRemote, tokCopyFile} {
		if _, ok := pkg.Resources[tok]; !ok {
			t.Errorf("schema lacks %s", tok)
		}
	}
	if _, ok := pkg.Functions[tokLocalRun]; !ok {
		t.Error("schema lacks local:run")
	}
	if got := pkg.Resources[tokRemoteCommand].RequiredInputs; len(got) != 1 || got[0] != "connection" {
		t.Errorf("remote requiredInputs = %v", got)
	}
	// Every $ref must resolve to a declared type or a pulumi.json builtin.
	for _, ref := range strings.Split(text, `"$ref": "`)[1:] {
		ref = ref[:strings.IndexByte(ref, '"')]
		if strings.HasPrefix(ref, "#/types/") {
			if _, ok := pkg.Types[strings.TrimPrefix(ref, "#/types/")]; !ok {
				t.Errorf("dangling ref %s", ref)
			}
		} else if !strings.HasPrefix(ref, "pulumi.json#/") {
			t.Errorf("unexpected ref %s", ref)
		}
	}
}
