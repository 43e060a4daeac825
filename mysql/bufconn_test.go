package mysql

import (
	"context"
	"errors"
	"io"
	"net"
	"testing"
	"time"
)

func TestBufferedConn(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.Write([]byte("hello, world"))
		io.Copy(io.Discard, c)
	}()
	c, err := bufferedDial(time.Second, 4096)(context.Background(), "tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	got := make([]byte, 5)
	if _, err := io.ReadFull(c, got); err != nil || string(got) != "hello" {
		t.Fatalf("read %q, %v; want hello", got, err)
	}
	if _, err := c.(*bufferedConn).SyscallConn(); !errors.Is(err, errBuffered) {
		t.Fatalf("SyscallConn with unread bytes: err=%v, want errBuffered", err)
	}
	rest := make([]byte, 7)
	if _, err := io.ReadFull(c, rest); err != nil || string(rest) != ", world" {
		t.Fatalf("read %q, %v; want \", world\"", rest, err)
	}
	if _, err := c.(*bufferedConn).SyscallConn(); err != nil {
		t.Fatalf("SyscallConn of a drained connection: %v", err)
	}
}
