package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// forwarder serves one socket on the host.
type forwarder struct {
	path     string
	target   string
	resolve  func() (int, error)
	procRoot string
	logf     func(string, ...any)
	// onGone ends the process when the socket's directory is gone (tests watch it instead).
	onGone func()

	mu       sync.Mutex
	listener *net.UnixListener
	inode    uint64
	closed   bool
}

// bind creates the socket, owner-only from the start (umask), and records its inode.
func (f *forwarder) bind() error {
	_ = os.Remove(f.path)
	old := syscall.Umask(0o077)
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: f.path, Net: "unix"})
	syscall.Umask(old)
	if err != nil {
		return err
	}
	// Closing the listener must not unlink a file a newer listener may have bound.
	l.SetUnlinkOnClose(false)
	if err := os.Chmod(f.path, 0o600); err != nil {
		_ = l.Close()
		return err
	}
	var st syscall.Stat_t
	if err := syscall.Stat(f.path, &st); err != nil {
		_ = l.Close()
		return err
	}
	f.mu.Lock()
	previous := f.listener
	f.listener, f.inode = l, st.Ino
	f.mu.Unlock()
	if previous != nil {
		_ = previous.Close()
	}
	return nil
}

// keepBound binds again when the socket file was deleted or replaced (an `rm` by a cleanup).
func (f *forwarder) keepBound(every time.Duration) {
	for {
		time.Sleep(every)
		f.mu.Lock()
		closed, inode := f.closed, f.inode
		f.mu.Unlock()
		if closed {
			return
		}
		var st syscall.Stat_t
		if err := syscall.Stat(f.path, &st); err == nil && st.Ino == inode {
			continue
		}
		if _, err := os.Stat(filepath.Dir(f.path)); os.IsNotExist(err) {
			// The socket's directory itself is gone (its BCM home was deleted): nothing left to serve.
			f.logf("%s is gone; exiting", filepath.Dir(f.path))
			f.close()
			f.onGone()
			return
		}
		f.logf("%s was removed or replaced; listening again", f.path)
		if err := f.bind(); err != nil {
			f.logf("cannot listen on %s again: %v", f.path, err)
		} else {
			go f.serve()
		}
	}
}

// serve accepts on the current listener until it is closed.
func (f *forwarder) serve() {
	f.mu.Lock()
	l := f.listener
	f.mu.Unlock()
	for {
		c, err := l.AcceptUnix()
		if err != nil {
			return
		}
		go f.handle(c)
	}
}

// close stops listening and removes the socket it bound.
func (f *forwarder) close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	var st syscall.Stat_t
	if syscall.Stat(f.path, &st) == nil && st.Ino == f.inode {
		_ = os.Remove(f.path)
	}
	if f.listener != nil {
		_ = f.listener.Close()
	}
}

// handle connects one client to the instance's socket and relays both directions.
func (f *forwarder) handle(client *net.UnixConn) {
	defer client.Close()
	path, err := f.targetPath()
	if err != nil {
		f.logf("%v", err)
		return
	}
	server, err := net.DialUnix("unix", nil, &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		f.logf("cannot connect to %s: %v", path, err)
		return
	}
	defer server.Close()
	relay(client, server)
}

// targetPath is the instance's socket seen from the host: /proc/<init pid>/root/<target>.
// Every component is checked not to be a symlink: an absolute link inside the instance
// would otherwise resolve against the host's root and lead to the host's own socket.
func (f *forwarder) targetPath() (string, error) {
	pid, err := f.resolve()
	if err != nil {
		return "", err
	}
	root := filepath.Join(f.procRoot, fmt.Sprint(pid), "root")
	if !filepath.IsAbs(f.target) {
		return "", fmt.Errorf("the target %q is not an absolute path", f.target)
	}
	path := root
	for _, part := range strings.Split(strings.Trim(filepath.Clean(f.target), "/"), "/") {
		path = filepath.Join(path, part)
		st, err := os.Lstat(path)
		if err != nil {
			return "", fmt.Errorf("the instance's %s: %v", f.target, err)
		}
		if st.Mode()&os.ModeSymlink != 0 {
			return "", fmt.Errorf("the instance's %s goes through a symlink (%s); give the real path", f.target, strings.TrimPrefix(path, root))
		}
	}
	return path, nil
}

// relay copies each direction on its own; when one side has no more to send, the other is
// told with a half-close, and the connection ends when both directions have.
func relay(client, server *net.UnixConn) {
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		_, _ = io.Copy(server, client)
		_ = server.CloseWrite()
	}()
	go func() {
		defer wg.Done()
		_, _ = io.Copy(client, server)
		_ = client.CloseWrite()
	}()
	wg.Wait()
}

// lxdInitPid asks the local LXD daemon for an instance's init pid (GET /1.0/instances/<name>/state).
func lxdInitPid(socket, instance string) func() (int, error) {
	client := &http.Client{
		Timeout: 10 * time.Second,
		Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", socket)
		}},
	}
	return func() (int, error) {
		resp, err := client.Get("http://lxd/1.0/instances/" + instance + "/state")
		if err != nil {
			return 0, fmt.Errorf("asking LXD for instance %s: %v", instance, err)
		}
		defer resp.Body.Close()
		var body struct {
			Error    string `json:"error"`
			Metadata struct {
				Status string `json:"status"`
				Pid    int    `json:"pid"`
			} `json:"metadata"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			return 0, fmt.Errorf("LXD's answer for instance %s: %v", instance, err)
		}
		if resp.StatusCode != http.StatusOK {
			return 0, fmt.Errorf("instance %s: %s", instance, body.Error)
		}
		if body.Metadata.Status != "Running" || body.Metadata.Pid <= 0 {
			return 0, errors.New("instance " + instance + " is not running (" + body.Metadata.Status + ")")
		}
		return body.Metadata.Pid, nil
	}
}
