package main

import (
	"github.com/weekback/weekback/bench/internal/benchutil"

	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"go.yaml.in/yaml/v3"
	"golang.org/x/crypto/bcrypt"
)

// The bench user, added to the Monday slot's users table, and the base URL
// the server is configured with (the Origin of the login POST).
const (
	benchLogin    = "bench"
	benchPassword = "bench-password"
	benchBaseURL  = "http://127.0.0.1"
)

// listenTimeout bounds the wait for the server's "listening" line;
// stopTimeout the wait for it to exit after SIGTERM.
const (
	listenTimeout = 30 * time.Second
	stopTimeout   = 15 * time.Second
)

// writeConfig writes weekback's YAML config (keys as in README.md's configuration): the
// dataset as the source, root as both backup accounts, the private prefix
// and a server on a free port of 127.0.0.1.
func (b *bench) writeConfig() (string, error) {
	src := b.Cfg.Clone()
	src.DBName = cmp.Or(b.source, sourceSchema("mon", b.o.scale))
	doc := map[string]any{
		"source":   map[string]any{"dsn": src.FormatDSN()},
		"backup":   map[string]any{"dsn": b.Cfg.FormatDSN(), "reader_dsn": b.Cfg.FormatDSN(), "prefix": backupPrefix},
		"snapshot": map[string]any{"grace_period": "1s"},
		"schedule": map[string]any{"timezone": "UTC"},
		"server": map[string]any{"listen": "127.0.0.1:0", "base_url": benchBaseURL,
			"session_secret_file": filepath.Join(b.Dir, "session.key")},
		"exports": map[string]any{"dir": filepath.Join(b.Dir, "exports")},
	}
	data, err := yaml.Marshal(doc)
	if err != nil {
		return "", fmt.Errorf("write weekback config: %w", err)
	}
	path := filepath.Join(b.Dir, "weekback.yaml")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return "", fmt.Errorf("write weekback config: %w", err)
	}
	return path, nil
}

// command returns `weekback --config FILE args…` run in the temporary
// directory, without WEEKBACK_* variables (which would override the file).
func (b *bench) command(ctx context.Context, args ...string) (*exec.Cmd, error) {
	bin, err := filepath.Abs(b.o.bin)
	if err != nil {
		return nil, fmt.Errorf("resolve -bin: %w", err)
	}
	if fi, err := os.Stat(bin); err != nil || fi.IsDir() {
		return nil, fmt.Errorf("binary %s not found (run make build first, or pass -bin)", b.o.bin)
	}
	config, err := b.writeConfig()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, bin, append([]string{"--config", config}, args...)...)
	cmd.Dir = b.Dir
	cmd.Env = benchutil.WithoutWeekbackEnv(os.Environ())
	cmd.WaitDelay = 10 * time.Second
	return cmd, nil
}

// snapshot copies source into day's generation of the private prefix
// (always anew: dropScratch removed earlier runs' slots) and returns the
// slot's name.
func (b *bench) snapshot(ctx context.Context, day, source string) (string, error) {
	b.source = source
	cmd, err := b.command(ctx, "snapshot", "--day", day)
	b.source = ""
	if err != nil {
		return "", err
	}
	var stderr benchutil.TailBuffer
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("weekback snapshot --day %s: %w\n%s", day, err, stderr.Tail(benchutil.TailLines))
	}
	slot, err := b.slotOf(ctx, day)
	if err != nil {
		return "", err
	}
	logf("snapshot of %s into %s in %s", source, slot, time.Since(start).Round(time.Millisecond))
	return slot, nil
}

// slotOf returns the slot day's generation is in.
func (b *bench) slotOf(ctx context.Context, day string) (string, error) {
	var slot string
	err := b.DB.QueryRowContext(ctx, "SELECT slot FROM "+qualify(backupPrefix+"_meta", "generations")+
		" WHERE day = ? AND slot IS NOT NULL", day).Scan(&slot)
	if err != nil {
		return "", fmt.Errorf("find the %s slot: %w", day, err)
	}
	return slot, nil
}

// addBenchUser inserts the bench user, with a real bcrypt hash, into the
// users table of both slots (the same row in each, so that the comparison
// of the two days does not see it): the dataset's own hashes only look
// like bcrypt. Writing into a slot is something weekback itself never
// does; it is acceptable here only because the slots belong to this
// benchmark's private prefix and are dropped at the end.
func (b *bench) addBenchUser(ctx context.Context) error {
	hash, err := bcrypt.GenerateFromPassword([]byte(benchPassword), bcrypt.MinCost)
	if err != nil {
		return fmt.Errorf("hash the bench password: %w", err)
	}
	for _, slot := range []string{b.slot, b.tue} {
		_, err = b.DB.ExecContext(ctx, "INSERT INTO "+qualify(slot, "users")+
			` (login_id, password_hash, display_name, email, can_manage_settings, role, created_at)
			VALUES (?, ?, 'Bench', 'bench@example.invalid', 1, 'superadmin', '2026-12-01 09:00:00')`, benchLogin, string(hash))
		if err != nil {
			return fmt.Errorf("add the bench user to %s: %w", slot, err)
		}
	}
	return nil
}

// server is a running `weekback serve`.
type server struct {
	cmd    *exec.Cmd
	base   string // http://host:port
	stderr *benchutil.TailBuffer
	done   chan error
}

// startServer starts `weekback serve` and waits for its "listening" line.
func (b *bench) startServer(ctx context.Context) (*server, error) {
	cmd, err := b.command(context.WithoutCancel(ctx), "serve")
	if err != nil {
		return nil, err
	}
	s := &server{cmd: cmd, stderr: &benchutil.TailBuffer{}, done: make(chan error, 1)}
	cmd.Stderr = s.stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start weekback serve: %w", err)
	}
	go func() { s.done <- cmd.Wait() }()
	addr, err := s.waitListening(ctx)
	if err != nil {
		s.stop()
		return nil, fmt.Errorf("weekback serve: %w\n%s", err, s.stderr.Tail(benchutil.TailLines))
	}
	s.base = "http://" + addr
	logf("weekback serve listening on %s", addr)
	return s, nil
}

// cpu returns the CPU time the server has used so far (0 where it cannot
// be read: outside Linux, or once the process has gone).
func (s *server) cpu() time.Duration {
	d, err := benchutil.ProcCPU(s.cmd.Process.Pid)
	if err != nil {
		return 0
	}
	return d
}

// waitListening returns the address of the "msg=listening … addr=" line.
func (s *server) waitListening(ctx context.Context) (string, error) {
	deadline := time.After(listenTimeout)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		if addr := listenAddr(s.stderr.String()); addr != "" {
			return addr, nil
		}
		select {
		case err := <-s.done:
			s.done <- err
			return "", fmt.Errorf("exited before listening: %v", err)
		case <-deadline:
			return "", fmt.Errorf("not listening after %s", listenTimeout)
		case <-ctx.Done():
			return "", ctx.Err()
		case <-tick.C:
		}
	}
}

// listenAddr finds addr= on the first msg=listening line of log.
func listenAddr(log string) string {
	for line := range strings.SplitSeq(log, "\n") {
		if !strings.Contains(line, "msg=listening") {
			continue
		}
		if _, after, ok := strings.Cut(line, "addr="); ok && strings.TrimSpace(after) != "" {
			return strings.Trim(strings.Fields(after)[0], `"`)
		}
	}
	return ""
}

// stop sends SIGTERM and waits, killing the process if it lingers.
func (s *server) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.done:
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			logf("weekback serve: %v", err)
		} else if err != nil {
			logf("weekback serve exited %v after SIGTERM\n%s", err, s.stderr.Tail(benchutil.TailLines))
		}
	case <-time.After(stopTimeout):
		logf("weekback serve did not stop after %s: killing it", stopTimeout)
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}
