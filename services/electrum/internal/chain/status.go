package chain

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"strconv"
)

// StatusHasher computes a script hash's status as protocol 1.4 defines it (the "old
// status", before 1.5): SHA-256 over the concatenation of "txid:height:" for every
// confirmed transaction in blockchain order, then every mempool transaction (height 0, or
// -1 when it spends an unconfirmed output), shown as plain hex; no history at all gives
// null. It is fed one entry at a time, so a long history never sits in memory.
type StatusHasher struct {
	h hash.Hash
	n int
}

// NewStatusHasher starts an empty status.
func NewStatusHasher() *StatusHasher {
	return &StatusHasher{h: sha256.New()}
}

// Add appends one history entry.
func (s *StatusHasher) Add(txid Hash, height int64) {
	s.h.Write([]byte(txid.String()))
	s.h.Write([]byte{':'})
	s.h.Write([]byte(strconv.FormatInt(height, 10)))
	s.h.Write([]byte{':'})
	s.n++
}

// Status is the hex status, or nil (JSON null) for an empty history.
func (s *StatusHasher) Status() *string {
	if s.n == 0 {
		return nil
	}
	out := hex.EncodeToString(s.h.Sum(nil))
	return &out
}
