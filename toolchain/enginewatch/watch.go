// Package enginewatch ends a plugin process when the Pulumi engine that started it is gone.
//
// The engine starts every plugin (language host, resource providers) in a process group of
// its own and passes it the address of its gRPC server. When the engine is killed (SIGKILL
// of its process group, a crash, an OOM kill), nothing tells the plugins: they are
// reparented to init and live on, holding memory and sometimes a half-finished operation.
// Pulumi's own plugins poll the engine with a gRPC health check, but every 5 minutes
// (rpcutil.Healthcheck in provider.Main). This package polls every second with a plain TCP
// connect: a live engine's listener always accepts (the kernel completes the handshake even
// while the engine is busy); a dead engine's port refuses at once. A few misses in a row,
// then the plugin cleans up and exits, within seconds.
package enginewatch

import (
	"fmt"
	"net"
	"os"
	"strings"
	"time"
)

// Every is the polling interval; Misses the number of failed connects in a row that mean
// the engine is gone (about Every*Misses seconds after it died).
const (
	Every  = time.Second
	Misses = 3
)

// EngineAddress finds the engine's address in a plugin's arguments: the last positional
// argument; flags come first and `--tracing <url>` carries a value of its own.
func EngineAddress(args []string) string {
	address := ""
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-tracing" || a == "--tracing":
			i++
		case strings.HasPrefix(a, "-"):
		default:
			address = a
		}
	}
	return address
}

// Alive reports whether something listens at the address.
func Alive(address string, timeout time.Duration) bool {
	c, err := net.DialTimeout("tcp", address, timeout)
	if err != nil {
		return false
	}
	_ = c.Close()
	return true
}

// Watch polls the address every `every` and calls gone once, from its own goroutine,
// after `misses` failed connects in a row. An empty address (a plugin started by hand, in
// attach mode) is not watched. The returned function stops the watch.
func Watch(address string, every time.Duration, misses int, gone func()) (stop func()) {
	done := make(chan struct{})
	if address == "" {
		return func() {}
	}
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		missed := 0
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			if Alive(address, every) {
				missed = 0
				continue
			}
			missed++
			if missed >= misses {
				gone()
				return
			}
		}
	}()
	var stopped bool
	return func() {
		if !stopped {
			stopped = true
			close(done)
		}
	}
}

// ExitWhenEngineGone watches the engine named in args. When it is gone, the plugin says so
// on stderr, runs cleanup (e.g. cancel running commands that live in process groups of
// their own), and ends itself and every process of its process group.
func ExitWhenEngineGone(name string, args []string, cleanup func()) {
	address := EngineAddress(args)
	Watch(address, Every, Misses, func() {
		fmt.Fprintf(os.Stderr, "%s: the engine at %s is gone; exiting\n", name, address)
		if cleanup != nil {
			cleanup()
		}
		endProcessGroup()
		os.Exit(1)
	})
}
