package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

// testSSHD is a real OpenSSH server on 127.0.0.1, private to one test: its
// own host key, authorized_keys and config, logging in as the current user.
type testSSHD struct {
	port          int
	user          string
	hostKey       string // authorized_keys form of the server's key
	clientKey     string // unencrypted private key (PEM)
	encryptedKey  string // private key encrypted with encryptedPass
	encryptedPass string
}

const sshdPath = "/usr/sbin/sshd"

// ensureSSHD installs Debian's openssh-server when sshd is missing. The
// remote tests must not pass by skipping: without sshd they fail, loudly.
func ensureSSHD(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(sshdPath); err == nil {
		return
	}
	t.Logf("%s missing: installing openssh-server with apt-get", sshdPath)
	script := "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=300 openssh-server"
	outp, err := exec.Command("sh", "-c", script).CombinedOutput()
	if _, statErr := os.Stat(sshdPath); statErr != nil {
		t.Fatalf("remote tests need OpenSSH's sshd at %s and installing openssh-server failed (%v):\n%s", sshdPath, err, outp)
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func newKey(t *testing.T, passphrase string) (private string, public ssh.PublicKey) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	var block *pem.Block
	if passphrase == "" {
		block, err = ssh.MarshalPrivateKey(priv, "bcm-test")
	} else {
		block, err = ssh.MarshalPrivateKeyWithPassphrase(priv, "bcm-test", []byte(passphrase))
	}
	if err != nil {
		t.Fatal(err)
	}
	sshPub, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(block)), sshPub
}

func startSSHD(t *testing.T) *testSSHD {
	t.Helper()
	ensureSSHD(t)
	me, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	// Debian's sshd refuses to start without its privilege separation dir.
	if err := os.MkdirAll("/run/sshd", 0o755); err != nil && me.Uid == "0" {
		t.Fatal(err)
	}

	dir := t.TempDir()
	hostPriv, hostPub := newKey(t, "")
	clientPriv, clientPub := newKey(t, "")
	encPriv, encPub := newKey(t, "open sesame")
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	hostKeyFile := write("host_key", hostPriv)
	authKeys := write("authorized_keys", string(ssh.MarshalAuthorizedKey(clientPub))+string(ssh.MarshalAuthorizedKey(encPub)))
	port := freePort(t)
	config := write("sshd_config", fmt.Sprintf(`Port %d
ListenAddress 127.0.0.1
HostKey %s
PidFile %s
AuthorizedKeysFile %s
UsePAM no
PermitRootLogin yes
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
StrictModes no
AllowTcpForwarding yes
Subsystem sftp internal-sftp
LogLevel VERBOSE
`, port, hostKeyFile, filepath.Join(dir, "sshd.pid"), authKeys))

	logFile, err := os.Create(filepath.Join(dir, "sshd.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(sshdPath, "-D", "-e", "-f", config)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting sshd: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		_ = logFile.Close()
		if t.Failed() {
			b, _ := os.ReadFile(logFile.Name())
			t.Logf("sshd log:\n%s", b)
		}
	})

	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(logFile.Name())
			t.Fatalf("sshd did not listen on %d: %v\n%s", port, err, b)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return &testSSHD{
		port: port, user: me.Username,
		hostKey:   strings.TrimSpace(string(ssh.MarshalAuthorizedKey(hostPub))),
		clientKey: clientPriv, encryptedKey: encPriv, encryptedPass: "open sesame",
	}
}

// connection returns the `connection` input as the SDK sends it: secret,
// with the SDK defaults filled in, and the host key pinned.
func (d *testSSHD) connection(extra map[string]any) map[string]any {
	c := map[string]any{
		"host": "127.0.0.1", "port": float64(d.port), "user": d.user, "privateKey": d.clientKey,
		"hostKey": d.hostKey, "dialErrorLimit": 10.0, "perDialTimeout": 15.0,
	}
	for k, v := range extra {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	return c
}
