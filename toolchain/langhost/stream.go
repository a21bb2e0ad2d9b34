package main

import (
	"io"
	"sync"
)

// streamWriter forwards a child process's output to a gRPC stream as it arrives. gRPC
// streams must not be sent on concurrently, so stdout and stderr share one lock.
type streamWriter struct {
	mu   *sync.Mutex
	send func(b []byte) error
}

func (w streamWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	// The stream keeps no reference after Send returns, but copy anyway: exec reuses b.
	if err := w.send(append([]byte(nil), b...)); err != nil {
		return 0, err
	}
	return len(b), nil
}

var _ io.Writer = streamWriter{}
