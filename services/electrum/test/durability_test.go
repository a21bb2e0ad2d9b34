package test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"bcm/services/electrum/internal/regtest"
)

// A restart resumes from the index; a truncated or overwritten index is detected at start
// and rebuilt from scratch, with a log line saying so; answers stay equal to the node's.
func TestRestartResumesAndDamagedIndexIsRebuilt(t *testing.T) {
	f := newFixture(t, 3)
	keys := []*regtest.Key{regtest.NewKey("gina"), regtest.NewKey("hugo")}
	f.activity(keys)
	f.mine(f.a, 300)
	srv := f.startServer()
	height := f.height(f.a)
	if err := srv.Stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if !strings.Contains(srv.Log(), "index closed at height") {
		t.Fatalf("no clean close in the log:\n%s", srv.Log())
	}

	// Restart: resumes at the stored height, indexes only the new blocks.
	f.mine(f.a, 5)
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	f.synced()
	st, err := srv.Status()
	if err != nil {
		t.Fatal(err)
	}
	if st.StartHeight != height || st.Rebuilt != "" {
		t.Fatalf("after a restart the index started at %d (rebuilt %q), want %d", st.StartHeight, st.Rebuilt, height)
	}
	if !strings.Contains(srv.Log(), "resuming the index at height "+itoa(height)) {
		t.Fatalf("no resume line in the log:\n%s", srv.Log())
	}
	c := f.client()
	for _, k := range append(keys, f.miner) {
		f.compareScript(c, f.a, k)
	}
	c.Close()

	db := filepath.Join(srv.DataDir, "index.db")
	damages := []struct {
		name   string
		damage func() error
	}{
		{"truncated to half", func() error {
			st, err := os.Stat(db)
			if err != nil {
				return err
			}
			return os.Truncate(db, st.Size()/2)
		}},
		{"first pages overwritten", func() error {
			fh, err := os.OpenFile(db, os.O_WRONLY, 0)
			if err != nil {
				return err
			}
			defer fh.Close()
			_, err = fh.WriteAt([]byte(strings.Repeat("not an index ", 1000)), 0)
			return err
		}},
	}
	for _, d := range damages {
		if err := srv.Stop(); err != nil {
			t.Fatalf("stop: %v", err)
		}
		if err := d.damage(); err != nil {
			t.Fatal(err)
		}
		if err := srv.Start(); err != nil {
			t.Fatalf("%s: the server did not start: %v", d.name, err)
		}
		f.synced()
		st, err := srv.Status()
		if err != nil {
			t.Fatal(err)
		}
		if st.StartHeight != -1 || st.Rebuilt == "" {
			t.Fatalf("%s: status says start height %d, rebuilt %q: the damage was not detected", d.name, st.StartHeight, st.Rebuilt)
		}
		lines := strings.Split(srv.Log(), "\n")
		found := false
		for _, l := range lines[max(0, len(lines)-20):] {
			if strings.Contains(l, "was damaged") && strings.Contains(l, "rebuilding it from scratch") {
				found = true
			}
		}
		if !found {
			t.Fatalf("%s: no log line about the rebuild:\n%s", d.name, tail(srv.Log(), 2000))
		}
		c := f.client()
		for _, k := range append(keys, f.miner) {
			f.compareScript(c, f.a, k)
		}
		c.Close()
	}

	// The status command prints the file.
	out, err := runCmd(serverBin, "status", "--datadir", srv.DataDir)
	if err != nil || !strings.Contains(out, `"state": "synced"`) {
		t.Fatalf("bcm-electrum status: %v\n%s", err, out)
	}
	time.Sleep(10 * time.Millisecond)
}
