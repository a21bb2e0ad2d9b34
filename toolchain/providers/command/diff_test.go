package main

import (
	"context"
	"slices"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/asset"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

func TestDiffDecisions(t *testing.T) {
	base := map[string]any{
		"create": "echo a", "environment": map[string]any{"K": "v"}, "triggers": []any{"t1"},
		"stdout": "a", "stderr": "", // outputs in the old state are not inputs
	}
	with := func(changes map[string]any) resource.PropertyMap {
		m := map[string]any{}
		for k, v := range base {
			if k != "stdout" && k != "stderr" {
				m[k] = v
			}
		}
		for k, v := range changes {
			if v == nil {
				delete(m, k)
			} else {
				m[k] = v
			}
		}
		return props(m)
	}
	cases := []struct {
		name     string
		news     resource.PropertyMap
		changes  pulumirpc.DiffResponse_DiffChanges
		replaces []string
		kinds    map[string]pulumirpc.PropertyDiff_Kind
	}{
		{"no change", with(nil), pulumirpc.DiffResponse_DIFF_NONE, nil, nil},
		{"trigger changed replaces", with(map[string]any{"triggers": []any{"t2"}}),
			pulumirpc.DiffResponse_DIFF_SOME, []string{"triggers"},
			map[string]pulumirpc.PropertyDiff_Kind{"triggers": pulumirpc.PropertyDiff_UPDATE_REPLACE}},
		{"trigger removed replaces", with(map[string]any{"triggers": nil}),
			pulumirpc.DiffResponse_DIFF_SOME, []string{"triggers"},
			map[string]pulumirpc.PropertyDiff_Kind{"triggers": pulumirpc.PropertyDiff_DELETE_REPLACE}},
		{"create changed updates", with(map[string]any{"create": "echo b"}),
			pulumirpc.DiffResponse_DIFF_SOME, nil,
			map[string]pulumirpc.PropertyDiff_Kind{"create": pulumirpc.PropertyDiff_UPDATE}},
		{"delete added updates", with(map[string]any{"delete": "rm x"}),
			pulumirpc.DiffResponse_DIFF_SOME, nil,
			map[string]pulumirpc.PropertyDiff_Kind{"delete": pulumirpc.PropertyDiff_ADD}},
		{"env, dir, stdin, interpreter update", with(map[string]any{
			"environment": map[string]any{"K": "w"}, "dir": "/tmp", "stdin": "x", "interpreter": []any{"bash", "-c"}}),
			pulumirpc.DiffResponse_DIFF_SOME, nil,
			map[string]pulumirpc.PropertyDiff_Kind{
				"environment": pulumirpc.PropertyDiff_UPDATE, "dir": pulumirpc.PropertyDiff_ADD,
				"stdin": pulumirpc.PropertyDiff_ADD, "interpreter": pulumirpc.PropertyDiff_ADD}},
		{"becoming secret is no change", with(map[string]any{"environment": map[string]any{"K": secret("v")}}),
			pulumirpc.DiffResponse_DIFF_NONE, nil, nil},
		{"unknown value is a change", with(map[string]any{"create": resource.MakeComputed(resource.NewStringProperty(""))}),
			pulumirpc.DiffResponse_DIFF_SOME, nil,
			map[string]pulumirpc.PropertyDiff_Kind{"create": pulumirpc.PropertyDiff_UPDATE}},
	}
	s, _ := newTestServer()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp := doDiff(t, s, tokLocalCommand, props(base), c.news)
			if resp.GetChanges() != c.changes {
				t.Errorf("changes = %v, want %v (%v)", resp.GetChanges(), c.changes, resp.GetDetailedDiff())
			}
			if !slices.Equal(resp.GetReplaces(), c.replaces) {
				t.Errorf("replaces = %v, want %v", resp.GetReplaces(), c.replaces)
			}
			if len(resp.GetDetailedDiff()) != len(c.kinds) {
				t.Errorf("detailed diff = %v, want %v", resp.GetDetailedDiff(), c.kinds)
			}
			for k, kind := range c.kinds {
				if d := resp.GetDetailedDiff()[k]; d == nil || d.GetKind() != kind || !d.GetInputDiff() {
					t.Errorf("%s: diff %v, want %v", k, d, kind)
				}
			}
		})
	}
}

func TestDiffPrefersOldInputsAndHonoursIgnoreChanges(t *testing.T) {
	s, _ := newTestServer()
	resp, err := s.Diff(context.Background(), &pulumirpc.DiffRequest{
		Urn:           urnFor(tokLocalCommand, "r"),
		Olds:          wire(t, props(map[string]any{"create": "stale", "stdout": ""})),
		OldInputs:     wire(t, props(map[string]any{"create": "echo a", "stdin": "x"})),
		News:          wire(t, props(map[string]any{"create": "echo a", "stdin": "y"})),
		IgnoreChanges: []string{"stdin"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if resp.GetChanges() != pulumirpc.DiffResponse_DIFF_NONE {
		t.Errorf("diff = %v", resp.GetDetailedDiff())
	}
}

func TestDiffRemoteAndCopy(t *testing.T) {
	s, _ := newTestServer()
	conn := func(host string) any {
		return secret(resource.NewPropertyValue(map[string]any{"host": host, "port": 22.0, "user": "root"}))
	}
	resp := doDiff(t, s, tokRemoteCommand,
		props(map[string]any{"connection": conn("a"), "create": "x", "stdout": ""}),
		props(map[string]any{"connection": conn("b"), "create": "x"}))
	if resp.GetChanges() != pulumirpc.DiffResponse_DIFF_SOME || len(resp.GetReplaces()) != 0 ||
		resp.GetDetailedDiff()["connection"].GetKind() != pulumirpc.PropertyDiff_UPDATE {
		t.Errorf("connection change: %v", resp)
	}

	a1 := &asset.Asset{Sig: asset.AssetSig, Text: "one", Hash: "h1"}
	a2 := &asset.Asset{Sig: asset.AssetSig, Text: "two", Hash: "h2"}
	old := props(map[string]any{"connection": conn("a"), "source": resource.NewAssetProperty(a1), "remotePath": "/p", "triggers": []any{1.0}})
	resp = doDiff(t, s, tokCopyToRemote, old, props(map[string]any{
		"connection": conn("a"), "source": resource.NewAssetProperty(a2), "remotePath": "/p", "triggers": []any{1.0}}))
	if resp.GetChanges() != pulumirpc.DiffResponse_DIFF_SOME || len(resp.GetReplaces()) != 0 {
		t.Errorf("source change: %v", resp)
	}
	resp = doDiff(t, s, tokCopyToRemote, old, props(map[string]any{
		"connection": conn("a"), "source": resource.NewAssetProperty(a1), "remotePath": "/p", "triggers": []any{2.0}}))
	if !slices.Equal(resp.GetReplaces(), []string{"triggers"}) {
		t.Errorf("trigger change: %v", resp)
	}
}
