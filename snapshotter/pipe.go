package snapshotter

import (
	"io"
	"sync"
)

// pipeBufSize is the size of each buffer handed from the encoder to the
// LOAD DATA sender; pipeDepth buffers may be in flight, so encoding and
// sending run on separate cores without holding a table in memory.
const (
	pipeBufSize = 256 << 10
	pipeDepth   = 4
)

// bufPipe is an io.Pipe with a few large buffers in flight: Write fills a
// buffer and hands it over only when full, Read drains whole buffers.
// Memory is bounded by pipeDepth+2 buffers. One writer and one reader.
type bufPipe struct {
	ch   chan []byte
	free chan []byte
	cur  []byte // being filled by the writer
	rd   []byte // being drained by the reader
	rbuf []byte // backing buffer of rd, returned to free when drained

	mu     sync.Mutex
	err    error // set by CloseWithError, seen by the reader after ch is drained
	done   chan struct{}
	closed bool
}

func newBufPipe() *bufPipe {
	p := &bufPipe{ch: make(chan []byte, pipeDepth), free: make(chan []byte, pipeDepth+2), done: make(chan struct{})}
	p.cur = make([]byte, 0, pipeBufSize)
	return p
}

// Write appends b, handing full buffers to the reader. It fails once the
// reader has gone away.
func (p *bufPipe) Write(b []byte) (int, error) {
	n := len(b)
	for len(b) > 0 {
		room := cap(p.cur) - len(p.cur)
		if room == 0 {
			if err := p.flush(); err != nil {
				return n - len(b), err
			}
			continue
		}
		k := min(room, len(b))
		p.cur = append(p.cur, b[:k]...)
		b = b[k:]
	}
	return n, nil
}

func (p *bufPipe) flush() error {
	if len(p.cur) == 0 {
		return nil
	}
	select {
	case p.ch <- p.cur:
	case <-p.done:
		return io.ErrClosedPipe
	}
	select {
	case buf := <-p.free:
		p.cur = buf[:0]
	default:
		p.cur = make([]byte, 0, pipeBufSize)
	}
	return nil
}

// CloseWithError flushes what was written and ends the stream: the reader
// sees io.EOF when err is nil, err otherwise.
func (p *bufPipe) CloseWithError(err error) {
	if err == nil {
		err = p.flush()
	}
	p.mu.Lock()
	p.err = err
	p.mu.Unlock()
	close(p.ch)
}

// Read returns the next bytes written.
func (p *bufPipe) Read(b []byte) (int, error) {
	for len(p.rd) == 0 {
		if p.rbuf != nil {
			select {
			case p.free <- p.rbuf:
			default:
			}
			p.rbuf = nil
		}
		buf, ok := <-p.ch
		if !ok {
			p.mu.Lock()
			defer p.mu.Unlock()
			if p.err != nil {
				return 0, p.err
			}
			return 0, io.EOF
		}
		p.rd, p.rbuf = buf, buf
	}
	n := copy(b, p.rd)
	p.rd = p.rd[n:]
	return n, nil
}

// Close is called by the reader's side when it stops reading: a blocked
// writer gets io.ErrClosedPipe.
func (p *bufPipe) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.closed {
		p.closed = true
		close(p.done)
	}
	return nil
}
