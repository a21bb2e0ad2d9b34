package main

import (
	"context"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// localOp prepares a command:local:Command operation from raw inputs (news
// for create/update, the stored state for delete).
func (s *server) localOp(ctx context.Context, urn resource.URN, raw, prev resource.PropertyMap) *operation {
	p := plainMap(raw)
	dir, _ := str(p, "dir")
	return &operation{
		raw:    raw,
		in:     decodeCommandInputs(p),
		prev:   prev,
		runner: localRunner{dir: dir, interpreter: strList(p, "interpreter")},
		sink:   s.sink(ctx, urn, raw),
	}
}

func (s *server) applyLocal(ctx context.Context, urn resource.URN, raw, prev resource.PropertyMap, isUpdate, preview bool) (resource.PropertyMap, error) {
	op := s.localOp(ctx, urn, raw, prev)
	state, err := op.apply(ctx, isUpdate, preview)
	if err != nil {
		return nil, err
	}
	ran := op.in.create != nil || (isUpdate && op.in.update != nil)
	if !ran && prev != nil {
		for _, k := range []resource.PropertyKey{"assets", "archive"} {
			if v, ok := prev[k]; ok {
				state[k] = v
			}
		}
	}
	return state, addAssets(state, plainMap(raw), ran, preview, anySecret(raw, outputSecretDeps...))
}

// addAssets fills the assets/archive outputs when assetPaths/archivePaths are
// set: unknown in preview and collected from disk after a real run (when no
// command ran, applyLocal keeps the previous ones).
func addAssets(state, in resource.PropertyMap, ran, preview, secret bool) error {
	assetPaths, archivePaths := strList(in, "assetPaths"), strList(in, "archivePaths")
	if _, set := in["assetPaths"]; !set {
		assetPaths = nil
	} else if assetPaths == nil {
		assetPaths = []string{}
	}
	if _, set := in["archivePaths"]; !set {
		archivePaths = nil
	} else if archivePaths == nil {
		archivePaths = []string{}
	}
	if assetPaths == nil && archivePaths == nil || !ran {
		return nil
	}
	if preview {
		if assetPaths != nil {
			state["assets"] = resource.MakeComputed(resource.NewObjectProperty(resource.PropertyMap{}))
		}
		if archivePaths != nil {
			state["archive"] = resource.MakeComputed(resource.NewStringProperty(""))
		}
		return nil
	}
	dir, _ := str(in, "dir")
	assets, arch, err := collectAssets(dir, assetPaths, archivePaths)
	if err != nil {
		return err
	}
	for key, v := range map[resource.PropertyKey]*resource.PropertyValue{"assets": assets, "archive": arch} {
		if v == nil {
			continue
		}
		if secret {
			state[key] = resource.MakeSecret(*v)
		} else {
			state[key] = *v
		}
	}
	return nil
}

// runInvoke implements the command:local:run invoke: the command always runs,
// also during previews, as upstream's function does, and fails on non-zero
// exit.
func (s *server) runInvoke(ctx context.Context, raw resource.PropertyMap) (resource.PropertyMap, error) {
	p := plainMap(raw)
	command, _ := str(p, "command")
	op := s.localOp(ctx, "", raw, nil)
	res, err := op.exec(ctx, command, op.in, nil)
	if err != nil {
		return nil, err
	}
	out := raw.Copy()
	secret := anySecret(raw, append(outputSecretDeps, "command")...)
	for k, v := range map[resource.PropertyKey]string{"stdout": res.stdout, "stderr": res.stderr} {
		out[k] = resource.NewStringProperty(v)
		if secret {
			out[k] = resource.MakeSecret(out[k])
		}
	}
	return out, addAssets(out, p, true, false, secret)
}
