// Package chain holds the pure Bitcoin and Electrum computations the server needs: script
// hashes, the protocol's status hash, transaction merkle branches and the merkle proofs of
// headers up to a checkpoint. Nothing here touches the network or the disk.
package chain

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// Hash is a 32-byte hash in the order Bitcoin serialises it (the reverse of how txids and
// block hashes are displayed).
type Hash [32]byte

// DoubleSHA256 is Bitcoin's hash of headers, transactions and merkle nodes.
func DoubleSHA256(b []byte) Hash {
	first := sha256.Sum256(b)
	return sha256.Sum256(first[:])
}

// String shows the hash the way Bitcoin shows txids and block hashes: byte-reversed hex.
func (h Hash) String() string {
	var r [32]byte
	for i := range h {
		r[i] = h[31-i]
	}
	return hex.EncodeToString(r[:])
}

// ParseHash reads a displayed (byte-reversed) 64-digit hex hash, as clients send txids,
// block hashes and script hashes.
func ParseHash(s string) (Hash, error) {
	var h Hash
	if len(s) != 64 {
		return h, fmt.Errorf("%q is not a 64-digit hex hash", s)
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return h, fmt.Errorf("%q is not a 64-digit hex hash: %v", s, err)
	}
	for i := range h {
		h[i] = b[31-i]
	}
	return h, nil
}

// ScriptHash is the Electrum protocol's key for an output script: SHA-256 of the script
// bytes. Clients send it displayed byte-reversed, like a txid, so Hash.String gives what
// they send.
func ScriptHash(script []byte) Hash {
	return sha256.Sum256(script)
}
