package benchutil

import (
	"strings"
	"sync"
)

// DefaultTailBytes is how much of a child process's output a TailBuffer
// with Max 0 keeps; TailLines is how many lines of it errors show.
const (
	DefaultTailBytes = 64 << 10
	TailLines        = 20
)

// TailBuffer is an io.Writer keeping the last Max bytes written
// (DefaultTailBytes when Max is 0). It is safe for concurrent use.
type TailBuffer struct {
	Max int

	mu  sync.Mutex
	buf []byte
}

// Write appends p, dropping what falls out of the tail; it never fails.
func (t *TailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	limit := t.Max
	if limit <= 0 {
		limit = DefaultTailBytes
	}
	n := len(p)
	if len(p) > limit {
		p = p[len(p)-limit:]
	}
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - limit; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return n, nil
}

// String returns the tail.
func (t *TailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}

// Tail returns the last n lines, indented, or a line saying there was no
// output.
func (t *TailBuffer) Tail(n int) string {
	lines := strings.Split(strings.TrimRight(t.String(), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	if len(lines) == 1 && lines[0] == "" {
		return "    (no output on stderr)"
	}
	return "    " + strings.Join(lines, "\n    ")
}
