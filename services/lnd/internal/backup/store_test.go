package backup

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

func names(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	sort.Strings(out)
	return out
}

func TestSaveKeepsTheNewestNWithAManifest(t *testing.T) {
	dir := t.TempDir()
	s := &Store{Dir: dir, Keep: 3}
	// A file that is not ours stays.
	if err := os.WriteFile(filepath.Join(dir, "README"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 12, 6, 15, 0, 0, 0, time.UTC)
	var saved []Entry
	for i := 0; i < 5; i++ {
		plain := []byte{byte(i), 1, 2, 3}
		e, err := s.Save(t0.Add(time.Duration(i)*time.Second), plain, append([]byte("enc"), plain...), i, "02abc", "FPR")
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(plain)
		if e.SHA256 != hex.EncodeToString(sum[:]) || e.Channels != i || e.Size != len(plain)+3 {
			t.Fatalf("entry %+v", e)
		}
		if !filePattern.MatchString(e.File) || !strings.Contains(e.File, e.SHA256[:16]) {
			t.Fatalf("name %s", e.File)
		}
		saved = append(saved, e)
	}
	m, err := s.ReadManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Backups) != 3 || m.Backups[0] != saved[4] || m.Backups[1] != saved[3] || m.Backups[2] != saved[2] {
		t.Fatalf("manifest %+v", m.Backups)
	}
	if m.NodePubkey != "02abc" || m.Recipient != "FPR" || m.Version != 1 {
		t.Fatalf("manifest %+v", m)
	}
	want := []string{"README", saved[2].File, saved[3].File, saved[4].File, ManifestName}
	sort.Strings(want)
	if got := names(t, dir); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("directory %v, want %v (no temporary files, older backups removed)", got, want)
	}
	data, _ := os.ReadFile(filepath.Join(dir, saved[4].File))
	if !bytes.Equal(data, []byte{'e', 'n', 'c', 4, 1, 2, 3}) {
		t.Fatalf("content %v", data)
	}
	st, _ := os.Stat(filepath.Join(dir, saved[4].File))
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", st.Mode().Perm())
	}
	// The names sort by time.
	if !(saved[2].File < saved[3].File && saved[3].File < saved[4].File) {
		t.Fatal("names do not sort by time")
	}
}

// A file the manifest does not name (a crash between writing it and the manifest) goes at
// the next save; an entry whose file is gone leaves the manifest.
func TestSaveRepairsAfterACrash(t *testing.T) {
	dir := t.TempDir()
	s := &Store{Dir: dir, Keep: 5}
	t0 := time.Date(2026, 12, 6, 15, 0, 0, 0, time.UTC)
	a, _ := s.Save(t0, []byte("a"), []byte("A"), 0, "n", "k")
	b, _ := s.Save(t0.Add(time.Second), []byte("b"), []byte("B"), 0, "n", "k")
	orphan := fileName(t0.Add(2*time.Second), strings.Repeat("ab", 32))
	if err := os.WriteFile(filepath.Join(dir, orphan), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, a.File)); err != nil {
		t.Fatal(err)
	}
	c, err := s.Save(t0.Add(3*time.Second), []byte("c"), []byte("C"), 0, "n", "k")
	if err != nil {
		t.Fatal(err)
	}
	m, _ := s.ReadManifest()
	if len(m.Backups) != 2 || m.Backups[0] != c || m.Backups[1] != b {
		t.Fatalf("manifest %+v", m.Backups)
	}
	if _, err := os.Stat(filepath.Join(dir, orphan)); !os.IsNotExist(err) {
		t.Fatal("the orphan file is still there")
	}
}

func TestSaveRefusesKeepZero(t *testing.T) {
	if _, err := (&Store{Dir: t.TempDir(), Keep: 0}).Save(time.Now(), []byte("a"), []byte("b"), 0, "n", "k"); err == nil {
		t.Fatal("keep 0 accepted")
	}
}
