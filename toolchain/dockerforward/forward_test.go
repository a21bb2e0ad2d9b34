package main

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// dir is a temporary directory reached without symlinks (the forwarder refuses them).
func dir(t *testing.T) string {
	d, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// serveOnce listens on path and runs handle for the first connection.
func serveOnce(t *testing.T, path string, handle func(c *net.UnixConn)) {
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	go func() {
		c, err := l.AcceptUnix()
		if err != nil {
			return
		}
		defer c.Close()
		handle(c)
	}()
}

// start runs a forwarder whose "instance" is this test process: /proc/<self>/root/<target>
// is the target itself.
func start(t *testing.T, d, target string) *forwarder {
	f := &forwarder{path: filepath.Join(d, "operator.sock"), target: target, resolve: func() (int, error) { return os.Getpid(), nil }, procRoot: "/proc", logf: t.Logf, onGone: func() {}}
	if err := f.bind(); err != nil {
		t.Fatal(err)
	}
	go f.serve()
	t.Cleanup(f.close)
	return f
}

func dial(t *testing.T, path string) *net.UnixConn {
	c, err := net.DialUnix("unix", nil, &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	return c
}

// The case LXD's proxy device gets wrong: the client half-closes, then the answer comes.
func TestTheAnswerArrivesAfterTheClientHalfCloses(t *testing.T) {
	d := dir(t)
	serveOnce(t, filepath.Join(d, "docker.sock"), func(c *net.UnixConn) {
		in, _ := io.ReadAll(c) // until the client's half-close
		_, _ = c.Write([]byte("ran: " + string(in)))
	})
	f := start(t, d, filepath.Join(d, "docker.sock"))
	c := dial(t, f.path)
	_, _ = c.Write([]byte("echo ok"))
	if err := c.CloseWrite(); err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(c)
	if err != nil || string(out) != "ran: echo ok" {
		t.Fatalf("got %q, %v; want the server's answer after the half-close", out, err)
	}
}

// And the other way: the server ends its output first, the client still sends (stdin).
func TestTheClientStillSendsAfterTheServerHalfCloses(t *testing.T) {
	d := dir(t)
	got := make(chan string, 1)
	serveOnce(t, filepath.Join(d, "docker.sock"), func(c *net.UnixConn) {
		_, _ = c.Write([]byte("banner"))
		_ = c.CloseWrite()
		in, _ := io.ReadAll(c)
		got <- string(in)
	})
	f := start(t, d, filepath.Join(d, "docker.sock"))
	c := dial(t, f.path)
	out, _ := io.ReadAll(c)
	if string(out) != "banner" {
		t.Fatalf("got %q, want banner", out)
	}
	_, _ = c.Write([]byte("stdin"))
	_ = c.CloseWrite()
	select {
	case in := <-got:
		if in != "stdin" {
			t.Fatalf("the server got %q, want stdin", in)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the server never got the client's data")
	}
}

func TestTheSocketIsTheOwnersOnly(t *testing.T) {
	f := start(t, dir(t), "/run/docker.sock")
	st, err := os.Stat(f.path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode()&os.ModeSocket == 0 || st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, want a socket with 0600", st.Mode())
	}
}

func TestASymlinkInTheTargetIsRefused(t *testing.T) {
	d := dir(t)
	_ = os.Mkdir(filepath.Join(d, "real"), 0o700)
	_ = os.Symlink(filepath.Join(d, "real"), filepath.Join(d, "link"))
	serveOnce(t, filepath.Join(d, "real", "docker.sock"), func(c *net.UnixConn) { _, _ = c.Write([]byte("should not be reached")) })
	f := start(t, d, filepath.Join(d, "link", "docker.sock"))
	if _, err := f.targetPath(); err == nil || !strings.Contains(err.Error(), "goes through a symlink") {
		t.Fatalf("targetPath: %v, want a refusal naming the symlink", err)
	}
	out, _ := io.ReadAll(dial(t, f.path))
	if len(out) != 0 {
		t.Fatalf("got %q through a symlink", out)
	}
}

func TestARemovedSocketIsBoundAgainAndCloseRemovesIt(t *testing.T) {
	d := dir(t)
	serveOnce(t, filepath.Join(d, "docker.sock"), func(c *net.UnixConn) {
		in, _ := io.ReadAll(c)
		_, _ = c.Write(in)
	})
	f := start(t, d, filepath.Join(d, "docker.sock"))
	go f.keepBound(20 * time.Millisecond)
	_ = os.Remove(f.path)
	deadline := time.Now().Add(3 * time.Second)
	for {
		if _, err := os.Stat(f.path); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the socket was not bound again")
		}
		time.Sleep(10 * time.Millisecond)
	}
	c := dial(t, f.path)
	_, _ = c.Write([]byte("again"))
	_ = c.CloseWrite()
	if out, _ := io.ReadAll(c); string(out) != "again" {
		t.Fatalf("got %q through the bound-again socket", out)
	}
	f.close()
	if _, err := os.Stat(f.path); !os.IsNotExist(err) {
		t.Fatalf("the socket is still there after close: %v", err)
	}
}

func TestTheInitPidComesFromLXD(t *testing.T) {
	d := dir(t)
	sock := filepath.Join(d, "lxd.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/1.0/instances/bcm-gateway-01/state":
			_ = json.NewEncoder(w).Encode(map[string]any{"metadata": map[string]any{"status": "Running", "pid": 4242}})
		case "/1.0/instances/stopped/state":
			_ = json.NewEncoder(w).Encode(map[string]any{"metadata": map[string]any{"status": "Stopped", "pid": 0}})
		default:
			w.WriteHeader(http.StatusNotFound)
			_ = json.NewEncoder(w).Encode(map[string]any{"error": "Instance not found"})
		}
	})}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	if pid, err := lxdInitPid(sock, "bcm-gateway-01")(); err != nil || pid != 4242 {
		t.Fatalf("pid %d, %v; want 4242", pid, err)
	}
	if _, err := lxdInitPid(sock, "stopped")(); err == nil || !strings.Contains(err.Error(), "is not running (Stopped)") {
		t.Fatalf("a stopped instance: %v", err)
	}
	if _, err := lxdInitPid(sock, "gone")(); err == nil || !strings.Contains(err.Error(), "Instance not found") {
		t.Fatalf("a missing instance: %v", err)
	}
}

func TestItEndsWhenTheSocketsDirectoryIsGone(t *testing.T) {
	d := filepath.Join(dir(t), "home")
	_ = os.Mkdir(d, 0o700)
	f := start(t, d, "/run/docker.sock")
	gone := make(chan struct{})
	f.onGone = func() { close(gone) }
	go f.keepBound(20 * time.Millisecond)
	_ = os.RemoveAll(d)
	select {
	case <-gone:
	case <-time.After(3 * time.Second):
		t.Fatal("the forwarder went on after its directory was deleted")
	}
}
