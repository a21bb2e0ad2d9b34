package backup

import (
	"bytes"
	"context"
	"log"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/lightningnetwork/lnd/lnrpc"
	"github.com/twmb/franz-go/pkg/kgo"
)

// With Kafka away, a backup is still kept as a file, and waits as the unsent one (only the
// newest: compaction keeps one per node anyway) instead of breaking the stream from lnd.
func TestKafkaAwayKeepsTheFileAndTheNewestUnsent(t *testing.T) {
	// A port nothing listens on.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	client, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.RecordRetries(1), kgo.RetryTimeout(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	key := newKey(t)
	r, err := LoadRecipient(writeArmored(t, key, false))
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	s := &Service{
		Recipient: r, Store: &Store{Dir: t.TempDir(), Keep: 3},
		Producer: &Producer{client: client, topic: DefaultTopic},
		Log:      log.New(&logs, "", 0),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for i, b := range [][]byte{[]byte("first"), []byte("second")} {
		err := s.keep(ctx, "02node", &lnrpc.MultiChanBackup{MultiChanBackup: b, ChanPoints: make([]*lnrpc.ChannelPoint, i)})
		if err != nil {
			t.Fatalf("keep: %v", err)
		}
	}
	m, err := s.Store.ReadManifest()
	if err != nil || len(m.Backups) != 2 {
		t.Fatalf("manifest %+v %v", m, err)
	}
	if s.unsent == nil || s.unsent.entry != m.Backups[0] {
		t.Fatalf("unsent %+v, newest %+v", s.unsent, m.Backups[0])
	}
	if !strings.Contains(logs.String(), "kept as a file; trying again") {
		t.Fatalf("log: %s", logs.String())
	}
}
