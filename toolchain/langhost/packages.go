package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// pulumiPackageJSON is the part of a package.json that declares a provider plugin:
// `"pulumi": { "resource": true, "name": "random", "version": "4.21.1" }`.
type pulumiPackageJSON struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Pulumi  *struct {
		Resource bool   `json:"resource"`
		Name     string `json:"name"`
		Version  string `json:"version"`
		Server   string `json:"server"`
	} `json:"pulumi"`
}

// requiredPlugins walks node_modules from dir upwards to the filesystem root (Node's own
// resolution order) and returns every resource plugin a package declares, once each.
func requiredPlugins(dir string) ([]*pulumirpc.PluginDependency, error) {
	found := map[string]*pulumirpc.PluginDependency{}
	for d := dir; ; d = filepath.Dir(d) {
		if err := scanNodeModules(filepath.Join(d, "node_modules"), found, 0); err != nil {
			return nil, err
		}
		if parent := filepath.Dir(d); parent == d {
			break
		}
	}
	keys := make([]string, 0, len(found))
	for k := range found {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]*pulumirpc.PluginDependency, 0, len(keys))
	for _, k := range keys {
		out = append(out, found[k])
	}
	return out, nil
}

// scanNodeModules reads each package (and scoped package) in one node_modules directory,
// and the node_modules nested in them, a few levels deep.
func scanNodeModules(dir string, found map[string]*pulumirpc.PluginDependency, depth int) error {
	if depth > 4 {
		return nil
	}
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil
	} else if err != nil {
		return err
	}
	for _, e := range entries {
		if !e.IsDir() && e.Type()&os.ModeSymlink == 0 {
			continue
		}
		pkgDirs := []string{filepath.Join(dir, e.Name())}
		if strings.HasPrefix(e.Name(), "@") {
			scoped, err := os.ReadDir(pkgDirs[0])
			if err != nil {
				continue
			}
			pkgDirs = pkgDirs[:0]
			for _, s := range scoped {
				pkgDirs = append(pkgDirs, filepath.Join(dir, e.Name(), s.Name()))
			}
		}
		for _, pkgDir := range pkgDirs {
			if dep := readPluginDeclaration(pkgDir); dep != nil {
				found[dep.Name+"@"+dep.Version] = dep
			}
			if err := scanNodeModules(filepath.Join(pkgDir, "node_modules"), found, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// readPluginDeclaration returns the plugin a package declares, or nil.
func readPluginDeclaration(pkgDir string) *pulumirpc.PluginDependency {
	b, err := os.ReadFile(filepath.Join(pkgDir, "package.json"))
	if err != nil {
		return nil
	}
	var pkg pulumiPackageJSON
	if json.Unmarshal(b, &pkg) != nil || pkg.Pulumi == nil || !pkg.Pulumi.Resource {
		return nil
	}
	name := pkg.Pulumi.Name
	if name == "" {
		// "@pulumi/random" declares plugin "random".
		name = strings.TrimPrefix(pkg.Name, "@pulumi/")
	}
	v := pkg.Pulumi.Version
	if v == "" {
		v = pkg.Version
	}
	return &pulumirpc.PluginDependency{Name: name, Kind: "resource", Version: "v" + strings.TrimPrefix(v, "v"), Server: pkg.Pulumi.Server}
}
