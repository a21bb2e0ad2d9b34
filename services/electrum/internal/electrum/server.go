// Package electrum serves the Electrum protocol (1.4 to 1.4.2) over plain TCP:
// newline-delimited JSON-RPC 2.0 requests, batches and notifications, answered from the
// on-disk index, the mirrored mempool and the node.
package electrum

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"bcm/services/electrum/internal/chain"
	"bcm/services/electrum/internal/index"
	"bcm/services/electrum/internal/mempool"
	"bcm/services/electrum/internal/node"
	"bcm/services/electrum/internal/store"
)

const (
	ProtocolMin = "1.4"
	ProtocolMax = "1.4.2"
	// maxHeaders is blockchain.block.headers' "max": one difficulty period.
	maxHeaders = 2016
	// idleTimeout closes a connection that sent nothing for this long (the protocol's
	// "roughly 10 minutes"; wallets ping).
	idleTimeout = 10 * time.Minute
	// sendQueue is how many messages may wait for a client's writer; notifications that
	// find it full disconnect the client instead of being buffered.
	sendQueue = 1000
	// maxBatchAnswer bounds the answer to one batch (past it, errors instead).
	maxBatchAnswer = 16 << 20
	// heavyAtOnce is how many index queries (history, unspent, headers...) run at once,
	// server-wide: each holds its answer in memory while it is built and encoded.
	heavyAtOnce = 4
)

// Limits bound what clients can make the server hold.
type Limits struct {
	MaxConns       int // open connections
	MaxLine        int // bytes in one request line (a batch is one line)
	MaxSubsPerConn int // scripthash subscriptions per connection
	MaxSubsTotal   int // scripthash subscriptions of all connections together
	MaxHistory     int // entries in one get_history / listunspent / get_mempool answer
	MaxQueued      int // bytes of answers waiting to be written, per connection
	MaxQueuedTotal int // the same, all connections together
	// SendTimeout is how long an answer may wait for room in the budgets, and a write for
	// the client to take it, before the client is disconnected.
	SendTimeout time.Duration
}

// Options configure the server.
type Options struct {
	Listen          string
	Version         string // server software version, e.g. "bcm-electrum 0.1.0"
	Banner          string
	DonationAddress string
	Genesis         chain.Hash
	Limits          Limits
	Logf            func(format string, args ...any)
}

// Server is the Electrum server.
type Server struct {
	opt    Options
	db     *store.DB
	node   *node.Client
	pool   *mempool.Pool
	ix     *index.Indexer
	tree   *chain.HeaderTree
	blocks *blockCache

	ln     net.Listener
	conns  atomic.Int64
	queued *budget       // bytes of answers waiting to be written, all connections
	heavy  chan struct{} // slots for index queries

	mu        sync.Mutex
	sessions  map[*session]struct{}
	subs      map[chain.Hash]map[*session]struct{} // scripthash -> subscribed sessions
	subsTotal int
}

// New makes a server.
func New(opt Options, db *store.DB, n *node.Client, pool *mempool.Pool, ix *index.Indexer, tree *chain.HeaderTree) *Server {
	return &Server{
		opt: opt, db: db, node: n, pool: pool, ix: ix, tree: tree,
		blocks:   newBlockCache(n, 8),
		queued:   newBudget(int64(opt.Limits.MaxQueuedTotal)),
		heavy:    make(chan struct{}, heavyAtOnce),
		sessions: map[*session]struct{}{},
		subs:     map[chain.Hash]map[*session]struct{}{},
	}
}

// Listen opens the listening socket (separate from Serve, so a bad address fails early).
func (s *Server) Listen() error {
	ln, err := net.Listen("tcp", s.opt.Listen)
	if err != nil {
		return fmt.Errorf("listening on %s: %w (choose another address with --listen)", s.opt.Listen, err)
	}
	s.ln = ln
	return nil
}

// Addr is the address it listens on.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Connections is the number of open connections.
func (s *Server) Connections() int64 { return s.conns.Load() }

// Serve accepts connections until ctx ends.
func (s *Server) Serve(ctx context.Context) error {
	go func() {
		<-ctx.Done()
		s.ln.Close()
	}()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				s.closeAll()
				return nil
			}
			s.opt.Logf("accept: %v", err)
			time.Sleep(100 * time.Millisecond)
			continue
		}
		if s.conns.Add(1) > int64(s.opt.Limits.MaxConns) {
			s.conns.Add(-1)
			// Say why before closing, so the client's log explains it.
			c.SetWriteDeadline(time.Now().Add(time.Second))
			fmt.Fprintf(c, `{"jsonrpc":"2.0","id":null,"error":{"code":%d,"message":"too many connections (limit %d)"}}`+"\n", codeLimit, s.opt.Limits.MaxConns)
			c.Close()
			continue
		}
		sess := newSession(s, c)
		s.mu.Lock()
		s.sessions[sess] = struct{}{}
		s.mu.Unlock()
		go func() {
			defer s.conns.Add(-1)
			sess.run(ctx)
			s.dropSession(sess)
		}()
	}
}

func (s *Server) closeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for sess := range s.sessions {
		sess.close()
	}
}

func (s *Server) dropSession(sess *session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.sessions, sess)
	for sh := range sess.subs {
		s.unsubscribeLocked(sess, sh)
	}
}

// subscribe registers sess for sh, within the limits.
func (s *Server) subscribe(sess *session, sh chain.Hash, status *string) *rpcError {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, already := sess.subs[sh]; already {
		sess.subs[sh] = status
		return nil
	}
	if len(sess.subs) >= s.opt.Limits.MaxSubsPerConn {
		return errorf(codeLimit, "too many subscriptions on this connection (limit %d): unsubscribe some or open another connection", s.opt.Limits.MaxSubsPerConn)
	}
	if s.subsTotal >= s.opt.Limits.MaxSubsTotal {
		return errorf(codeLimit, "the server holds its limit of %d subscriptions", s.opt.Limits.MaxSubsTotal)
	}
	sess.subs[sh] = status
	set := s.subs[sh]
	if set == nil {
		set = map[*session]struct{}{}
		s.subs[sh] = set
	}
	set[sess] = struct{}{}
	s.subsTotal++
	return nil
}

func (s *Server) unsubscribe(sess *session, sh chain.Hash) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.unsubscribeLocked(sess, sh)
}

func (s *Server) unsubscribeLocked(sess *session, sh chain.Hash) bool {
	if _, ok := sess.subs[sh]; !ok {
		return false
	}
	delete(sess.subs, sh)
	if set := s.subs[sh]; set != nil {
		delete(set, sess)
		if len(set) == 0 {
			delete(s.subs, sh)
		}
	}
	s.subsTotal--
	return true
}

// QueuedBytes is the size of the answers waiting to be written.
func (s *Server) QueuedBytes() int64 { return s.queued.inUse() }

// Subscriptions is the number of scripthash subscriptions held.
func (s *Server) Subscriptions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.subsTotal
}

// Notify tells subscribers what changed: the new tip to header subscribers, the new
// status of each touched scripthash to its subscribers (only when it differs from what
// that connection was last told).
func (s *Server) Notify(touched store.Touched, tipChanged bool) {
	if tipChanged {
		if tip, err := s.tipHeader(); err == nil {
			s.mu.Lock()
			for sess := range s.sessions {
				if sess.headers.Load() {
					sess.send(notification{"2.0", "blockchain.headers.subscribe", []any{tip}})
				}
			}
			s.mu.Unlock()
		}
	}
	// Which touched scripts have subscribers: walk the smaller of the two sets.
	s.mu.Lock()
	var watched []chain.Hash
	if len(touched) < len(s.subs) {
		for sh := range touched {
			if _, ok := s.subs[sh]; ok {
				watched = append(watched, sh)
			}
		}
	} else {
		for sh := range s.subs {
			if _, ok := touched[sh]; ok {
				watched = append(watched, sh)
			}
		}
	}
	s.mu.Unlock()
	for _, sh := range watched {
		status, err := s.status(sh)
		if err != nil {
			s.opt.Logf("status of %s: %v", sh, err)
			continue
		}
		s.mu.Lock()
		for sess := range s.subs[sh] {
			if last, ok := sess.subs[sh]; ok && !sameStatus(last, status) {
				sess.subs[sh] = status
				sess.send(notification{"2.0", "blockchain.scripthash.subscribe", []any{sh.String(), status}})
			}
		}
		s.mu.Unlock()
	}
}

func sameStatus(a, b *string) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}
