package electrum

import (
	"context"

	"bcm/services/electrum/internal/chain"
	"bcm/services/electrum/internal/store"
)

// A script's history: its confirmed transactions from the index in blockchain order, then
// its mempool transactions (height 0, or -1 when spending unconfirmed outputs; ordered by
// height then txid). A mempool entry the index already holds as confirmed (a block came
// in before the mempool was refreshed) is left out, so nothing is counted twice.

type historyItem struct {
	TxHash string `json:"tx_hash"`
	Height int64  `json:"height"`
	Fee    *int64 `json:"fee,omitempty"` // mempool entries only
}

// history lists sh's history, at most limit entries (0: no limit); ok false means it
// has more.
func (srv *Server) history(sh chain.Hash, limit int) (items []historyItem, ok bool, err error) {
	ok = true
	err = srv.db.View(func(r *store.Reader) error {
		r.History(sh, func(height int64, txid chain.Hash) bool {
			if limit > 0 && len(items) >= limit {
				ok = false
				return false
			}
			items = append(items, historyItem{TxHash: txid.String(), Height: height})
			return true
		})
		for _, t := range srv.pool.ForScript(sh) {
			if _, _, confirmed := r.TxPos(t.TxID); confirmed {
				continue
			}
			if limit > 0 && len(items) >= limit {
				ok = false
				break
			}
			fee := t.Fee
			items = append(items, historyItem{TxHash: t.TxID.String(), Height: t.Height, Fee: &fee})
		}
		return nil
	})
	return items, ok, err
}

// status is sh's status hash, streamed over the history (no limit: nothing is kept).
func (srv *Server) status(sh chain.Hash) (*string, error) {
	h := chain.NewStatusHasher()
	err := srv.db.View(func(r *store.Reader) error {
		r.History(sh, func(height int64, txid chain.Hash) bool {
			h.Add(txid, height)
			return true
		})
		for _, t := range srv.pool.ForScript(sh) {
			if _, _, confirmed := r.TxPos(t.TxID); !confirmed {
				h.Add(t.TxID, t.Height)
			}
		}
		return nil
	})
	return h.Status(), err
}

func (srv *Server) tooLong(sh chain.Hash) *rpcError {
	return errorf(codeLimit, "the history of %s has more than %d entries (the server's --max-history)", sh, srv.opt.Limits.MaxHistory)
}

func getHistory(_ context.Context, s *session, p params) (any, *rpcError) {
	sh, rerr := p.hash(0, "scripthash")
	if rerr != nil {
		return nil, rerr
	}
	items, complete, err := s.srv.history(sh, s.srv.opt.Limits.MaxHistory)
	if err != nil {
		return nil, errorf(codeInternal, "reading the index: %v", err)
	}
	if !complete {
		return nil, s.srv.tooLong(sh)
	}
	if items == nil {
		items = []historyItem{}
	}
	return items, nil
}

func getMempool(_ context.Context, s *session, p params) (any, *rpcError) {
	sh, rerr := p.hash(0, "scripthash")
	if rerr != nil {
		return nil, rerr
	}
	items := []historyItem{}
	err := s.srv.db.View(func(r *store.Reader) error {
		for _, t := range s.srv.pool.ForScript(sh) {
			if _, _, confirmed := r.TxPos(t.TxID); confirmed {
				continue
			}
			fee := t.Fee
			items = append(items, historyItem{TxHash: t.TxID.String(), Height: t.Height, Fee: &fee})
		}
		return nil
	})
	if err != nil {
		return nil, errorf(codeInternal, "reading the index: %v", err)
	}
	return items, nil
}

// get_balance: confirmed is the sum of the script's confirmed unspent outputs (also those
// a mempool transaction spends); unconfirmed is what the mempool adds and takes away.
func getBalance(_ context.Context, s *session, p params) (any, *rpcError) {
	sh, rerr := p.hash(0, "scripthash")
	if rerr != nil {
		return nil, rerr
	}
	var confirmed, unconfirmed int64
	err := s.srv.db.View(func(r *store.Reader) error {
		r.Unspents(sh, func(u store.Unspent) bool {
			confirmed += u.Value
			return true
		})
		for _, t := range s.srv.pool.ForScript(sh) {
			if _, _, done := r.TxPos(t.TxID); !done {
				unconfirmed += t.Received - t.Sent
			}
		}
		return nil
	})
	if err != nil {
		return nil, errorf(codeInternal, "reading the index: %v", err)
	}
	return map[string]int64{"confirmed": confirmed, "unconfirmed": unconfirmed}, nil
}

type unspentItem struct {
	TxPos  uint32 `json:"tx_pos"`
	Value  int64  `json:"value"`
	TxHash string `json:"tx_hash"`
	Height int64  `json:"height"`
}

// listunspent: confirmed outputs no mempool transaction spends, in blockchain order, then
// the mempool's outputs to the script that nothing spends (height 0).
func listUnspent(_ context.Context, s *session, p params) (any, *rpcError) {
	sh, rerr := p.hash(0, "scripthash")
	if rerr != nil {
		return nil, rerr
	}
	limit := s.srv.opt.Limits.MaxHistory
	items := []unspentItem{}
	complete := true
	err := s.srv.db.View(func(r *store.Reader) error {
		r.Unspents(sh, func(u store.Unspent) bool {
			if _, spent := s.srv.pool.SpentBy(u.TxID, u.Vout); spent {
				return true
			}
			if len(items) >= limit {
				complete = false
				return false
			}
			items = append(items, unspentItem{TxPos: u.Vout, Value: u.Value, TxHash: u.TxID.String(), Height: u.Height})
			return true
		})
		for _, u := range s.srv.pool.UnspentTo(sh) {
			if _, _, confirmed := r.TxPos(u.TxID); confirmed {
				continue
			}
			if len(items) >= limit {
				complete = false
				break
			}
			items = append(items, unspentItem{TxPos: u.Vout, Value: u.Value, TxHash: u.TxID.String(), Height: 0})
		}
		return nil
	})
	if err != nil {
		return nil, errorf(codeInternal, "reading the index: %v", err)
	}
	if !complete {
		return nil, s.srv.tooLong(sh)
	}
	return items, nil
}

func subscribe(_ context.Context, s *session, p params) (any, *rpcError) {
	sh, rerr := p.hash(0, "scripthash")
	if rerr != nil {
		return nil, rerr
	}
	status, err := s.srv.status(sh)
	if err != nil {
		return nil, errorf(codeInternal, "reading the index: %v", err)
	}
	if rerr := s.srv.subscribe(s, sh, status); rerr != nil {
		return nil, rerr
	}
	return status, nil
}

func unsubscribe(_ context.Context, s *session, p params) (any, *rpcError) {
	sh, rerr := p.hash(0, "scripthash")
	if rerr != nil {
		return nil, rerr
	}
	return s.srv.unsubscribe(s, sh), nil
}
