package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/diag"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// engineLog is the part of the engine host we use; *provider.HostClient
// implements it, tests pass a recorder.
type engineLog interface {
	Log(ctx context.Context, sev diag.Severity, urn resource.URN, msg string) error
}

// logSink sends complete lines to the engine against one resource, scrubbing
// values that were secret inputs. A nil host (no engine) drops the lines.
type logSink struct {
	ctx     context.Context
	host    engineLog
	urn     resource.URN
	secrets []string
}

func (s *logSink) line(l string) {
	if s == nil || s.host == nil {
		return
	}
	_ = s.host.Log(s.ctx, diag.Info, s.urn, redact(l, s.secrets))
}

func (s *logSink) warn(msg string) {
	if s == nil || s.host == nil {
		return
	}
	_ = s.host.Log(s.ctx, diag.Warning, s.urn, msg)
}

// redact replaces each secret value (long enough not to mangle ordinary text)
// with a marker.
func redact(text string, secrets []string) string {
	for _, s := range secrets {
		if len(s) >= 4 {
			text = strings.ReplaceAll(text, s, "[secret]")
		}
	}
	return text
}

// capture collects a stream in full and, when streaming is on, forwards each
// finished line to the log sink as it arrives (so long commands show progress).
type capture struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	pending []byte
	sink    *logSink
}

func newCapture(sink *logSink, stream bool) *capture {
	c := &capture{}
	if stream {
		c.sink = sink
	}
	return c
}

func (c *capture) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.buf.Write(p)
	if c.sink == nil {
		return len(p), nil
	}
	c.pending = append(c.pending, p...)
	for {
		i := bytes.IndexByte(c.pending, '\n')
		if i < 0 {
			break
		}
		c.sink.line(strings.TrimSuffix(string(c.pending[:i]), "\r"))
		c.pending = c.pending[i+1:]
	}
	return len(p), nil
}

// text flushes an unterminated last line and returns the captured output
// without its one trailing newline, as upstream stores stdout/stderr.
func (c *capture) text() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sink != nil && len(c.pending) > 0 {
		c.sink.line(string(c.pending))
		c.pending = nil
	}
	return strings.TrimSuffix(c.buf.String(), "\n")
}

// streams maps the logging enum to which outputs are streamed.
func streams(logging string) (stdout, stderr bool) {
	switch logging {
	case "stdout":
		return true, false
	case "stderr":
		return false, true
	case "none":
		return false, false
	}
	return true, true // default: stdoutAndStderr
}

// exitError is returned for a command that ran and exited non-zero. Its
// message carries the code and the tail of stderr (stdout when stderr is
// empty) so the engine's error display is enough to debug the failure.
type exitError struct {
	where  string // "local" or "remote host:port"
	code   int
	signal string // set when the remote process was killed by a signal
	stdout string
	stderr string
}

const tailLines = 20

func (e *exitError) Error() string {
	msg := fmt.Sprintf("%s command exited with code %d", e.where, e.code)
	if e.signal != "" {
		msg = fmt.Sprintf("%s command killed by signal %s", e.where, e.signal)
	}
	out, label := e.stderr, "stderr"
	if strings.TrimSpace(out) == "" {
		out, label = e.stdout, "stdout"
	}
	if strings.TrimSpace(out) == "" {
		return msg + " (no output)"
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) > tailLines {
		lines = lines[len(lines)-tailLines:]
		label = fmt.Sprintf("last %d lines of %s", tailLines, label)
	}
	return msg + "; " + label + ":\n" + strings.Join(lines, "\n")
}
