package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/archive"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/asset"
)

// collectAssets implements local:Command's assetPaths/archivePaths: after the
// command has run, files (never directories) under dir whose '/'-separated
// relative path matches the globs become file assets. The map keys are the
// relative paths; the assets point at absolute paths so that they stay valid
// whatever the engine's working directory is when it later reads them.
func collectAssets(dir string, assetPaths, archivePaths []string) (assets, arch *resource.PropertyValue, err error) {
	root := dir
	if root == "" {
		if root, err = os.Getwd(); err != nil {
			return nil, nil, err
		}
	}
	if root, err = filepath.Abs(root); err != nil {
		return nil, nil, err
	}

	if assetPaths != nil {
		found, err := globFiles(root, assetPaths)
		if err != nil {
			return nil, nil, fmt.Errorf("assetPaths: %w", err)
		}
		m := resource.PropertyMap{}
		for rel, a := range found {
			m[resource.PropertyKey(rel)] = resource.NewAssetProperty(a)
		}
		v := resource.NewObjectProperty(m)
		assets = &v
	}
	if archivePaths != nil {
		found, err := globFiles(root, archivePaths)
		if err != nil {
			return nil, nil, fmt.Errorf("archivePaths: %w", err)
		}
		members := map[string]any{}
		for rel, a := range found {
			members[rel] = a
		}
		a, err := archive.FromAssets(members)
		if err != nil {
			return nil, nil, fmt.Errorf("archivePaths: %w", err)
		}
		v := resource.NewArchiveProperty(a)
		arch = &v
	}
	return assets, arch, nil
}

func globFiles(root string, patterns []string) (map[string]*asset.Asset, error) {
	set, err := compileGlobs(patterns)
	if err != nil {
		return nil, err
	}
	found := map[string]*asset.Asset{}
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if !set.match(rel) {
			return nil
		}
		a, err := asset.FromPath(path)
		if err != nil {
			return err
		}
		found[rel] = a
		return nil
	})
	return found, err
}
