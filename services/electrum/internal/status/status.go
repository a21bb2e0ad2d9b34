// Package status writes and reads <datadir>/status.json: what the running server is doing,
// for `bcm-electrum status` (which `bcm show` runs inside the container) and for people.
package status

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// FileName is the status file's name in the datadir.
const FileName = "status.json"

// Status is the file's content.
type Status struct {
	State            string    `json:"state"` // indexing | synced
	Height           int64     `json:"height"`
	NodeHeight       int64     `json:"node_height"`
	Percent          float64   `json:"percent"`
	BlocksPerSec     float64   `json:"blocks_per_sec"`
	TxsPerSec        float64   `json:"txs_per_sec"`
	StartHeight      int64     `json:"start_height"` // the index's height when this process started
	Rebuilt          string    `json:"rebuilt,omitempty"`
	LastError        string    `json:"last_error,omitempty"`
	MemoryLimitBytes int64     `json:"memory_limit_bytes"`
	HeapBytes        uint64    `json:"heap_bytes"`
	IndexBytes       int64     `json:"index_bytes"`
	MempoolTxs       int       `json:"mempool_txs"`
	MempoolTruncated bool      `json:"mempool_truncated,omitempty"`
	Connections      int64     `json:"connections"`
	Subscriptions    int       `json:"subscriptions"`
	QueuedBytes      int64     `json:"queued_bytes"` // answers waiting to be written
	Chain            string    `json:"chain"`
	Listen           string    `json:"listen"`
	Version          string    `json:"version"`
	PID              int       `json:"pid"`
	Started          time.Time `json:"started"`
	Updated          time.Time `json:"updated"`
}

// Write replaces the file atomically (a reader never sees half of it).
func Write(datadir string, s Status) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(datadir, "."+FileName+".tmp")
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(datadir, FileName))
}

// Read reads the file.
func Read(datadir string) (Status, []byte, error) {
	var s Status
	path := filepath.Join(datadir, FileName)
	b, err := os.ReadFile(path)
	if err != nil {
		return s, nil, fmt.Errorf("%w (bcm-electrum writes it every few seconds while it runs with --datadir %s)", err, datadir)
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return s, b, fmt.Errorf("%s is not a status file: %w", path, err)
	}
	return s, b, nil
}
