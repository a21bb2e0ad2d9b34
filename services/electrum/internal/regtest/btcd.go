package regtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"bcm/services/electrum/internal/node"
)

// Btcd is a running btcd on regtest, on loopback only.
type Btcd struct {
	Dir      string
	RPCAddr  string
	P2PAddr  string
	User     string
	Password string
	CertFile string
	RPC      *node.Client
	cmd      *exec.Cmd
	exited   chan error
}

// FreePort asks the kernel for a free loopback port.
func FreePort() (int, error) {
	ports, err := freePorts(1)
	if err != nil {
		return 0, err
	}
	return ports[0], nil
}

// freePorts asks for n free loopback ports at once, holding each until all are chosen,
// so they differ from one another.
func freePorts(n int) ([]int, error) {
	var ports []int
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// errExitedAtStart is btcd ending before its RPC answered: most often a port another
// process took between our choosing it and btcd binding it (the Go tests of the services
// run side by side), so StartBtcd tries again with new ports.
var errExitedAtStart = errors.New("btcd exited at start")

// StartBtcd starts btcd in dir (created) with --txindex --addrindex, mining to
// miningAddr, RPC over TLS and P2P both on 127.0.0.1 (P2P so a second test node can
// connect; no DNS seeds, no outside peers). It tries three times if btcd exits at start.
func StartBtcd(bin, dir, miningAddr string) (*Btcd, error) {
	var err error
	for attempt := 1; attempt <= 3; attempt++ {
		var b *Btcd
		if b, err = startBtcd(bin, dir, miningAddr); err == nil || !errors.Is(err, errExitedAtStart) {
			return b, err
		}
	}
	return nil, err
}

func startBtcd(bin, dir, miningAddr string) (*Btcd, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	ports, err := freePorts(2)
	if err != nil {
		return nil, err
	}
	rpcPort, p2pPort := ports[0], ports[1]
	b := &Btcd{
		Dir: dir, User: "bcm", Password: "regtest-" + strconv.Itoa(rpcPort),
		RPCAddr:  "127.0.0.1:" + strconv.Itoa(rpcPort),
		P2PAddr:  "127.0.0.1:" + strconv.Itoa(p2pPort),
		CertFile: filepath.Join(dir, "rpc.cert"),
		exited:   make(chan error, 1),
	}
	keyFile := filepath.Join(dir, "rpc.key")
	if err := writeCert(b.CertFile, keyFile); err != nil {
		return nil, err
	}
	// The password goes in a config file, not on argv (as the stack does).
	conf := filepath.Join(dir, "btcd.conf")
	if err := os.WriteFile(conf, []byte(fmt.Sprintf("[Application Options]\nrpcuser=%s\nrpcpass=%s\n", b.User, b.Password)), 0o600); err != nil {
		return nil, err
	}
	log, err := os.Create(filepath.Join(dir, "btcd.out"))
	if err != nil {
		return nil, err
	}
	b.cmd = exec.Command(bin,
		"--configfile="+conf, "--regtest",
		"--datadir="+filepath.Join(dir, "data"), "--logdir="+filepath.Join(dir, "logs"),
		"--rpclisten="+b.RPCAddr, "--rpccert="+b.CertFile, "--rpckey="+keyFile,
		"--listen="+b.P2PAddr, "--nodnsseed", "--nocfilters",
		"--txindex", "--addrindex", "--miningaddr="+miningAddr,
		"--rpcmaxclients=50", "--rpcmaxconcurrentreqs=50", "--debuglevel=info",
	)
	b.cmd.Stdout, b.cmd.Stderr = log, log
	if err := b.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting btcd: %w", err)
	}
	go func() { b.exited <- b.cmd.Wait(); log.Close() }()
	b.RPC, err = node.New(node.Config{Addr: b.RPCAddr, User: b.User, Password: b.Password, CertFile: b.CertFile, Timeout: time.Minute})
	if err != nil {
		b.Stop()
		return nil, err
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_, err := b.RPC.BlockCount(ctx)
		cancel()
		if err == nil {
			return b, nil
		}
		select {
		case e := <-b.exited:
			out, _ := os.ReadFile(filepath.Join(dir, "btcd.out"))
			return nil, fmt.Errorf("%w (%v): %s", errExitedAtStart, e, lastLines(string(out), 5))
		default:
		}
		if time.Now().After(deadline) {
			b.Stop()
			return nil, fmt.Errorf("btcd's RPC did not answer within 60 s: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// Stop ends btcd (SIGINT, then SIGKILL after 20 s).
func (b *Btcd) Stop() error {
	if b.cmd == nil || b.cmd.Process == nil {
		return nil
	}
	b.cmd.Process.Signal(os.Interrupt)
	select {
	case <-b.exited:
	case <-time.After(20 * time.Second):
		b.cmd.Process.Kill()
		<-b.exited
	}
	b.cmd = nil
	return nil
}

// Pause stops btcd's process (SIGSTOP) so it answers nothing; Resume continues it.
func (b *Btcd) Pause() error  { return b.cmd.Process.Signal(syscall.SIGSTOP) }
func (b *Btcd) Resume() error { return b.cmd.Process.Signal(syscall.SIGCONT) }

// Generate mines n blocks and returns their hashes.
func (b *Btcd) Generate(ctx context.Context, n int) ([]string, error) {
	var hashes []string
	err := b.RPC.Call(ctx, "generate", &hashes, n)
	return hashes, err
}

// Connect makes b connect to other's P2P port (a one-time connection, not remembered).
func (b *Btcd) Connect(ctx context.Context, other *Btcd) error {
	return b.RPC.Call(ctx, "node", nil, "connect", other.P2PAddr, "temp")
}

// Disconnect drops every peer of b.
func (b *Btcd) Disconnect(ctx context.Context) error {
	var peers []struct {
		ID   int32  `json:"id"`
		Addr string `json:"addr"`
	}
	if err := b.RPC.Call(ctx, "getpeerinfo", &peers); err != nil {
		return err
	}
	for _, p := range peers {
		if err := b.RPC.Call(ctx, "node", nil, "disconnect", strconv.Itoa(int(p.ID))); err != nil {
			return fmt.Errorf("disconnecting peer %s: %w", p.Addr, err)
		}
	}
	return nil
}

// WaitHeight waits until b's best height is at least h.
func (b *Btcd) WaitHeight(ctx context.Context, h int64) error {
	for {
		n, err := b.RPC.BlockCount(ctx)
		if err == nil && n >= h {
			return nil
		}
		select {
		case <-ctx.Done():
			return errors.Join(ctx.Err(), err, fmt.Errorf("btcd at %s is at %d, waiting for %d", b.RPCAddr, n, h))
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// lastLines is the last n lines of s, for an error message.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}
