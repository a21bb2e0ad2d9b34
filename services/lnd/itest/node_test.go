package itest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"bcm/services/lnd/internal/lndrun"
	"github.com/lightningnetwork/lnd/lnrpc"
	"google.golang.org/grpc"
)

// seedOut is bcm-lnd-seed's answer for {"secret","birthday"} with --identity.
type seedOut struct {
	Words           []string `json:"words"`
	BirthdayDays    int      `json:"birthdayDays"`
	Entropy         string   `json:"entropy"`
	Salt            string   `json:"salt"`
	Password        string   `json:"password"`
	MacaroonRootKey string   `json:"macaroonRootKey"`
	Chain           string   `json:"chain"`
	NodePubkey      string   `json:"nodePubkey"`
	FirstAddress    string   `json:"firstAddress"`
}

// The birthday of every test wallet: the regtest chain the tests mine is "today".
const birthday = "2026-01-01"

// secretHex is a test secret standing in for the device's 32 bytes.
func secretHex(label string) string {
	return fmt.Sprintf("%x", sha256Sum("bcm itest device secret "+label))
}

func runSeed(t testing.TB, secret, chain string) seedOut {
	t.Helper()
	cmd := exec.Command(bins.seed, "--identity", "--chain", chain)
	cmd.Stdin = strings.NewReader(fmt.Sprintf(`{"secret":%q,"birthday":%q}`, secret, birthday))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("bcm-lnd-seed: %v: %s", err, stderr.String())
	}
	var s seedOut
	if err := json.Unmarshal(out, &s); err != nil {
		t.Fatalf("bcm-lnd-seed printed %q: %v", out, err)
	}
	return s
}

// node is an lnd run by bcm-lnd-start, with its own lnddir and ports on 127.0.0.1.
type node struct {
	t                                 testing.TB
	name, chain, dir                  string
	seed                              seedOut
	secretFile, passwordFile, conf    string
	grpcPort, restPort, p2pPort, init int
	mu                                sync.Mutex
	cmd                               *exec.Cmd
	done                              chan struct{}
	runs                              int
}

// backend is the [Bitcoin]/[Btcd] part of lnd.conf.
func btcdBackend(b *btcd) string {
	return fmt.Sprintf("bitcoin.node=btcd\n[Btcd]\nbtcd.rpchost=%s\nbtcd.rpcuser=%s\nbtcd.rpcpass=%s\nbtcd.rpccert=%s\n", b.rpc, rpcUser, rpcPass, b.cert)
}

const noBackend = "bitcoin.node=nochainbackend\n"

func newNode(t testing.TB, root, name, secret, chain, backend string) *node {
	t.Helper()
	n := &node{t: t, name: name, chain: chain, dir: filepath.Join(root, name, "lnd"),
		grpcPort: freePort(), restPort: freePort(), p2pPort: freePort(), init: freePort()}
	n.seed = runSeed(t, secret, chain)
	secrets := filepath.Join(root, name, "secrets")
	if err := os.MkdirAll(secrets, 0o700); err != nil {
		t.Fatal(err)
	}
	n.secretFile = filepath.Join(secrets, "lnd-wallet.json")
	n.passwordFile = filepath.Join(secrets, "lnd-wallet-password")
	n.conf = filepath.Join(root, name, "lnd.conf")
	n.writeSecret(n.seed)
	conf := fmt.Sprintf(`[Application Options]
alias=bcm-itest-%s
rpclisten=127.0.0.1:%d
restlisten=127.0.0.1:%d
listen=127.0.0.1:%d
nobootstrap=1
debuglevel=info
[Bitcoin]
bitcoin.%s=1
%s`, name, n.grpcPort, n.restPort, n.p2pPort, chain, backend)
	if err := os.WriteFile(n.conf, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	return n
}

// writeSecret writes the two secret files the way the Swarm secrets hold them.
func (n *node) writeSecret(s seedOut) {
	ws := fmt.Sprintf(`{"entropy":%q,"salt":%q,"birthday":%q,"password":%q,"macaroonRootKey":%q}`,
		s.Entropy, s.Salt, birthday, s.Password, s.MacaroonRootKey)
	if err := os.WriteFile(n.secretFile, []byte(ws), 0o600); err != nil {
		n.t.Fatal(err)
	}
	if err := os.WriteFile(n.passwordFile, []byte(s.Password+"\n"), 0o600); err != nil {
		n.t.Fatal(err)
	}
}

func (n *node) chainDir() string {
	d := n.chain
	return filepath.Join(n.dir, "data", "chain", "bitcoin", d)
}

func (n *node) args(expect string, extra ...string) []string {
	a := []string{"--lnddir=" + n.dir, "--chain=" + n.chain, "--wallet-secret=" + n.secretFile,
		"--password-file=" + n.passwordFile, "--expect-node-pubkey=" + expect,
		"--init-rpc-port=" + strconv.Itoa(n.init), "--lnd=" + bins.lnd, "--step-timeout=3m"}
	a = append(a, extra...)
	return append(a, "--", "--configfile="+n.conf)
}

// logPath is the output file of the node's run i (bcm-lnd-start's lines, then lnd's).
func (n *node) logPath(i int) string {
	return filepath.Join(filepath.Dir(n.dir), fmt.Sprintf("run-%d.log", i))
}

// start runs bcm-lnd-start in the background (it becomes lnd); its own process group, so a
// kill takes the one-shot lnd child with it, as a container's end would.
func (n *node) start(extra ...string) int {
	n.t.Helper()
	return n.startExpect(n.seed.NodePubkey, extra...)
}

func (n *node) startExpect(expect string, extra ...string) int {
	n.t.Helper()
	n.mu.Lock()
	defer n.mu.Unlock()
	n.runs++
	out, err := os.Create(n.logPath(n.runs))
	if err != nil {
		n.t.Fatal(err)
	}
	cmd := exec.Command(bins.start, n.args(expect, extra...)...)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		n.t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); out.Close(); close(done) }()
	n.cmd, n.done = cmd, done
	return n.runs
}

// runToEnd runs bcm-lnd-start expecting it to stop by itself, and returns its exit code
// and output.
func (n *node) runToEnd(expect string) (int, string) {
	n.t.Helper()
	run := n.startExpect(expect)
	select {
	case <-n.done:
	case <-time.After(3 * time.Minute):
		n.kill()
		n.t.Fatalf("bcm-lnd-start did not end within 3 minutes")
	}
	out, _ := os.ReadFile(n.logPath(run))
	return n.cmd.ProcessState.ExitCode(), string(out)
}

func (n *node) log(run int) string {
	out, _ := os.ReadFile(n.logPath(run))
	return string(out)
}

// stop sends SIGTERM (lnd by then) and waits.
func (n *node) stop() {
	if n.cmd == nil {
		return
	}
	_ = n.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-n.done:
	case <-time.After(90 * time.Second):
		n.kill()
		n.t.Errorf("%s did not stop within 90 s of SIGTERM", n.name)
	}
}

// kill ends the whole process group at once (SIGKILL), like a container killed mid-way.
func (n *node) kill() {
	if n.cmd == nil {
		return
	}
	_ = syscall.Kill(-n.cmd.Process.Pid, syscall.SIGKILL)
	<-n.done
}

func (n *node) exited() bool {
	select {
	case <-n.done:
		return true
	default:
		return false
	}
}

// conn is a gRPC connection to the node's real RPC port with the given macaroon file
// ("" for none).
func (n *node) conn(macaroon string) *grpc.ClientConn {
	n.t.Helper()
	if macaroon != "" {
		macaroon = filepath.Join(n.chainDir(), macaroon)
	}
	c, err := lndrun.Dial("127.0.0.1:"+strconv.Itoa(n.grpcPort), filepath.Join(n.dir, "tls.cert"), macaroon)
	if err != nil {
		n.t.Fatal(err)
	}
	n.t.Cleanup(func() { c.Close() })
	return c
}

// waitState waits until the node's state is want or later on its real RPC port.
func (n *node) waitState(want lnrpc.WalletState, timeout time.Duration) {
	n.t.Helper()
	deadline := time.Now().Add(timeout)
	var last string
	for time.Now().Before(deadline) {
		if n.exited() {
			n.t.Fatalf("%s ended before reaching %v: %s", n.name, want, tail(n.log(n.runs), 15))
		}
		if _, err := os.Stat(filepath.Join(n.dir, "tls.cert")); err == nil {
			c, err := lndrun.Dial("127.0.0.1:"+strconv.Itoa(n.grpcPort), filepath.Join(n.dir, "tls.cert"), "")
			if err == nil {
				ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
				st, err := lnrpc.NewStateClient(c).GetState(ctx, &lnrpc.GetStateRequest{})
				cancel()
				c.Close()
				if err == nil && st.State >= want && st.State != lnrpc.WalletState_WAITING_TO_START {
					return
				}
				if err != nil {
					last = err.Error()
				} else {
					last = st.State.String()
				}
			}
		}
		time.Sleep(500 * time.Millisecond)
	}
	n.t.Fatalf("%s did not reach %v within %s (last: %s): %s", n.name, want, timeout, last, tail(n.log(n.runs), 15))
}

func (n *node) lightning() lnrpc.LightningClient {
	return lnrpc.NewLightningClient(n.conn("admin.macaroon"))
}

func (n *node) getInfo() *lnrpc.GetInfoResponse {
	n.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	info, err := n.lightning().GetInfo(ctx, &lnrpc.GetInfoRequest{})
	if err != nil {
		n.t.Fatalf("%s GetInfo: %v", n.name, err)
	}
	return info
}

// lncli runs lncli against the node with its admin macaroon.
func (n *node) lncli(args ...string) string {
	n.t.Helper()
	full := append([]string{"--rpcserver=127.0.0.1:" + strconv.Itoa(n.grpcPort), "--lnddir=" + n.dir,
		"--network=" + lncliNetwork(n.chain), "--macaroonpath=" + filepath.Join(n.chainDir(), "admin.macaroon")}, args...)
	out, err := exec.Command(bins.lncli, full...).CombinedOutput()
	if err != nil {
		n.t.Fatalf("lncli %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func lncliNetwork(chain string) string {
	if chain == "testnet" {
		return "testnet"
	}
	return chain
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return "\n" + strings.Join(lines, "\n")
}

func hexString(b []byte) string { return fmt.Sprintf("%x", b) }

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	var b []byte
	if _, err := fmt.Sscanf(s, "%x", &b); err != nil {
		t.Fatal(err)
	}
	return b
}
