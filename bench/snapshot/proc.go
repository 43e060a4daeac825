package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
)

// Child processes' output is kept only as a tail: tailBytes of it, of which
// tailLines lines are shown in errors.
const (
	tailBytes = 16 << 10
	tailLines = 20
)

// tailBuffer is an io.Writer keeping the last tailBytes written. It is safe
// for concurrent use.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
}

// Write appends p, dropping what falls out of the tail; it never fails.
func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - tailBytes; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

// String returns the tail.
func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}

// Tail returns the last n lines, indented, or "(no output)".
func (t *tailBuffer) Tail(n int) string {
	lines := strings.Split(strings.TrimRight(t.String(), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	if len(lines) == 1 && lines[0] == "" {
		return "    (no output on stderr)"
	}
	return "    " + strings.Join(lines, "\n    ")
}

// findTool returns the path of the first of names on $PATH.
func findTool(names ...string) (string, error) {
	for _, name := range names {
		if path, err := exec.LookPath(name); err == nil {
			return path, nil
		}
	}
	return "", fmt.Errorf("none of %s is on $PATH", strings.Join(names, ", "))
}

// writeClientOptions writes a [client] option file for the mariadb command
// line tools with the server's address and credentials, so that the password
// stays off the command line. It returns the file's path.
func (b *bench) writeClientOptions() (string, error) {
	q := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	var s strings.Builder
	fmt.Fprintf(&s, "[client]\nuser=\"%s\"\npassword=\"%s\"\ndefault-character-set=utf8mb4\n",
		q.Replace(b.cfg.User), q.Replace(b.cfg.Passwd))
	if b.cfg.Net == "unix" {
		fmt.Fprintf(&s, "protocol=SOCKET\nsocket=\"%s\"\n", q.Replace(b.cfg.Addr))
	} else {
		host, port := splitHostPort(b.cfg.Addr)
		fmt.Fprintf(&s, "protocol=TCP\nhost=\"%s\"\nport=%s\n", q.Replace(host), port)
	}
	path := filepath.Join(b.dir, "client.cnf")
	if err := os.WriteFile(path, []byte(s.String()), 0o600); err != nil {
		return "", fmt.Errorf("write client options: %w", err)
	}
	return path, nil
}

// splitHostPort splits a DSN's address, defaulting the port to 3306.
func splitHostPort(addr string) (host, port string) {
	i := strings.LastIndex(addr, ":")
	if i < 0 || strings.HasSuffix(addr, "]") {
		return strings.Trim(addr, "[]"), "3306"
	}
	return strings.Trim(addr[:i], "[]"), addr[i+1:]
}

// rssText formats peak RSS: one process's, or the sum and each of several,
// or that the work ran inside the server.
func rssText(procs []procRSS) string {
	if procs == nil {
		return "n/a (server-side)"
	}
	var sum int64
	parts := make([]string, len(procs))
	for i, p := range procs {
		sum += p.kib
		parts[i] = fmt.Sprintf("%s %s", p.name, mb(p.kib))
	}
	if len(procs) == 1 {
		return mb(sum)
	}
	return fmt.Sprintf("%s (%s)", mb(sum), strings.Join(parts, " + "))
}

// mb formats KiB as decimal megabytes.
func mb(kib int64) string {
	return fmt.Sprintf("%.1f MB", float64(kib)*1024/1e6)
}
