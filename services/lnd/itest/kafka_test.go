package itest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"bcm/services/lnd/internal/backup"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// kafkaLibs are the Kafka 3.9.2 jars of the project's kafka image (images/docker/kafka/
// prepare.sh: Maven Central, checked against jars.sha256), cached by that recipe's hash.
func kafkaLibs(t *testing.T) string {
	t.Helper()
	root := repoRoot()
	recipe := filepath.Join(root, "images/docker/kafka")
	h := sha256.New()
	for _, f := range []string{"prepare.sh", "pom.xml", "jars.sha256"} {
		data, err := os.ReadFile(filepath.Join(recipe, f))
		if err != nil {
			t.Fatal(err)
		}
		h.Write(data)
	}
	dir := filepath.Join(cacheDir(), "lnd-itest", "kafka-"+hex.EncodeToString(h.Sum(nil))[:16])
	libs := filepath.Join(dir, "libs")
	if _, err := os.Stat(libs); err == nil {
		return libs
	}
	ctx := t.TempDir()
	if out, err := exec.Command("cp", "-a", recipe+"/.", ctx).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v: %s", err, out)
	}
	cmd := exec.Command("bash", filepath.Join(ctx, "prepare.sh"), ctx)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("images/docker/kafka/prepare.sh: %v: %s", err, tail(string(out), 20))
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(ctx, "libs"), libs); err != nil {
		t.Fatal(err)
	}
	return libs
}

// startKafka runs a single KRaft broker (broker and controller in one JVM, the host's
// Java 17) on 127.0.0.1 and returns its bootstrap address.
func startKafka(t *testing.T) string {
	t.Helper()
	libs := kafkaLibs(t)
	dir := filepath.Join(work, "kafka")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	broker, controller := freePort(), freePort()
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
	if err := os.WriteFile(conf, []byte(props), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(logConf, []byte("log4j.rootLogger=WARN, stdout\nlog4j.appender.stdout=org.apache.log4j.ConsoleAppender\nlog4j.appender.stdout.layout=org.apache.log4j.PatternLayout\nlog4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	java := func(class string, args ...string) *exec.Cmd {
		return exec.Command("java", append([]string{"-Xms256m", "-Xmx256m", "-Dlog4j.configuration=file:" + logConf, "-cp", libs + "/*", class}, args...)...)
	}
	if out, err := java("kafka.tools.StorageTool", "format", "-t", "YmNtLWxuZC1pdGVzdC0wMQ", "-c", conf).CombinedOutput(); err != nil {
		t.Fatalf("kafka storage format: %v: %s", err, out)
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
		go func() { cmd.Wait(); close(done) }()
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
			t.Fatalf("kafka did not answer on %s within 90 s: %v%s", addr, err, tail(string(out), 15))
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// bcm-chanbackup with --kafka-brokers against a real broker: the compacted topic is made,
// the record is keyed by the node and carries the same encrypted bytes as the file, which
// openpgp.js decrypts to a backup lnd verifies. A topic that exists without compaction is
// refused with the fix.
func TestChannelBackupsToKafka(t *testing.T) {
	brokers := startKafka(t)
	a := aliceNode(t)

	// A topic that is not compacted: the producer refuses it.
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if _, err := adm.CreateTopic(ctx, 1, 1, nil, "bcm.itest.not-compacted"); err != nil {
		t.Fatal(err)
	}
	if _, err := backup.NewProducer(ctx, []string{brokers}, "bcm.itest.not-compacted"); err == nil || !strings.Contains(err.Error(), "fix: ") {
		t.Fatalf("a delete-policy topic: %v", err)
	}

	key := openpgpjsKey(t, "")
	keyFile := filepath.Join(work, "kafka-recipient.asc")
	if err := os.WriteFile(keyFile, []byte(key.PublicKey), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(work, "chanbackup-kafka", "backups")
	c := startChanbackup(t, a, keyFile, dir, 5, "--kafka-brokers="+brokers)
	m := waitManifest(t, c, dir, time.Minute, "a first backup", func(m backup.Manifest) bool { return len(m.Backups) >= 1 })

	configs, err := adm.DescribeTopicConfigs(ctx, backup.DefaultTopic)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := configs.On(backup.DefaultTopic, nil)
	if err != nil {
		t.Fatal(err)
	}
	policy := ""
	for _, c := range rc.Configs {
		if c.Key == "cleanup.policy" && c.Value != nil {
			policy = *c.Value
		}
	}
	if policy != "compact" {
		t.Fatalf("the topic's cleanup.policy is %q", policy)
	}

	consumer, err := kgo.NewClient(kgo.SeedBrokers(brokers), kgo.ConsumeTopics(backup.DefaultTopic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer consumer.Close()
	var rec *kgo.Record
	for rec == nil {
		fetches := consumer.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			t.Fatalf("no record on %s: %v", backup.DefaultTopic, err)
		}
		fetches.EachRecord(func(r *kgo.Record) {
			if rec == nil {
				rec = r
			}
		})
	}
	if string(rec.Key) != a.seed.NodePubkey {
		t.Fatalf("record key %q, want the node pubkey", rec.Key)
	}
	headers := map[string]string{}
	for _, h := range rec.Headers {
		headers[h.Key] = string(h.Value)
	}
	first := m.Backups[len(m.Backups)-1]
	if headers["bcm-file"] != first.File || headers["bcm-sha256"] != first.SHA256 || headers["content-type"] != "application/pgp-encrypted" {
		t.Fatalf("headers %v, first backup %+v", headers, first)
	}
	onDisk, err := os.ReadFile(filepath.Join(dir, first.File))
	if err != nil {
		t.Fatal(err)
	}
	if string(onDisk) != string(rec.Value) {
		t.Fatal("the record's value is not the file's encrypted bytes")
	}
	recFile := filepath.Join(t.TempDir(), "record.pgp")
	if err := os.WriteFile(recFile, rec.Value, 0o600); err != nil {
		t.Fatal(err)
	}
	verifyBackup(t, a, key, recFile)
	if !strings.Contains(c.log(), "sent "+first.File+" to kafka") {
		t.Fatalf("bcm-chanbackup did not say it sent %s: %s", first.File, tail(c.log(), 5))
	}
	if !strings.Contains(c.log(), "producing to kafka topic "+backup.DefaultTopic) {
		t.Fatalf("bcm-chanbackup did not say it produces to kafka: %s", tail(c.log(), 5))
	}
}
