package electrum

import (
	"context"
	"testing"
	"time"
)

func TestBudgetWaitsForFreedBytes(t *testing.T) {
	b := newBudget(100)
	ctx := context.Background()
	if err := b.take(ctx, 60); err != nil {
		t.Fatal(err)
	}
	if b.tryTake(50) {
		t.Fatal("took 50 of the 40 left")
	}
	done := make(chan error, 1)
	go func() { done <- b.take(ctx, 50) }()
	select {
	case <-done:
		t.Fatal("take did not wait")
	case <-time.After(50 * time.Millisecond):
	}
	b.give(60)
	if err := <-done; err != nil || b.inUse() != 50 {
		t.Fatalf("after give: %v, in use %d", err, b.inUse())
	}
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if err := b.take(short, 80); err == nil {
		t.Fatal("take did not give up when the context ended")
	}
	b.give(50)
	// Alone, an answer bigger than the whole budget may go.
	if !b.tryTake(500) {
		t.Fatal("an oversize answer could not go alone")
	}
	if b.tryTake(1) {
		t.Fatal("something went beside the oversize answer")
	}
}
