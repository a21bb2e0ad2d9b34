package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

// runRequest is one execution of a command string, wherever it runs.
type runRequest struct {
	command string
	env     map[string]string
	stdin   *string
	logging string
	sink    *logSink
}

type runResult struct {
	stdout, stderr string
}

// runner executes commands: locally (localRunner) or over SSH (remoteRunner).
type runner interface {
	run(ctx context.Context, req runRequest) (runResult, error)
}

// localRunner runs `interpreter... command` in dir on this machine.
type localRunner struct {
	dir         string
	interpreter []string
}

func defaultInterpreter() []string {
	if runtime.GOOS == "windows" {
		return []string{"cmd", "/C"}
	}
	return []string{"/bin/sh", "-c"}
}

func (r localRunner) run(ctx context.Context, req runRequest) (runResult, error) {
	interp := r.interpreter
	if len(interp) == 0 {
		interp = defaultInterpreter()
	}
	args := append(append([]string{}, interp[1:]...), req.command)
	cmd := exec.CommandContext(ctx, interp[0], args...)
	cmd.Dir = r.dir
	// The provider's own environment is inherited, as upstream does, so that
	// PATH, credentials and the like reach the command.
	cmd.Env = os.Environ()
	for _, k := range sortedKeys(req.env) {
		cmd.Env = append(cmd.Env, k+"="+req.env[k])
	}
	if req.stdin != nil {
		cmd.Stdin = strings.NewReader(*req.stdin)
	}
	logOut, logErr := streams(req.logging)
	stdout, stderr := newCapture(req.sink, logOut), newCapture(req.sink, logErr)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	killGroupOnCancel(cmd)
	// A background child keeping the pipes open must not hang the provider.
	cmd.WaitDelay = 10 * time.Second

	err := cmd.Run()
	finished(cmd)
	res := runResult{stdout: stdout.text(), stderr: stderr.text()}
	if err == nil {
		return res, nil
	}
	if ctx.Err() != nil {
		return res, fmt.Errorf("local command interrupted: %w", ctx.Err())
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() >= 0 {
		return res, &exitError{where: "local", code: ee.ExitCode(), stdout: res.stdout, stderr: res.stderr}
	}
	if r.dir != "" {
		if _, statErr := os.Stat(r.dir); statErr != nil {
			return res, fmt.Errorf("local command cannot run: dir %q: %w", r.dir, statErr)
		}
	}
	return res, fmt.Errorf("local command failed to run %q: %w", interp[0], err)
}
