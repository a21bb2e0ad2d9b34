package main

import (
	"path/filepath"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// runtimeOptions are the `runtime.options` of Pulumi.yaml / PulumiPolicy.yaml that a
// Node.js program may set.
type runtimeOptions struct {
	typescript     bool   // run .ts entry points through ts-node (default true)
	tsconfig       string // a tsconfig other than tsconfig.json
	nodeargs       string // extra arguments for node itself
	packageManager string // npm (default), yarn, pnpm or bun
}

// program is where a program lives and how to run it, from a request's ProgramInfo.
type program struct {
	root    string // the project's root (where Pulumi.yaml is)
	dir     string // the program's directory (root, or root + main's directory)
	entry   string // the entry point relative to dir ("." means package.json's main)
	options runtimeOptions
}

func programFrom(info *pulumirpc.ProgramInfo, fallbackDir, fallbackEntry string) program {
	p := program{root: fallbackDir, dir: fallbackDir, entry: fallbackEntry}
	if info != nil {
		p.root, p.dir, p.entry = info.GetRootDirectory(), info.GetProgramDirectory(), info.GetEntryPoint()
	}
	if p.dir == "" {
		p.dir = p.root
	}
	if p.entry == "" {
		p.entry = "."
	}
	p.options = runtimeOptions{typescript: true, packageManager: "npm"}
	if info == nil || info.GetOptions() == nil {
		return p
	}
	opts := info.GetOptions().AsMap()
	if v, ok := opts["typescript"].(bool); ok {
		p.options.typescript = v
	}
	if v, ok := opts["tsconfig"].(string); ok && v != "" {
		p.options.tsconfig = v
		if !filepath.IsAbs(v) {
			p.options.tsconfig = filepath.Join(p.root, v)
		}
	}
	if v, ok := opts["nodeargs"].(string); ok {
		p.options.nodeargs = v
	}
	if v, ok := opts["packagemanager"].(string); ok && v != "" {
		p.options.packageManager = v
	}
	return p
}
