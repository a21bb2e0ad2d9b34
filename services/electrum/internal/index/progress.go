package index

import (
	"fmt"
	"sync"
	"time"
)

// State is what the index can answer.
type State string

const (
	Indexing State = "indexing" // catching up: scripthash queries are refused
	Synced   State = "synced"   // caught up with the node once; follows it since
)

// Progress is a snapshot of where indexing stands.
type Progress struct {
	State       State
	Height      int64 // last indexed block
	NodeHeight  int64 // the node's best height when last asked
	StartHeight int64 // the indexed height when this process started (resume point)
	Rebuilt     string
	LastError   string
	Blocks      int64 // blocks connected by this process
	Txs         int64 // transactions connected by this process
	Since       time.Time
}

// Percent is how far indexing is, 0..100, with one decimal.
func (p Progress) Percent() float64 {
	if p.NodeHeight <= 0 {
		if p.Height >= 0 && p.NodeHeight == 0 {
			return 100
		}
		return 0
	}
	pc := float64(max(p.Height, 0)) * 100 / float64(p.NodeHeight)
	return float64(int64(min(pc, 100)*10)) / 10
}

// Message is the error text for queries refused while indexing.
func (p Progress) Message() string {
	return fmt.Sprintf("indexing %.1f%% (%d/%d): try again when the index has caught up with the node", p.Percent(), max(p.Height, 0), p.NodeHeight)
}

type progress struct {
	mu sync.Mutex
	p  Progress
}

func (pr *progress) get() Progress {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	return pr.p
}

func (pr *progress) update(fn func(p *Progress)) {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	fn(&pr.p)
}
