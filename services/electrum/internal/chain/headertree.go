package chain

import (
	"fmt"
	"sync"
)

// HeaderTree proves that a header belongs to the chain up to a checkpoint (cp_height):
// the merkle tree whose leaves are the block hashes of heights 0..cp_height, in Bitcoin's
// merkle rules. Hashing every header up to the checkpoint for each request would read the
// whole header table (64 MB on mainnet), so the tree is cut into chunks of 2^ChunkBits
// leaves: the node at level ChunkBits above a complete chunk never changes once the chunk
// is buried, and is cached (32 bytes a chunk). A proof then reads one chunk of headers and
// hashes the few cached nodes above it.
type HeaderTree struct {
	chunkBits uint
	mu        sync.Mutex
	cache     map[int64]Hash // chunk number -> its node at level chunkBits (complete chunks only)
}

// Leaves returns the block hashes of heights [from, to).
type Leaves func(from, to int64) ([]Hash, error)

// NewHeaderTree makes a tree with chunks of 2^chunkBits headers (10: 1024 headers).
func NewHeaderTree(chunkBits uint) *HeaderTree {
	return &HeaderTree{chunkBits: chunkBits, cache: map[int64]Hash{}}
}

// Forget drops cached chunks that contain height or anything above it: after a reorg
// back to height-1 their hashes are no longer the chain's.
func (t *HeaderTree) Forget(height int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	size := int64(1) << t.chunkBits
	for c := range t.cache {
		if (c+1)*size > height {
			delete(t.cache, c)
		}
	}
}

// Proof returns the root of the tree over n leaves (heights 0..n-1) and the branch of leaf
// index, deepest pairing first.
func (t *HeaderTree) Proof(n, index int64, leaves Leaves) (Hash, []Hash, error) {
	if index < 0 || index >= n {
		return Hash{}, nil, fmt.Errorf("header %d is not below %d", index, n)
	}
	size := int64(1) << t.chunkBits
	if n <= size {
		all, err := leaves(0, n)
		if err != nil {
			return Hash{}, nil, err
		}
		root, branch := MerkleBranch(all, int(index))
		return root, branch, nil
	}
	chunks := (n + size - 1) / size
	upper := make([]Hash, chunks)
	var lower []Hash
	for c := int64(0); c < chunks; c++ {
		from, to := c*size, min((c+1)*size, n)
		complete := to-from == size
		mine := index >= from && index < to
		if complete && !mine {
			if node, ok := t.cached(c); ok {
				upper[c] = node
				continue
			}
		}
		chunk, err := leaves(from, to)
		if err != nil {
			return Hash{}, nil, err
		}
		if int64(len(chunk)) != to-from {
			return Hash{}, nil, fmt.Errorf("asked for headers %d..%d, got %d", from, to-1, len(chunk))
		}
		pos := -1
		if mine {
			pos = int(index - from)
		}
		node, branch := climb(chunk, pos, t.chunkBits)
		upper[c] = node
		if mine {
			lower = branch
		}
		if complete {
			t.store(c, node)
		}
	}
	root, top := MerkleBranch(upper, int(index/size))
	return root, append(lower, top...), nil
}

func (t *HeaderTree) cached(c int64) (Hash, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	h, ok := t.cache[c]
	return h, ok
}

func (t *HeaderTree) store(c int64, h Hash) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.cache[c] = h
}

// climb hashes exactly `levels` levels above leaves (at most 2^levels of them), pairing an
// odd last node with itself at every level, even when it is alone: that is what the full
// tree does to the last, partial chunk, whose nodes are the last of their level. It also
// returns the branch of leaves[index] (none for index -1).
func climb(leaves []Hash, index int, levels uint) (Hash, []Hash) {
	level := append([]Hash(nil), leaves...)
	var branch []Hash
	for l := uint(0); l < levels; l++ {
		if len(level)%2 == 1 {
			level = append(level, level[len(level)-1])
		}
		if index >= 0 {
			branch = append(branch, level[index^1])
			index >>= 1
		}
		next := make([]Hash, len(level)/2)
		for i := range next {
			next[i] = parent(level[2*i], level[2*i+1])
		}
		level = next
	}
	return level[0], branch
}
