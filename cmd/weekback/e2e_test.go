package main

// End-to-end tests of the weekback command: each test runs the real
// command line as a subprocess (the test binary re-executed with
// WEEKBACK_E2E_MAIN=1, which makes TestMain call Main), against real
// schemas on the test server, and checks exit codes, output and what the
// run left in the meta schema.

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql/mysqltest"
)

// envE2EMain makes the test binary behave as the weekback command.
const envE2EMain = "WEEKBACK_E2E_MAIN"

// Bounds of the end-to-end tests.
const (
	processTimeout = 60 * time.Second // longest a weekback subprocess may run
	pollTimeout    = 30 * time.Second // longest wait for a state in the meta schema
	pollEvery      = 20 * time.Millisecond
)

// Size of the source data: about 5.8 MB streamed, ~1 s unthrottled and
// ~20 s at throttleRate, so a throttled run is reliably caught mid-copy.
const (
	sourceOrders = 25000
	sourceItems  = 10000
	throttleRate = 256 << 10
)

func TestMain(m *testing.M) {
	if os.Getenv(envE2EMain) == "1" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := Main(ctx, os.Args[1:], Env{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Environ: os.Environ})
		stop()
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// weekbackProc is one weekback subprocess.
type weekbackProc struct {
	cmd            *exec.Cmd
	stdout, stderr lockedBuffer
	done           chan struct{}
	code           int // valid once done is closed; -1 when killed by a signal
}

// lockedBuffer is a bytes.Buffer safe to read while the process writes.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startWeekback starts `weekback --config cfgPath args…` and kills it when
// the test ends if it is still running. cfgPath "" passes no --config.
func startWeekback(t *testing.T, cfgPath string, args ...string) *weekbackProc {
	t.Helper()
	if cfgPath != "" {
		args = append([]string{"--config", cfgPath}, args...)
	}
	p := &weekbackProc{done: make(chan struct{})}
	p.cmd = exec.Command(os.Args[0], args...)
	p.cmd.Env = childEnv()
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start weekback %s: %v", strings.Join(args, " "), err)
	}
	go func() {
		p.cmd.Wait()
		p.code = p.cmd.ProcessState.ExitCode()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.done
	})
	return p
}

// childEnv is this process's environment without WEEKBACK_* overrides of
// configuration keys (each test's config file is all the child reads),
// plus the switch that makes the child run Main. Under -race the child
// would sleep a second at every successful exit (the race runtime's
// atexit_sleep_ms); GORACE turns that off, race reports stay on.
func childEnv() []string {
	var env []string
	gorace := "atexit_sleep_ms=0"
	for _, kv := range os.Environ() {
		name, value, _ := strings.Cut(kv, "=")
		switch {
		case name == "GORACE":
			gorace = value + " " + gorace
		case strings.HasPrefix(name, "WEEKBACK_") && name != "WEEKBACK_TEST_DSN":
		default:
			env = append(env, kv)
		}
	}
	return append(env, envE2EMain+"=1", "GORACE="+gorace)
}

// wait waits for the process to end and returns its exit code; it fails the
// test (after killing the process) when it runs longer than timeout.
func (p *weekbackProc) wait(t *testing.T, timeout time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
		return p.code
	case <-time.After(timeout):
		p.cmd.Process.Kill()
		<-p.done
		t.Fatalf("weekback %s still running after %s; killed.\nstdout:\n%s\nstderr:\n%s",
			strings.Join(p.cmd.Args[1:], " "), timeout, p.stdout.String(), p.stderr.String())
		return -1
	}
}

// exited reports whether the process has ended.
func (p *weekbackProc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// runWeekback runs `weekback --config cfgPath args…` to its end and returns
// its exit code, stdout and stderr.
func runWeekback(t *testing.T, cfgPath string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	start := time.Now()
	p := startWeekback(t, cfgPath, args...)
	code = p.wait(t, processTimeout)
	t.Logf("weekback %s: exit %d in %s", strings.Join(args, " "), code, time.Since(start).Round(time.Millisecond))
	return code, p.stdout.String(), p.stderr.String()
}

// mustRunWeekback runs weekback and fails the test unless it exits with
// want. It returns stdout and stderr.
func mustRunWeekback(t *testing.T, want int, cfgPath string, args ...string) (stdout, stderr string) {
	t.Helper()
	code, stdout, stderr := runWeekback(t, cfgPath, args...)
	if code != want {
		t.Fatalf("weekback %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, want, stdout, stderr)
	}
	return stdout, stderr
}

// testConfig is what a test's weekback.yaml holds.
type testConfig struct {
	SourceDSN, BackupDSN, Prefix string
	Parallelism                  int
	Extra                        string // more YAML, appended as is
}

// writeConfig writes c as a YAML config file in a temporary directory and
// returns its path.
func writeConfig(t *testing.T, c testConfig) string {
	t.Helper()
	if c.Parallelism == 0 {
		c.Parallelism = 2
	}
	if !strings.Contains(c.Extra, "exports:") { // serve's job files stay out of the source tree
		c.Extra += fmt.Sprintf("exports:\n  dir: %q\n", filepath.Join(t.TempDir(), "exports"))
	}
	body := fmt.Sprintf(`source:
  dsn: %q
backup:
  dsn: %q
  prefix: %q
snapshot:
  parallelism: %d
  grace_period: "1s"
schedule:
  timezone: "UTC"
%s`, c.SourceDSN, c.BackupDSN, c.Prefix, c.Parallelism, c.Extra)
	path := filepath.Join(t.TempDir(), "weekback.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// fixture is one test's world: a source schema with data, a fresh backup
// prefix (dropped when the test ends) and a config file joining them,
// optionally reading the source through a proxy.
type fixture struct {
	db     *sql.DB // root on the test server
	src    string
	prefix string
	proxy  *mysqltest.Proxy // nil unless viaProxy
	cfg    string
}

// newFixture loads a fresh source schema and writes a config for it.
func newFixture(t *testing.T, viaProxy bool) *fixture {
	t.Helper()
	f := &fixture{db: mysqltest.MustOpen(t)}
	f.src = mustLoadSource(t, f.db)
	f.prefix = newPrefix(t, f.db)
	sourceDSN := mysqltest.DSN(t, f.src)
	if viaProxy {
		f.proxy = mysqltest.NewProxy(t, mysqltest.ServerAddr(t))
		sourceDSN = mysqltest.DSNVia(t, f.proxy, f.src)
	}
	f.cfg = writeConfig(t, testConfig{SourceDSN: sourceDSN, BackupDSN: mysqltest.DSN(t, ""), Prefix: f.prefix})
	return f
}

// newPrefix returns a fresh backup prefix whose schemas are dropped when
// the test ends.
func newPrefix(t *testing.T, db *sql.DB) string {
	t.Helper()
	prefix := mysqltest.UniqueName("wbe_")
	mysqltest.DropPrefixOnCleanup(t, db, prefix)
	return prefix
}

// mustLoadSource creates a source schema holding orders (~200-byte rows)
// and order_items (a foreign key to orders), filled server-side from the
// sequence engine. It returns the schema's name.
func mustLoadSource(t *testing.T, db *sql.DB) string {
	t.Helper()
	s := mysqltest.MustCreateSchema(t, db, "wbe_src_")
	q := "`" + s + "`."
	mysqltest.MustExec(t, db,
		"CREATE TABLE "+q+`orders (
			id INT UNSIGNED NOT NULL PRIMARY KEY,
			customer VARCHAR(64) NOT NULL,
			note VARCHAR(255) NOT NULL,
			amount DECIMAL(12,2) NOT NULL,
			created_at DATETIME(6) NOT NULL
		) ENGINE=InnoDB`,
		fmt.Sprintf("INSERT INTO %sorders SELECT seq, CONCAT('customer-', seq %% 997), "+
			"CONCAT(MD5(seq), SHA2(seq, 256), MD5(seq * 7), SHA1(seq)), seq * 1.25, "+
			"'2026-01-01' + INTERVAL seq SECOND FROM %sseq_1_to_%d", q, q, sourceOrders),
		"CREATE TABLE "+q+`order_items (
			id INT UNSIGNED NOT NULL PRIMARY KEY,
			order_id INT UNSIGNED NOT NULL,
			sku VARCHAR(32) NOT NULL,
			qty INT NOT NULL,
			KEY order_id (order_id),
			CONSTRAINT fk_items_order FOREIGN KEY (order_id) REFERENCES orders (id)
		) ENGINE=InnoDB`,
		fmt.Sprintf("INSERT INTO %sorder_items SELECT seq, 1 + (seq * 7) %% %d, CONCAT('SKU-', seq %% 311), 1 + seq %% 5 "+
			"FROM %sseq_1_to_%d", q, sourceOrders, q, sourceItems),
	)
	return s
}

// generations runs `weekback generations --json` and returns the days.
func generations(t *testing.T, cfgPath string) map[weekback.Weekday]*weekback.Generation {
	t.Helper()
	stdout, _ := mustRunWeekback(t, 0, cfgPath, "generations", "--json")
	var gens []*weekback.Generation
	if err := json.Unmarshal([]byte(stdout), &gens); err != nil {
		t.Fatalf("generations --json: %v\n%s", err, stdout)
	}
	out := map[weekback.Weekday]*weekback.Generation{}
	for _, g := range gens {
		out[g.Day] = g
	}
	if len(out) != 7 {
		t.Fatalf("generations --json lists %d days, want 7", len(out))
	}
	return out
}

// mustSnapshot takes a clean, unthrottled snapshot of day and returns its
// slot.
func mustSnapshot(t *testing.T, cfgPath string, day weekback.Weekday) string {
	t.Helper()
	mustRunWeekback(t, 0, cfgPath, "snapshot", "--day", string(day))
	g := generations(t, cfgPath)[day]
	if !g.Ready() || g.Status != weekback.StatusReady {
		t.Fatalf("%s after a clean snapshot: status %s, slot %q; want ready", day, g.Status, g.Slot)
	}
	return g.Slot
}
