package regtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"bcm/services/electrum/internal/status"
)

// Server is a running bcm-electrum process.
type Server struct {
	Bin     string
	DataDir string
	Addr    string
	LogPath string
	Args    []string
	cmd     *exec.Cmd
	exited  chan error
}

// NewServer prepares a bcm-electrum for btcd b, with datadir dir and extra flags; Start
// runs it.
func NewServer(bin, dir string, b *Btcd, extra ...string) (*Server, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	passFile := filepath.Join(dir, "rpc-pass")
	if err := os.WriteFile(passFile, []byte(b.Password+"\n"), 0o600); err != nil {
		return nil, err
	}
	s := &Server{Bin: bin, DataDir: filepath.Join(dir, "data"), Addr: "127.0.0.1:" + strconv.Itoa(port), LogPath: filepath.Join(dir, "server.log")}
	s.Args = append([]string{"serve",
		"--rpc-addr", b.RPCAddr, "--rpc-user", b.User, "--rpc-pass-file", passFile, "--rpc-cert", b.CertFile,
		"--chain", "regtest", "--datadir", s.DataDir, "--listen", s.Addr, "--poll", "200ms", "--status-every", "200ms",
	}, extra...)
	return s, nil
}

// Start starts the process (its output is appended to LogPath) and waits until it listens.
func (s *Server) Start() error {
	log, err := os.OpenFile(s.LogPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	s.cmd = exec.Command(s.Bin, s.Args...)
	s.cmd.Stdout, s.cmd.Stderr = log, log
	if err := s.cmd.Start(); err != nil {
		log.Close()
		return err
	}
	s.exited = make(chan error, 1)
	go func() { s.exited <- s.cmd.Wait(); log.Close() }()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-s.exited:
			s.cmd = nil
			return fmt.Errorf("bcm-electrum exited at start (%v):\n%s", err, s.Log())
		default:
		}
		if c, err := Dial(s.Addr); err == nil {
			c.Close()
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("bcm-electrum did not listen on %s within 30 s:\n%s", s.Addr, s.Log())
}

// Alive tells whether the process is still running.
func (s *Server) Alive() bool {
	if s.cmd == nil {
		return false
	}
	select {
	case err := <-s.exited:
		s.exited <- err
		return false
	default:
		return true
	}
}

// Stop sends SIGTERM and waits for the exit; it returns the exit error.
func (s *Server) Stop() error {
	if s.cmd == nil {
		return nil
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	var err error
	select {
	case err = <-s.exited:
	case <-time.After(30 * time.Second):
		s.cmd.Process.Kill()
		err = fmt.Errorf("did not stop within 30 s of SIGTERM")
		<-s.exited
	}
	s.cmd = nil
	return err
}

// Log is the server's output so far.
func (s *Server) Log() string {
	b, _ := os.ReadFile(s.LogPath)
	return string(b)
}

// Status reads status.json.
func (s *Server) Status() (status.Status, error) {
	st, _, err := status.Read(s.DataDir)
	return st, err
}

// WaitSynced waits until the server is synced at least at height (per the protocol:
// blockchain.headers.subscribe answers, at that height).
func (s *Server) WaitSynced(height int64, timeout time.Duration) error {
	c, err := Dial(s.Addr)
	if err != nil {
		return err
	}
	defer c.Close()
	deadline := time.Now().Add(timeout)
	var last []byte
	for time.Now().Before(deadline) {
		m, err := c.Call("blockchain.headers.subscribe")
		if err != nil {
			return err
		}
		last = m.Raw
		if m.Error == nil {
			var tip struct{ Height int64 }
			if json.Unmarshal(m.Result, &tip) == nil && tip.Height >= height {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("bcm-electrum not synced at %d within %s; last answer %s\n%s", height, timeout, bytes.TrimSpace(last), s.Log())
}

// PID is the running process's id (0 when not running).
func (s *Server) PID() int {
	if s.cmd == nil || s.cmd.Process == nil {
		return 0
	}
	return s.cmd.Process.Pid
}
