package itest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// givenPorts are the ports freePort has handed out in this test binary.
var givenPorts sync.Map

// freePort asks the kernel for a free port on 127.0.0.1, never one it gave before in
// this run (the kernel may hand a just-closed port out again, and a node takes four).
func freePort() int {
	for {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			panic(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		if _, taken := givenPorts.LoadOrStore(port, true); !taken {
			return port
		}
	}
}

// btcd is a regtest btcd on 127.0.0.1 with no P2P at all (no peers, no listening).
type btcd struct {
	dir, rpc, cert string
	cmd            *exec.Cmd
}

const rpcUser, rpcPass = "bcm-itest", "bcm-itest-password"

func startBtcd(dir, miningAddr string) (*btcd, error) {
	b := &btcd{dir: dir, rpc: "127.0.0.1:" + strconv.Itoa(freePort()), cert: filepath.Join(dir, "rpc.cert")}
	logf, err := os.Create(filepath.Join(dir, "btcd.out"))
	if err != nil {
		return nil, err
	}
	b.cmd = exec.Command(bins.btcd, "--regtest", "--datadir="+filepath.Join(dir, "data"), "--logdir="+filepath.Join(dir, "logs"),
		"--rpcuser="+rpcUser, "--rpcpass="+rpcPass, "--rpclisten="+b.rpc,
		"--rpccert="+b.cert, "--rpckey="+filepath.Join(dir, "rpc.key"),
		"--nolisten", "--nodnsseed", "--txindex", "--miningaddr="+miningAddr)
	b.cmd.Stdout, b.cmd.Stderr = logf, logf
	b.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := b.cmd.Start(); err != nil {
		return nil, err
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		if _, err := b.ctl("getblockcount"); err == nil {
			return b, nil
		}
		if time.Now().After(deadline) {
			b.stop()
			return nil, fmt.Errorf("btcd did not answer within a minute (see %s)", logf.Name())
		}
		time.Sleep(300 * time.Millisecond)
	}
}

func (b *btcd) ctl(args ...string) (string, error) {
	full := append([]string{"--regtest", "--rpcuser=" + rpcUser, "--rpcpass=" + rpcPass, "--rpcserver=" + b.rpc, "--rpccert=" + b.cert}, args...)
	// stdout only: btcctl warns on stderr that it cannot write a default config file.
	cmd := exec.Command(bins.btcctl, full...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("btcctl %s: %v: %s%s", strings.Join(args, " "), err, out, stderr.String())
	}
	return strings.TrimSpace(string(out)), nil
}

func (b *btcd) mine(n int) error {
	_, err := b.ctl("generate", strconv.Itoa(n))
	return err
}

func (b *btcd) stop() {
	if b.cmd != nil && b.cmd.Process != nil {
		_ = b.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { b.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = syscall.Kill(-b.cmd.Process.Pid, syscall.SIGKILL)
		}
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
