package main

import (
	"context"
	"errors"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// commandInputs are the lifecycle inputs shared by local and remote Command,
// decoded from a plain (secret-free) property map.
type commandInputs struct {
	create, update, delete, stdin *string
	env                           map[string]string
	addPreviousOutputInEnv        bool
	logging                       string
}

func decodeCommandInputs(p resource.PropertyMap) commandInputs {
	return commandInputs{
		create:                 strPtr(p, "create"),
		update:                 strPtr(p, "update"),
		delete:                 strPtr(p, "delete"),
		stdin:                  strPtr(p, "stdin"),
		env:                    strMap(p, "environment"),
		addPreviousOutputInEnv: boolOr(p, "addPreviousOutputInEnv", true),
		logging:                func() string { s, _ := str(p, "logging"); return s }(),
	}
}

// outputSecretDeps are the inputs whose values flow into stdout/stderr: when
// any is (or contains) a secret, the outputs are secret too. The connection
// is deliberately absent: the SDK always wraps it in a secret, and marking
// every remote stdout secret because of it would hide ordinary output.
var outputSecretDeps = []string{"create", "update", "environment", "stdin", "dir", "interpreter"}

// operation bundles what one Create/Update/Delete needs to run commands.
type operation struct {
	raw    resource.PropertyMap // inputs as received, secrets kept
	in     commandInputs
	prev   resource.PropertyMap // previous state (nil on create)
	runner runner
	sink   *logSink
}

// env merges the user's environment with the previous outputs, which
// upstream injects for update and delete when addPreviousOutputInEnv is on.
func (op *operation) env(in commandInputs, prev resource.PropertyMap) map[string]string {
	env := map[string]string{}
	for k, v := range in.env {
		env[k] = v
	}
	if prev != nil && in.addPreviousOutputInEnv {
		pp := plainMap(prev)
		if s, ok := str(pp, "stdout"); ok {
			env["PULUMI_COMMAND_STDOUT"] = s
		}
		if s, ok := str(pp, "stderr"); ok {
			env["PULUMI_COMMAND_STDERR"] = s
		}
	}
	return env
}

func (op *operation) exec(ctx context.Context, command string, in commandInputs, prev resource.PropertyMap) (runResult, error) {
	res, err := op.runner.run(ctx, runRequest{
		command: command, env: op.env(in, prev), stdin: in.stdin, logging: in.logging, sink: op.sink,
	})
	if err != nil {
		return res, scrub(err, op.sink)
	}
	return res, nil
}

// apply runs the create (isUpdate=false) or update command and returns the
// new state: the inputs as given plus stdout and stderr. On update without an
// `update` command, `create` runs again, as the SDK docs promise; when
// neither is set the previous outputs are kept. In preview nothing runs and
// the outputs that a run would produce are unknown.
func (op *operation) apply(ctx context.Context, isUpdate, preview bool) (resource.PropertyMap, error) {
	state := op.raw.Copy()
	command := op.in.create
	if isUpdate && op.in.update != nil {
		command = op.in.update
	}

	secret := anySecret(op.raw, outputSecretDeps...)
	if op.prev != nil && op.in.addPreviousOutputInEnv && anySecret(op.prev, "stdout", "stderr") {
		secret = true
	}
	mark := func(v resource.PropertyValue) resource.PropertyValue {
		if secret {
			return resource.MakeSecret(v)
		}
		return v
	}

	switch {
	case command == nil:
		state["stdout"], state["stderr"] = mark(resource.NewStringProperty("")), mark(resource.NewStringProperty(""))
		if op.prev != nil {
			pp := plainMap(op.prev)
			if s, ok := str(pp, "stdout"); ok {
				state["stdout"] = mark(resource.NewStringProperty(s))
			}
			if s, ok := str(pp, "stderr"); ok {
				state["stderr"] = mark(resource.NewStringProperty(s))
			}
		}
		return state, nil
	case preview:
		unknown := resource.MakeComputed(resource.NewStringProperty(""))
		state["stdout"], state["stderr"] = unknown, unknown
		return state, nil
	}

	res, err := op.exec(ctx, *command, op.in, op.prev)
	if err != nil {
		return nil, err
	}
	state["stdout"] = mark(resource.NewStringProperty(res.stdout))
	state["stderr"] = mark(resource.NewStringProperty(res.stderr))
	return state, nil
}

// destroy runs the `delete` command of the stored state, if any, with the
// inputs it was last applied with.
func (op *operation) destroy(ctx context.Context) error {
	if op.in.delete == nil {
		return nil
	}
	_, err := op.exec(ctx, *op.in.delete, op.in, op.prev)
	return err
}

// scrub removes secret input values from an error message before it reaches
// the engine's (unencrypted) diagnostics, keeping exit codes intact.
func scrub(err error, sink *logSink) error {
	if sink == nil || len(sink.secrets) == 0 {
		return err
	}
	msg := redact(err.Error(), sink.secrets)
	if msg == err.Error() {
		return err
	}
	return errors.New(msg)
}
