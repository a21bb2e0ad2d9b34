package main

import (
	"context"
	"fmt"
	"os/exec"
	"strings"

	"github.com/google/shlex"
)

// nodeCommand builds `node <nodeargs> <args>`, for the program's runtime options.
func nodeCommand(ctx context.Context, p program, args []string) (*exec.Cmd, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("could not find node on the PATH: install Node.js 20.19 or newer")
	}
	nodeArgs, err := shlex.Split(p.options.nodeargs)
	if err != nil {
		return nil, fmt.Errorf("runtime option nodeargs %q: %v", p.options.nodeargs, err)
	}
	// #nosec G204: the arguments come from the engine and the project file.
	return exec.CommandContext(ctx, node, append(nodeArgs, args...)...), nil
}

// resolveScript finds one of @pulumi/pulumi's entry scripts the way the program itself
// would: Node's module resolution from the program's directory, so the program, its
// policy packs and its dynamic providers all use the SDK copy the program installed.
func resolveScript(p program, module string) (string, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return "", fmt.Errorf("could not find node on the PATH: install Node.js 20.19 or newer")
	}
	cmd := exec.Command(node, "-e", "process.stdout.write(require.resolve(process.argv[1]))", module)
	cmd.Dir = p.dir
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("it looks like the Pulumi SDK is not installed in %s (%s not found): run npm install there",
			p.dir, module)
	}
	return strings.TrimSpace(string(out)), nil
}
