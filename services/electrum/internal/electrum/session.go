package electrum

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
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
	out     chan []byte
	done    chan struct{}
	once    sync.Once
	version string // negotiated by server.version ("" until then)
	headers atomic.Bool
	subs    map[chain.Hash]*string // scripthash -> last status sent; guarded by srv.mu
}

func newSession(s *Server, c net.Conn) *session {
	return &session{srv: s, conn: c, out: make(chan []byte, sendQueue), done: make(chan struct{}), subs: map[chain.Hash]*string{}}
}

func (s *session) close() {
	s.once.Do(func() {
		close(s.done)
		s.conn.Close()
	})
}

// send queues a message; a client whose queue is full is too slow and is dropped.
func (s *session) send(msg any) {
	b, err := json.Marshal(msg)
	if err != nil {
		s.srv.opt.Logf("encoding an answer: %v", err)
		return
	}
	b = append(b, '\n')
	select {
	case s.out <- b:
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
		case b := <-s.out:
			s.conn.SetWriteDeadline(time.Now().Add(30 * time.Second))
			if _, err := w.Write(b); err != nil {
				s.close()
				return
			}
			// Write out once nothing else is waiting: batches of answers share a packet.
			if len(s.out) == 0 {
				if err := w.Flush(); err != nil {
					s.close()
					return
				}
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
	defer s.close()
	go s.writer()
	r := bufio.NewReaderSize(s.conn, 64<<10)
	for {
		s.conn.SetReadDeadline(time.Now().Add(idleTimeout))
		line, err := readLine(r, s.srv.opt.Limits.MaxLine)
		if errors.Is(err, errLineTooLong) {
			s.send(response{Error: errorf(codeInvalidRequest, "request line longer than %d bytes: closing the connection", s.srv.opt.Limits.MaxLine)})
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

// handleLine answers one line: a request or a batch. false closes the connection.
func (s *session) handleLine(ctx context.Context, line []byte) bool {
	if line[0] == '[' {
		var batch []json.RawMessage
		if err := json.Unmarshal(line, &batch); err != nil {
			s.send(response{Error: errorf(codeParse, "parse error: %v", err)})
			return true
		}
		if len(batch) == 0 {
			s.send(response{Error: errorf(codeInvalidRequest, "empty batch")})
			return true
		}
		answers := make([]response, 0, len(batch))
		keep := true
		for _, raw := range batch {
			resp, reply, ok := s.handle(ctx, raw)
			if reply {
				answers = append(answers, resp)
			}
			keep = keep && ok
		}
		if len(answers) > 0 {
			s.send(answers)
		}
		return keep
	}
	if !json.Valid(line) {
		s.send(response{Error: errorf(codeParse, "parse error: the line is not valid JSON")})
		return true
	}
	resp, reply, ok := s.handle(ctx, line)
	if reply {
		s.send(resp)
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
