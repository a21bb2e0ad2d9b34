package electrum

import (
	"context"
	"sync"
)

// budget is a count of bytes that answers waiting to be written may hold. Taking more than
// is free waits until the writer frees some; a single answer bigger than the whole budget
// may go alone when nothing else is waiting (it was already made; refusing it would not
// give the memory back). This is what bounds the memory of answers queued for clients that
// read slowly or not at all.
type budget struct {
	mu    sync.Mutex
	used  int64
	max   int64
	freed chan struct{}
}

func newBudget(max int64) *budget {
	return &budget{max: max, freed: make(chan struct{})}
}

// take waits until n bytes are free (or nothing is used), or ctx ends.
func (b *budget) take(ctx context.Context, n int64) error {
	for {
		b.mu.Lock()
		if b.used == 0 || b.used+n <= b.max {
			b.used += n
			b.mu.Unlock()
			return nil
		}
		freed := b.freed
		b.mu.Unlock()
		select {
		case <-freed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// tryTake takes n bytes only if they are free now.
func (b *budget) tryTake(n int64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.used == 0 || b.used+n <= b.max {
		b.used += n
		return true
	}
	return false
}

func (b *budget) give(n int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.used -= n
	close(b.freed)
	b.freed = make(chan struct{})
}

func (b *budget) inUse() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.used
}
