package chain

// Bitcoin's merkle tree: leaves are paired level by level, a level with an odd number of
// nodes pairs its last node with itself, and a parent is DoubleSHA256(left || right). The
// protocol's branches list the sibling at each level, deepest first.

func parent(l, r Hash) Hash {
	var b [64]byte
	copy(b[:32], l[:])
	copy(b[32:], r[:])
	return DoubleSHA256(b[:])
}

// MerkleRoot is the root of the tree over leaves (the block's merkle root when the leaves
// are its txids). An empty list has the zero hash.
func MerkleRoot(leaves []Hash) Hash {
	root, _ := MerkleBranch(leaves, -1)
	return root
}

// MerkleBranch returns the root over leaves and the branch of leaves[index], deepest
// pairing first. index -1 asks for the root only. The leaves slice is not changed.
func MerkleBranch(leaves []Hash, index int) (Hash, []Hash) {
	if len(leaves) == 0 {
		return Hash{}, nil
	}
	level := append([]Hash(nil), leaves...)
	var branch []Hash
	for len(level) > 1 {
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

// RootFromBranch climbs from leaf at index with branch to the root, as a client checks a
// proof; the tests use it to check the branches this package makes.
func RootFromBranch(leaf Hash, index int, branch []Hash) Hash {
	h := leaf
	for _, sib := range branch {
		if index&1 == 1 {
			h = parent(sib, h)
		} else {
			h = parent(h, sib)
		}
		index >>= 1
	}
	return h
}
