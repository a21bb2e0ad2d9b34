package electrum

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"bcm/services/electrum/internal/chain"
)

// session is one client connection. One goroutine reads and answers requests in order;
// another writes answers and notifications from a bounded queue.
type session struct {
	srv     *Server
	conn    net.Conn
	out     chan queued
	queue   *budget // bytes of this connection's answers waiting to be written
	done    chan struct{}
	once    sync.Once
	version string // negotiated by server.version ("" until then)
	headers atomic.Bool
	subs    map[chain.Hash]*string // scripthash -> last status sent; guarded by srv.mu
}

// queued is one message waiting for the writer; an answer holds n bytes of the
// connection's and the server's budgets until it is written.
type queued struct {
	b      []byte
	budget bool
}

func newSession(s *Server, c net.Conn) *session {
	return &session{
		srv: s, conn: c, out: make(chan queued, sendQueue), done: make(chan struct{}),
		queue: newBudget(int64(s.opt.Limits.MaxQueued)), subs: map[chain.Hash]*string{},
	}
}

// release gives a written (or dropped) answer's bytes back.
func (s *session) release(m queued) {
	if m.budget {
		s.queue.give(int64(len(m.b)))
		s.srv.queued.give(int64(len(m.b)))
	}
}

// drain gives back the budget of answers never written (the connection closed).
func (s *session) drain() {
	for {
		select {
		case m := <-s.out:
			s.release(m)
		default:
			return
		}
	}
}

func (s *session) close() {
	s.once.Do(func() {
		close(s.done)
		s.conn.Close()
	})
}

// send queues a notification without waiting (the indexer sends them): a client whose
// queue is full does not read and is dropped. Notifications are small and bounded in
// number by the queue; they take no budget.
func (s *session) send(msg any) {
	b, err := json.Marshal(msg)
	if err != nil {
		s.srv.opt.Logf("encoding a notification: %v", err)
		return
	}
	select {
	case s.out <- queued{b: append(b, '\n')}:
	case <-s.done:
	default:
		s.srv.opt.Logf("client %s does not read its notifications: disconnecting it", s.conn.RemoteAddr())
		s.close()
	}
}

// reply queues an answer once the connection's and the server's budgets have room for it:
// a client that does not read its answers stops being read from (backpressure), and is
// disconnected when nothing moves for Limits.SendTimeout.
func (s *session) reply(b []byte) {
	b = append(b, '\n')
	n := int64(len(b))
	ctx, cancel := context.WithTimeout(context.Background(), s.srv.opt.Limits.SendTimeout)
	defer cancel()
	go func() {
		select {
		case <-s.done:
			cancel()
		case <-ctx.Done():
		}
	}()
	if err := s.queue.take(ctx, n); err != nil {
		s.dropSlow()
		return
	}
	if err := s.srv.queued.take(ctx, n); err != nil {
		s.queue.give(n)
		s.dropSlow()
		return
	}
	m := queued{b: b, budget: true}
	select {
	case s.out <- m:
	case <-ctx.Done():
		s.release(m)
		s.dropSlow()
	}
}

func (s *session) dropSlow() {
	select {
	case <-s.done:
	default:
		s.srv.opt.Logf("client %s does not read its answers: disconnecting it", s.conn.RemoteAddr())
		s.close()
	}
}

func (s *session) writer() {
	w := bufio.NewWriter(s.conn)
	for {
		select {
		case <-s.done:
			return
		case m := <-s.out:
			s.conn.SetWriteDeadline(time.Now().Add(s.srv.opt.Limits.SendTimeout))
			_, err := w.Write(m.b)
			if err == nil && len(s.out) == 0 {
				// Write out once nothing else is waiting: answers share packets.
				err = w.Flush()
			}
			s.release(m)
			if err != nil {
				if errors.Is(err, os.ErrDeadlineExceeded) {
					s.dropSlow()
				}
				s.close()
				return
			}
		}
	}
}

var errLineTooLong = errors.New("request line too long")

// readLine reads up to and without the next newline, refusing lines over max bytes
// without buffering more than max.
func readLine(r *bufio.Reader, max int) ([]byte, error) {
	var line []byte
	for {
		chunk, err := r.ReadSlice('\n')
		if len(line)+len(chunk) > max+1 {
			return nil, errLineTooLong
		}
		line = append(line, chunk...)
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil {
			if errors.Is(err, io.EOF) && len(line) > 0 {
				return line, nil // a last request without its newline
			}
			return nil, err
		}
		return line[:len(line)-1], nil
	}
}

func (s *session) run(ctx context.Context) {
	defer func() {
		s.close()
		s.drain()
	}()
	go s.writer()
	r := bufio.NewReaderSize(s.conn, 64<<10)
	for {
		s.conn.SetReadDeadline(time.Now().Add(idleTimeout))
		line, err := readLine(r, s.srv.opt.Limits.MaxLine)
		if errors.Is(err, errLineTooLong) {
			s.answer(response{Error: errorf(codeInvalidRequest, "request line longer than %d bytes: closing the connection", s.srv.opt.Limits.MaxLine)})
			s.flushAndClose()
			return
		}
		if err != nil {
			return
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		if !s.handleLine(ctx, line) {
			s.flushAndClose()
			return
		}
		select {
		case <-s.done:
			return
		default:
		}
	}
}

// flushAndClose gives the writer a moment to send the last answer (an error saying why)
// before the connection closes.
func (s *session) flushAndClose() {
	deadline := time.Now().Add(2 * time.Second)
	for len(s.out) > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	s.close()
}

// answer encodes a response and queues it.
func (s *session) answer(r response) {
	b, err := encodeResponse(r)
	if err != nil {
		b, _ = json.Marshal(response{ID: r.ID, Error: errorf(codeInternal, "encoding the answer: %v", err)})
	}
	s.reply(b)
}

// handleLine answers one line: a request or a batch. false closes the connection.
func (s *session) handleLine(ctx context.Context, line []byte) bool {
	if line[0] == '[' {
		var batch []json.RawMessage
		if err := json.Unmarshal(line, &batch); err != nil {
			s.answer(response{Error: errorf(codeParse, "parse error: %v", err)})
			return true
		}
		if len(batch) == 0 {
			s.answer(response{Error: errorf(codeInvalidRequest, "empty batch")})
			return true
		}
		// The answers are one message: past maxBatchAnswer bytes the remaining requests
		// get an error instead of growing it further.
		var out bytes.Buffer
		out.WriteByte('[')
		keep, answered := true, 0
		for _, raw := range batch {
			var resp response
			var reply, ok bool
			if out.Len() > maxBatchAnswer {
				req, _ := parseRequest(raw)
				resp, reply, ok = response{ID: req.ID, Error: errorf(codeLimit, "the batch's answers passed %d bytes: send fewer requests per batch", maxBatchAnswer)}, req.hasID, true
			} else {
				resp, reply, ok = s.handle(ctx, raw)
			}
			keep = keep && ok
			if !reply {
				continue
			}
			b, err := encodeResponse(resp)
			if err != nil {
				b, _ = json.Marshal(response{ID: resp.ID, Error: errorf(codeInternal, "encoding the answer: %v", err)})
			}
			if answered > 0 {
				out.WriteByte(',')
			}
			out.Write(b)
			answered++
		}
		out.WriteByte(']')
		if answered > 0 {
			s.reply(out.Bytes())
		}
		return keep
	}
	if !json.Valid(line) {
		s.answer(response{Error: errorf(codeParse, "parse error: the line is not valid JSON")})
		return true
	}
	resp, reply, ok := s.handle(ctx, line)
	if reply {
		s.answer(resp)
	}
	return ok
}

// handle runs one request; reply is false for JSON-RPC notifications, ok false when the
// connection must close (no common protocol version).
func (s *session) handle(ctx context.Context, raw json.RawMessage) (resp response, reply, ok bool) {
	req, rerr := parseRequest(raw)
	if rerr != nil {
		return response{ID: req.ID, Error: rerr}, true, true
	}
	result, rerr, ok := s.srv.call(ctx, s, req)
	if !req.hasID {
		return response{}, false, ok
	}
	if rerr != nil {
		return response{ID: req.ID, Error: rerr}, true, ok
	}
	return response{ID: req.ID, Result: result}, true, ok
}
