package main

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/netip"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql/mysqltest"
)

// TestServeOpensNoOtherConnections runs `weekback serve`, exercises its
// pages, and then lists every TCP socket the process holds (from /proc):
// besides its listener and the connections it accepted, each one must lead
// to the backup server, or, with auth.source production, to production.
// Production is reached through a proxy so the two are told apart; with
// auth.source newest, serve must not connect to it at all. Side-effect
// freedom, checked on the running process.
func TestServeOpensNoOtherConnections(t *testing.T) {
	if _, err := os.Stat("/proc/self/net/tcp"); err != nil {
		t.Skip("needs Linux /proc")
	}
	for _, source := range []string{"newest", "production"} {
		t.Run(source, func(t *testing.T) { testServeConnections(t, source) })
	}
}

// sideEffectsBaseURL is server.base_url of the side-effect test (the
// Origin its login posts).
const sideEffectsBaseURL = "http://weekback.test"

func testServeConnections(t *testing.T, source string) {
	f := newFixture(t, true)
	mustAddProductionUser(t, f, "backupuser", "backupuser-password") // serve checks the backup's users table at start
	mustSnapshot(t, f.cfg, weekback.Monday)
	mustAddProductionUser(t, f, "produser", "produser-password")
	cfg := writeConfig(t, testConfig{SourceDSN: mysqltest.DSNVia(t, f.proxy, f.src), BackupDSN: mysqltest.DSN(t, ""), Prefix: f.prefix,
		Extra: fmt.Sprintf("server:\n  listen: \"127.0.0.1:0\"\n  base_url: %q\n  session_secret_file: %q\nauth:\n  source: %s\n",
			sideEffectsBaseURL, filepath.Join(t.TempDir(), "session.key"), source)})
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
	if _, status := loginAndGet(t, addr, "produser", "produser-password", "/mon/tables/orders"); (status == 200) != (source == "production") {
		t.Fatalf("a user only in production opened a table with status %d (auth.source %s)", status, source)
	}
	toBackup, toSource := classifySockets(t, p.cmd.Process.Pid, addr, f.proxy.Addr())
	if toBackup == 0 {
		t.Error("no connection to the backup server seen: the check itself is broken")
	}
	if (toSource > 0) != (source == "production") {
		t.Errorf("auth.source %s: %d connections to production, want them only with auth.source production", source, toSource)
	}
}

// classifySockets fails the test for any TCP socket of process pid that is
// neither the listener at addr (or a connection it accepted), nor to the
// backup server, nor to production at sourceAddr; it returns how many lead
// to the backup server and to production.
func classifySockets(t *testing.T, pid int, addr, sourceAddr string) (toBackup, toSource int) {
	t.Helper()
	resolved, err := net.ResolveTCPAddr("tcp", mysqltest.ServerAddr(t))
	if err != nil {
		t.Fatal(err)
	}
	backup, source := resolved.AddrPort(), netip.MustParseAddrPort(sourceAddr)
	listen := netip.MustParseAddrPort(addr)
	socks := processSockets(t, pid)
	if len(socks) == 0 {
		t.Fatal("found no TCP socket of the server process: the check itself is broken")
	}
	same := func(a, b netip.AddrPort) bool { return a.Port() == b.Port() && a.Addr().Unmap() == b.Addr().Unmap() }
	for _, s := range socks {
		switch {
		case s.local.Port() == listen.Port():
			// the listener and connections it accepted
		case same(s.remote, backup):
			toBackup++
		case same(s.remote, source):
			toSource++
		default:
			t.Errorf("serve holds a connection %s → %s that is neither accepted, nor to the backup server %s, nor to production %s",
				s.local, s.remote, backup, source)
		}
	}
	return toBackup, toSource
}

// mustAddProductionUser adds an allowed user to the users table (auth.*
// defaults) of the fixture's production schema, creating the table when
// needed: after a snapshot, a user no backup has.
func mustAddProductionUser(t *testing.T, f *fixture, login, password string) {
	t.Helper()
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	mysqltest.MustExec(t, f.db, "CREATE TABLE IF NOT EXISTS `"+f.src+"`.users (login_id VARCHAR(64) PRIMARY KEY, password_hash VARCHAR(255) NOT NULL, "+
		"can_manage_settings TINYINT NOT NULL, role VARCHAR(32) NOT NULL)")
	if _, err := f.db.Exec("INSERT INTO `"+f.src+"`.users VALUES (?, ?, 1, 'staff')", login, string(hash)); err != nil {
		t.Fatal(err)
	}
}

// loginAndGet logs in to the server at addr through its form and returns
// the login's status (303 when it succeeds) and that of GET path with the
// session (0 when the login failed).
func loginAndGet(t *testing.T, addr, login, password, path string) (loginStatus, pageStatus int) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get("http://" + addr + "/login")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(body)
	if m == nil {
		t.Fatalf("GET /login has no CSRF field:\n%s", body)
	}
	form := url.Values{"login": {login}, "password": {password}, "next": {"/"}, "csrf": {string(m[1])}}
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", sideEffectsBaseURL)
	if resp, err = c.Do(req); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return resp.StatusCode, 0
	}
	page, err := c.Get("http://" + addr + path)
	if err != nil {
		t.Fatal(err)
	}
	page.Body.Close()
	return resp.StatusCode, page.StatusCode
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
