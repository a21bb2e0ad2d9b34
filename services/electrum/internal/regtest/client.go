package regtest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"sync"
	"time"
)

// Client is a minimal Electrum protocol client for the tests: one request at a time,
// notifications collected on a channel.
type Client struct {
	conn   net.Conn
	r      *bufio.Reader
	mu     sync.Mutex
	nextID int
	// Notifications receives every message without an id.
	Notifications chan Message
	replies       chan Message
	closed        chan struct{}
}

// Message is one JSON-RPC message from the server.
type Message struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
	Params json.RawMessage `json:"params"`
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
	Raw []byte `json:"-"`
}

// Dial connects.
func Dial(addr string) (*Client, error) {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	cl := &Client{conn: c, r: bufio.NewReaderSize(c, 1<<20), Notifications: make(chan Message, 1000), replies: make(chan Message, 100), closed: make(chan struct{})}
	go cl.read()
	return cl, nil
}

func (c *Client) read() {
	defer close(c.closed)
	for {
		line, err := c.r.ReadBytes('\n')
		if err != nil {
			return
		}
		var m Message
		if line[0] == '[' {
			// A batch answer: hand it over whole.
			c.replies <- Message{Raw: line}
			continue
		}
		if err := json.Unmarshal(line, &m); err != nil {
			continue
		}
		m.Raw = line
		if m.Method != "" && len(m.ID) == 0 {
			c.Notifications <- m
		} else {
			c.replies <- m
		}
	}
}

// Close closes the connection.
func (c *Client) Close() { c.conn.Close() }

// Closed is closed once the server closed the connection.
func (c *Client) Closed() <-chan struct{} { return c.closed }

// SendLine writes a raw line (no newline added) and returns the next reply.
func (c *Client) SendLine(line []byte, timeout time.Duration) (Message, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.conn.SetWriteDeadline(time.Now().Add(timeout))
	if _, err := c.conn.Write(line); err != nil {
		return Message{}, err
	}
	select {
	case m := <-c.replies:
		return m, nil
	case <-c.closed:
		return Message{}, fmt.Errorf("the server closed the connection")
	case <-time.After(timeout):
		return Message{}, fmt.Errorf("no answer within %s", timeout)
	}
}

// Call sends a request and returns the reply (which may carry an error).
func (c *Client) Call(method string, params ...any) (Message, error) {
	c.mu.Lock()
	c.nextID++
	id := c.nextID
	c.mu.Unlock()
	if params == nil {
		params = []any{}
	}
	b, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": id, "method": method, "params": params})
	if err != nil {
		return Message{}, err
	}
	m, err := c.SendLine(append(b, '\n'), 60*time.Second)
	if err != nil {
		return m, fmt.Errorf("%s: %w", method, err)
	}
	if string(m.ID) != fmt.Sprint(id) {
		return m, fmt.Errorf("%s: reply to id %s, expected %d: %s", method, m.ID, id, m.Raw)
	}
	return m, nil
}

// Result calls and decodes the result into out; a JSON-RPC error is an error.
func (c *Client) Result(out any, method string, params ...any) error {
	m, err := c.Call(method, params...)
	if err != nil {
		return err
	}
	if m.Error != nil {
		return fmt.Errorf("%s: error %d: %s", method, m.Error.Code, m.Error.Message)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(m.Result, out); err != nil {
		return fmt.Errorf("%s: result %s: %w", method, m.Result, err)
	}
	return nil
}
