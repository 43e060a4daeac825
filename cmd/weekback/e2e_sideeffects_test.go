package main

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql/mysqltest"
)

// TestServeOpensNoOtherConnections runs `weekback serve`, exercises its
// pages, and then lists every TCP socket the process holds (from /proc):
// besides its listener and the connections it accepted, each one must lead
// to the backup server. Side-effect freedom, checked on the running process.
func TestServeOpensNoOtherConnections(t *testing.T) {
	if _, err := os.Stat("/proc/self/net/tcp"); err != nil {
		t.Skip("needs Linux /proc")
	}
	f := newFixture(t, false)
	mustSnapshot(t, f.cfg, weekback.Monday)
	cfg := writeConfig(t, testConfig{SourceDSN: mysqltest.DSN(t, f.src), BackupDSN: mysqltest.DSN(t, ""), Prefix: f.prefix,
		Extra: fmt.Sprintf("server:\n  listen: \"127.0.0.1:0\"\n  session_secret_file: %q\n", filepath.Join(t.TempDir(), "session.key"))})
	cfg = appendReaderDSN(t, cfg, mysqltest.DSN(t, ""))
	p := startWeekback(t, cfg, "serve")
	addr := waitListening(t, p)
	for _, path := range []string{"/", "/login", "/mon/login", "/healthz", "/readyz", "/metrics", "/mon/", "/nope"} {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		resp.Body.Close()
	}
	resolved, err := net.ResolveTCPAddr("tcp", mysqltest.ServerAddr(t))
	if err != nil {
		t.Fatal(err)
	}
	backup := resolved.AddrPort()
	listen := netip.MustParseAddrPort(addr)
	socks := processSockets(t, p.cmd.Process.Pid)
	if len(socks) == 0 {
		t.Fatal("found no TCP socket of the server process: the check itself is broken")
	}
	var toBackup int
	for _, s := range socks {
		switch {
		case s.local.Port() == listen.Port():
			// the listener and connections it accepted
		case s.remote.Port() == backup.Port() && s.remote.Addr().Unmap() == backup.Addr().Unmap():
			toBackup++
		default:
			t.Errorf("serve holds a connection %s → %s that is neither accepted nor to the backup server %s", s.local, s.remote, backup)
		}
	}
	if toBackup == 0 {
		t.Errorf("no connection to the backup server seen among %d sockets: the check itself is broken", len(socks))
	}
}

// TestNoMailOrOutboundHTTPCode checks what the binary is built from: no
// mail package, and no HTTP client calls in Weekback's own code.
func TestNoMailOrOutboundHTTPCode(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/weekback/weekback/cmd/weekback").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if pkg == "net/smtp" || strings.Contains(pkg, "mail") {
			t.Errorf("the weekback binary depends on %s", pkg)
		}
	}
	root := filepath.Join("..", "..")
	err = filepath.Walk(root, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() && (info.Name() == "var" || info.Name() == "bench") {
			return filepath.SkipDir
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		body, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, call := range []string{"http.Get(", "http.Post(", "http.PostForm(", "http.Head(", "http.NewRequest", "http.Client{", "http.DefaultClient", "smtp."} {
			if strings.Contains(string(body), call) {
				t.Errorf("%s calls %s: the server must not reach outside", path, call)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// waitListening returns the address a `serve` process logged.
func waitListening(t *testing.T, p *weekbackProc) string {
	t.Helper()
	var addr string
	waitFor(t, "the server to listen", p, func() bool {
		for line := range strings.SplitSeq(p.stderr.String(), "\n") {
			if strings.Contains(line, "msg=listening") {
				if j := strings.Index(line, "addr="); j >= 0 {
					addr = strings.Fields(line[j+len("addr="):])[0]
					return true
				}
			}
		}
		return false
	})
	return addr
}

type socket struct{ local, remote netip.AddrPort }

// processSockets returns the TCP sockets (IPv4 and IPv6) process pid holds.
func processSockets(t *testing.T, pid int) []socket {
	t.Helper()
	inodes := map[string]bool{}
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, fd := range fds {
		target, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name()))
		if err == nil && strings.HasPrefix(target, "socket:[") {
			inodes[strings.TrimSuffix(strings.TrimPrefix(target, "socket:["), "]")] = true
		}
	}
	var out []socket
	for _, table := range []string{"tcp", "tcp6"} {
		out = append(out, readTCPTable(t, fmt.Sprintf("/proc/%d/net/%s", pid, table), inodes)...)
	}
	return out
}

func readTCPTable(t *testing.T, path string, inodes map[string]bool) []socket {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []socket
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 10 || !inodes[fields[9]] {
			continue
		}
		out = append(out, socket{local: parseProcAddr(t, fields[1]), remote: parseProcAddr(t, fields[2])})
	}
	return out
}

// parseProcAddr reads "0100007F:1F90" (IPv4) or its 32-hex-digit IPv6 form:
// the address in 32-bit little-endian words, the port in hex.
func parseProcAddr(t *testing.T, s string) netip.AddrPort {
	t.Helper()
	host, port, _ := strings.Cut(s, ":")
	b, err := hex.DecodeString(host)
	if err != nil {
		t.Fatalf("parse %q: %v", s, err)
	}
	for i := 0; i+4 <= len(b); i += 4 {
		b[i], b[i+1], b[i+2], b[i+3] = b[i+3], b[i+2], b[i+1], b[i]
	}
	p, _ := strconv.ParseUint(port, 16, 16)
	addr, _ := netip.AddrFromSlice(net.IP(b))
	return netip.AddrPortFrom(addr.Unmap(), uint16(p))
}
