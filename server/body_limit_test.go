package server_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestOversizedBodyAnsweredOnOpenConnection: a form over the 64 KiB limit
// (a pasted id list typed in a browser) is read and refused with 413 on a
// connection that stays open: the next request on it is answered. Before,
// the server closed the connection unread, and a client still sending its
// body saw "connection reset by peer" instead of the 413.
func TestOversizedBodyAnsweredOnOpenConnection(t *testing.T) {
	f := MustOpenServer(t, true)
	f.srv.Listen = "127.0.0.1:0"
	if err := f.srv.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.srv.Close() })
	conn, err := net.Dial("tcp", f.srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	r := bufio.NewReader(conn)
	for _, size := range []int{64<<10 + 1, 100 << 10, 250 << 10} {
		body := "login=" + strings.Repeat("x", size-len("login="))
		fmt.Fprintf(conn, "POST /login HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s", f.srv.Addr(), len(body), body)
		if status := readStatus(t, r); status != http.StatusRequestEntityTooLarge {
			t.Fatalf("a %d-byte body = %d, want 413", size, status)
		}
		fmt.Fprintf(conn, "GET /healthz HTTP/1.1\r\nHost: %s\r\n\r\n", f.srv.Addr())
		if status := readStatus(t, r); status != http.StatusOK {
			t.Fatalf("after a %d-byte body, /healthz on the same connection = %d, want 200", size, status)
		}
	}
}

// readStatus reads one response from r and returns its status.
func readStatus(t *testing.T, r *bufio.Reader) int {
	t.Helper()
	resp, err := http.ReadResponse(r, nil)
	if err != nil {
		t.Fatalf("read the answer: %v", err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}
