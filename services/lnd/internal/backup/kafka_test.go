package backup

import (
	"testing"
	"time"
)

func TestRecordIsKeyedByNodeWithHeaders(t *testing.T) {
	e := Entry{File: "channel-backup-20261206T150000.000Z-0123456789abcdef.pgp", Time: time.Date(2026, 12, 6, 15, 0, 0, 0, time.UTC), SHA256: "0123456789abcdef" + "00", Size: 3, Channels: 2}
	r := Record(DefaultTopic, "02node", e, []byte("enc"))
	if r.Topic != "bcm.lnd.channel-backups" || string(r.Key) != "02node" || string(r.Value) != "enc" || !r.Timestamp.Equal(e.Time) {
		t.Fatalf("record %+v", r)
	}
	want := map[string]string{"content-type": "application/pgp-encrypted", "bcm-file": e.File, "bcm-sha256": e.SHA256, "bcm-channels": "2"}
	if len(r.Headers) != len(want) {
		t.Fatalf("headers %+v", r.Headers)
	}
	for _, h := range r.Headers {
		if want[h.Key] != string(h.Value) {
			t.Errorf("header %s=%s, want %s", h.Key, h.Value, want[h.Key])
		}
	}
	c := TopicConfig()
	if *c["cleanup.policy"] != "compact" || *c["max.message.bytes"] != "10485760" {
		t.Fatalf("topic config %v", c)
	}
}
