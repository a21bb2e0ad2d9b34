package backup

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"time"
)

// ManifestName is the index of a backup directory.
const ManifestName = "index.json"

// Entry describes one kept backup.
type Entry struct {
	// File is the name in the directory: channel-backup-<UTC time>-<sha256 prefix>.pgp.
	File string    `json:"file"`
	Time time.Time `json:"time"`
	// SHA256 is the hash of lnd's multi-channel backup (the plaintext of the file), hex.
	SHA256 string `json:"sha256"`
	// Size is the encrypted file's size in bytes.
	Size int `json:"size"`
	// Channels is how many channels the backup holds.
	Channels int `json:"channels"`
}

// Manifest is index.json: the kept backups, newest first.
type Manifest struct {
	Version    int     `json:"version"`
	NodePubkey string  `json:"nodePubkey"`
	Recipient  string  `json:"recipient"`
	Backups    []Entry `json:"backups"`
}

// Store is a directory of encrypted backups keeping the newest Keep.
type Store struct {
	Dir  string
	Keep int
}

// fileName is the name of a backup: sortable by time, and carrying its plaintext's hash.
var filePattern = regexp.MustCompile(`^channel-backup-\d{8}T\d{6}\.\d{3}Z-[0-9a-f]{16}\.pgp$`)

func fileName(t time.Time, sum string) string {
	return "channel-backup-" + t.UTC().Format("20060102T150405.000Z") + "-" + sum[:16] + ".pgp"
}

// ReadManifest reads index.json; a missing one is an empty manifest.
func (s *Store) ReadManifest() (Manifest, error) {
	var m Manifest
	data, err := os.ReadFile(filepath.Join(s.Dir, ManifestName))
	if errors.Is(err, os.ErrNotExist) {
		return Manifest{Version: 1}, nil
	}
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return m, fmt.Errorf("%s: %w", filepath.Join(s.Dir, ManifestName), err)
	}
	return m, nil
}

// Save writes one backup: the encrypted file (temporary file, fsync, rename), then the
// manifest with it first and at most Keep entries (the same way), then removes the files
// of older backups. A crash between the steps leaves at worst a file the manifest does not
// name, which the next Save removes.
func (s *Store) Save(now time.Time, plain, encrypted []byte, channels int, node, recipient string) (Entry, error) {
	if s.Keep < 1 {
		return Entry{}, errors.New("keep at least one backup")
	}
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return Entry{}, err
	}
	sum := sha256.Sum256(plain)
	e := Entry{Time: now.UTC(), SHA256: hex.EncodeToString(sum[:]), Size: len(encrypted), Channels: channels}
	e.File = fileName(now, e.SHA256)
	if err := writeAtomic(filepath.Join(s.Dir, e.File), encrypted); err != nil {
		return Entry{}, err
	}
	old, err := s.ReadManifest()
	if err != nil {
		return Entry{}, err
	}
	m := Manifest{Version: 1, NodePubkey: node, Recipient: recipient, Backups: []Entry{e}}
	for _, prev := range old.Backups {
		if len(m.Backups) == s.Keep {
			break
		}
		if prev.File == e.File {
			continue
		}
		if _, err := os.Stat(filepath.Join(s.Dir, prev.File)); err == nil {
			m.Backups = append(m.Backups, prev)
		}
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return Entry{}, err
	}
	if err := writeAtomic(filepath.Join(s.Dir, ManifestName), append(data, '\n')); err != nil {
		return Entry{}, err
	}
	return e, s.prune(m)
}

// prune removes backup files the manifest does not name (only files of our own pattern).
func (s *Store) prune(m Manifest) error {
	kept := map[string]bool{}
	for _, e := range m.Backups {
		kept[e.File] = true
	}
	entries, err := os.ReadDir(s.Dir)
	if err != nil {
		return err
	}
	for _, d := range entries {
		if filePattern.MatchString(d.Name()) && !kept[d.Name()] {
			if err := os.Remove(filepath.Join(s.Dir, d.Name())); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
		}
	}
	return nil
}

// writeAtomic writes data to path through a temporary file in the same directory, fsync'ed
// and renamed, then fsyncs the directory: readers see the old file or the whole new one.
func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
