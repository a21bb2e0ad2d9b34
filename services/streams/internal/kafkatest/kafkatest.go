// Package kafkatest runs a real Apache Kafka for tests: the jars of the project's kafka image
// (images/docker/kafka/prepare.sh: Maven Central, checked against jars.sha256, cached by that
// recipe's hash) on the host's Java 17, one KRaft node (broker and controller) on loopback.
package kafkatest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// RepoRoot is the repository this package is in.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", "..", "..", ".."))
}

// CacheDir is BCM's cache (BCM_CACHE_DIR, else $XDG_CACHE_HOME/bcm or ~/.cache/bcm).
func CacheDir() string {
	if d := os.Getenv("BCM_CACHE_DIR"); d != "" {
		return d
	}
	if d := os.Getenv("XDG_CACHE_HOME"); d != "" {
		return filepath.Join(d, "bcm")
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".cache", "bcm")
}

// FreePort is a TCP port free on 127.0.0.1 now.
func FreePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Tail is the last n lines of s.
func Tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return "\n" + strings.Join(lines, "\n")
}

// libs fetches (once per recipe) and returns the image's class path directory.
func libs(t testing.TB) string {
	t.Helper()
	recipe := filepath.Join(RepoRoot(), "images/docker/kafka")
	h := sha256.New()
	for _, f := range []string{"prepare.sh", "pom.xml", "jars.sha256"} {
		data, err := os.ReadFile(filepath.Join(recipe, f))
		if err != nil {
			t.Fatal(err)
		}
		h.Write(data)
	}
	// The same directory as services/lnd/itest's: one download for both.
	dir := filepath.Join(CacheDir(), "lnd-itest", "kafka-"+hex.EncodeToString(h.Sum(nil))[:16])
	out := filepath.Join(dir, "libs")
	if _, err := os.Stat(out); err == nil {
		return out
	}
	ctx := t.TempDir()
	if b, err := exec.Command("cp", "-a", recipe+"/.", ctx).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v: %s", err, b)
	}
	if b, err := exec.Command("bash", filepath.Join(ctx, "prepare.sh"), ctx).CombinedOutput(); err != nil {
		t.Fatalf("images/docker/kafka/prepare.sh: %v: %s", err, Tail(string(b), 20))
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(ctx, "libs"), out); err != nil && !os.IsExist(err) {
		t.Fatal(err)
	}
	return out
}

// Start runs one KRaft node in dir (made when missing) and returns its bootstrap address; it
// stops when the test ends. Start again on the same dir and port keeps the data.
func Start(t testing.TB) string {
	t.Helper()
	return StartIn(t, t.TempDir(), FreePort(), FreePort())
}

// StartIn is Start on a given directory and ports.
func StartIn(t testing.TB, dir string, broker, controller int) string {
	t.Helper()
	if _, err := exec.LookPath("java"); err != nil {
		t.Fatal("java is not on PATH: these tests need Java 17 (apt-get install openjdk-17-jre-headless)")
	}
	classes := libs(t)
	props := fmt.Sprintf(`process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:%[2]d
listeners=PLAINTEXT://127.0.0.1:%[1]d,CONTROLLER://127.0.0.1:%[2]d
advertised.listeners=PLAINTEXT://127.0.0.1:%[1]d
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=%[3]s/data
num.partitions=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
`, broker, controller, dir)
	conf := filepath.Join(dir, "server.properties")
	logConf := filepath.Join(dir, "log4j.properties")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(conf, []byte(props), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(logConf, []byte("log4j.rootLogger=WARN, stdout\nlog4j.appender.stdout=org.apache.log4j.ConsoleAppender\nlog4j.appender.stdout.layout=org.apache.log4j.PatternLayout\nlog4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	java := func(class string, args ...string) *exec.Cmd {
		return exec.Command("java", append([]string{"-Xms256m", "-Xmx256m", "-XX:+UseSerialGC", "-Dlog4j.configuration=file:" + logConf, "-cp", classes + "/*", class}, args...)...)
	}
	if b, err := java("kafka.tools.StorageTool", "format", "--ignore-formatted", "-t", "YmNtLXN0cmVhbXMtdGVzdA", "-c", conf).CombinedOutput(); err != nil {
		t.Fatalf("kafka storage format: %v: %s", err, b)
	}
	logf, err := os.Create(filepath.Join(dir, "kafka.out"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := java("kafka.Kafka", conf)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
		logf.Close()
	})
	addr := fmt.Sprintf("127.0.0.1:%d", broker)
	deadline := time.Now().Add(90 * time.Second)
	for {
		cl, err := kgo.NewClient(kgo.SeedBrokers(addr))
		if err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			_, err = kadm.NewClient(cl).ListBrokers(ctx)
			cancel()
			cl.Close()
			if err == nil {
				return addr
			}
		}
		if time.Now().After(deadline) {
			out, _ := os.ReadFile(logf.Name())
			t.Fatalf("kafka did not answer on %s within 90 s: %v%s", addr, err, Tail(string(out), 15))
		}
		time.Sleep(500 * time.Millisecond)
	}
}
