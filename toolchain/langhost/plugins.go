package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"sync"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// RunPlugin runs a plugin written in Node.js: a policy pack (kind "analyzer") with
// @pulumi/pulumi's cmd/run-policy-pack, anything else with cmd/run-plugin. Output streams
// back as it comes; the exit code is the last message.
func (h *nodeHost) RunPlugin(req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer) error {
	p := programFrom(req.GetInfo(), req.GetPwd(), req.GetProgram())
	var args []string
	if req.GetKind() == "analyzer" {
		script, err := resolveScript(p, "@pulumi/pulumi/cmd/run-policy-pack")
		if err != nil {
			return err
		}
		// run-policy-pack <engine address> <program>; the engine address is the first argument.
		args = append(append([]string{script}, req.GetArgs()...), p.dir)
	} else {
		script, err := resolveScript(p, "@pulumi/pulumi/cmd/run-plugin")
		if err != nil {
			return err
		}
		args = append([]string{script, p.dir}, req.GetArgs()...)
	}

	cmd, err := nodeCommand(server.Context(), p, args)
	if err != nil {
		return err
	}
	// A policy pack reads its version from ./package.json: run it in its own directory.
	cmd.Dir = p.dir
	cmd.Env = append(append(os.Environ(), req.GetEnv()...), typescriptEnv(p)...)
	mu := &sync.Mutex{}
	cmd.Stdout = streamWriter{mu, func(b []byte) error {
		return server.Send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: b}})
	}}
	cmd.Stderr = streamWriter{mu, func(b []byte) error {
		return server.Send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stderr{Stderr: b}})
	}}
	code, err := exitCode(cmd.Run())
	if err != nil {
		return err
	}
	mu.Lock()
	defer mu.Unlock()
	return server.Send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: code}})
}

// InstallDependencies runs the project's package manager (npm by default) in its root.
func (h *nodeHost) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest, server pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	p := programFrom(req.GetInfo(), req.GetDirectory(), "")
	manager := p.options.packageManager
	switch manager {
	case "npm", "yarn", "pnpm", "bun":
	default:
		return fmt.Errorf("runtime option packagemanager: unknown package manager %q (use npm, yarn, pnpm or bun)", manager)
	}
	bin, err := exec.LookPath(manager)
	if err != nil {
		return fmt.Errorf("%s is not on the PATH: install it or set runtime option packagemanager", manager)
	}
	// #nosec G204: the package manager is one of four known names.
	cmd := exec.CommandContext(server.Context(), bin, "install")
	cmd.Dir = p.root
	mu := &sync.Mutex{}
	cmd.Stdout = streamWriter{mu, func(b []byte) error {
		return server.Send(&pulumirpc.InstallDependenciesResponse{Stdout: b})
	}}
	cmd.Stderr = streamWriter{mu, func(b []byte) error {
		return server.Send(&pulumirpc.InstallDependenciesResponse{Stderr: b})
	}}
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s install in %s failed: %w", manager, p.root, err)
	}
	return nil
}

// GetProgramDependencies lists the program's declared dependencies at their installed
// versions (for `pulumi about`).
func (h *nodeHost) GetProgramDependencies(
	_ context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	p := programFrom(req.GetInfo(), req.GetPwd(), req.GetProgram())
	var pkg struct {
		Dependencies    map[string]string `json:"dependencies"`
		DevDependencies map[string]string `json:"devDependencies"`
	}
	b, err := os.ReadFile(filepath.Join(p.root, "package.json"))
	if err != nil {
		return nil, fmt.Errorf("could not read the program's package.json: %w", err)
	}
	if err := json.Unmarshal(b, &pkg); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(p.root, "package.json"), err)
	}
	names := make([]string, 0, len(pkg.Dependencies))
	for n := range pkg.Dependencies {
		names = append(names, n)
	}
	if req.GetTransitiveDependencies() {
		for n := range pkg.DevDependencies {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	deps := make([]*pulumirpc.DependencyInfo, 0, len(names))
	for _, n := range names {
		var installed struct {
			Version string `json:"version"`
		}
		if b, err := os.ReadFile(filepath.Join(p.root, "node_modules", n, "package.json")); err == nil {
			_ = json.Unmarshal(b, &installed)
		}
		deps = append(deps, &pulumirpc.DependencyInfo{Name: n, Version: installed.Version})
	}
	return &pulumirpc.GetProgramDependenciesResponse{Dependencies: deps}, nil
}

// About reports the node executable and its version.
func (h *nodeHost) About(ctx context.Context, _ *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, errors.New("could not find node on the PATH")
	}
	out, err := exec.CommandContext(ctx, node, "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("node --version: %w", err)
	}
	return &pulumirpc.AboutResponse{Executable: node, Version: string(out[:len(out)-1])}, nil
}

// RuntimeOptionsPrompts has nothing to ask: every option has a default.
func (h *nodeHost) RuntimeOptionsPrompts(
	context.Context, *pulumirpc.RuntimeOptionsRequest,
) (*pulumirpc.RuntimeOptionsResponse, error) {
	return &pulumirpc.RuntimeOptionsResponse{}, nil
}

// exitCode turns a finished command's error into its exit code; other errors stay errors.
func exitCode(err error) (int32, error) {
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, nil
	case errors.As(err, &exit):
		return int32(exit.ExitCode()), nil
	default:
		return 0, err
	}
}
