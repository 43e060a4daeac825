package main

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/weekback/weekback"
)

// cutExitBound is how soon a snapshot must give up after losing the source.
const cutExitBound = 30 * time.Second

// TestKilledMidCopy kills a snapshot while it copies: the served
// generation stays intact, and the next run cleans up and records the
// killed one as interrupted.
func TestKilledMidCopy(t *testing.T) {
	f := newFixture(t, true)
	old := mustSnapshot(t, f.cfg, weekback.Monday)

	f.proxy.SetRate(throttleRate)
	p := startWeekback(t, f.cfg, "snapshot", "--day", "mon")
	killed := waitCopying(t, f.db, f.prefix, p)
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	p.wait(t, 10*time.Second)
	if ws := p.cmd.ProcessState.Sys().(syscall.WaitStatus); !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("snapshot ended with %v, want killed by SIGKILL", p.cmd.ProcessState)
	}
	f.proxy.SetRate(0)
	if !schemaExists(t, f.db, killed.Slot) {
		t.Fatalf("the killed run's slot %s is gone already; the test did not kill it mid-copy", killed.Slot)
	}

	mustRunWeekback(t, 0, f.cfg, "verify", "--day", "mon")
	if g := generations(t, f.cfg)[weekback.Monday]; g.Slot != old || !g.Ready() {
		t.Fatalf("mon after the kill: slot %q (ready %v), want the previous slot %s", g.Slot, g.Ready(), old)
	}

	waitLockFree(t, f.db, f.prefix)
	mustRunWeekback(t, 0, f.cfg, "snapshot", "--day", "mon")
	g := generations(t, f.cfg)[weekback.Monday]
	if !g.Ready() || g.Slot == old || g.Slot == killed.Slot {
		t.Errorf("mon after the next run: slot %q (ready %v), want a new slot (not %s, not %s)", g.Slot, g.Ready(), old, killed.Slot)
	}
	for _, slot := range []string{killed.Slot, old} {
		if schemaExists(t, f.db, slot) {
			t.Errorf("slot %s still exists after the next run, want it dropped", slot)
		}
	}
	if r := mustRun(t, f.db, f.prefix, killed.ID); r.Status != weekback.RunFailed || !strings.HasPrefix(r.Error, "interrupted") {
		t.Errorf("killed run %d: status %q, error %q; want failed, interrupted…", r.ID, r.Status, r.Error)
	}
}

// TestSourceCutMidCopy cuts the source's connections while a snapshot
// copies: the run must fail promptly, say why, record itself as failed,
// drop its slot and leave the generation as it was.
func TestSourceCutMidCopy(t *testing.T) {
	for _, previous := range []bool{false, true} {
		t.Run(fmt.Sprintf("previous generation %v", previous), func(t *testing.T) {
			f := newFixture(t, true)
			var old string
			if previous {
				old = mustSnapshot(t, f.cfg, weekback.Monday)
			}
			f.proxy.SetRate(throttleRate)
			p := startWeekback(t, f.cfg, "snapshot", "--day", "mon")
			run := waitCopying(t, f.db, f.prefix, p)
			cut := time.Now()
			f.proxy.Cut()
			code := p.wait(t, cutExitBound)
			t.Logf("snapshot exited %d %s after the source was cut", code, time.Since(cut).Round(time.Millisecond))
			stderr := p.stderr.String()
			if code != weekback.ExitFailure {
				t.Errorf("exit %d, want %d\nstderr:\n%s", code, weekback.ExitFailure, stderr)
			}
			if !hasLine(stderr, "weekback: lost the connection to the source server", "source.dsn", "served generation is unchanged") {
				t.Errorf("stderr has no final line naming the source as the problem:\n%s", stderr)
			}
			if p.stdout.String() != "" {
				t.Errorf("stdout = %q, want no summary", p.stdout.String())
			}

			// generations and verify connect to source.dsn too, so the
			// source must be back before the generation can be read.
			f.proxy.Restore()
			f.proxy.SetRate(0)
			g := generations(t, f.cfg)[weekback.Monday]
			if g.Slot != old {
				t.Errorf("mon after the cut: slot %q, want %q (unchanged)", g.Slot, old)
			}
			if !previous && (g.Ready() || g.Status == weekback.StatusReady) {
				t.Errorf("mon after the cut: status %s, want not ready", g.Status)
			}
			if r := mustRun(t, f.db, f.prefix, run.ID); r.Status != weekback.RunFailed || r.Error == "" {
				t.Errorf("run %d: status %q, error %q; want failed with an error", r.ID, r.Status, r.Error)
			}
			if schemaExists(t, f.db, run.Slot) {
				t.Errorf("the failed run's slot %s still exists, want it dropped", run.Slot)
			}
			if previous {
				mustRunWeekback(t, 0, f.cfg, "verify", "--day", "mon")
			}
		})
	}
}

// TestTwoRunsAtOnce starts a second snapshot while one copies: the second
// exits 1 naming the first, which then finishes.
func TestTwoRunsAtOnce(t *testing.T) {
	f := newFixture(t, true)
	f.proxy.SetRate(throttleRate)
	a := startWeekback(t, f.cfg, "snapshot", "--day", "mon")
	runA := waitCopying(t, f.db, f.prefix, a)

	code, stdout, stderr := runWeekback(t, f.cfg, "snapshot", "--day", "mon")
	if code != weekback.ExitFailure {
		t.Fatalf("second snapshot: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, weekback.ExitFailure, stdout, stderr)
	}
	for _, want := range []string{"another snapshot is running", fmt.Sprintf("run %d of mon", runA.ID), fmt.Sprintf("pid %d", a.cmd.Process.Pid)} {
		if !strings.Contains(stderr, want) {
			t.Errorf("second snapshot's stderr does not say %q:\n%s", want, stderr)
		}
	}
	if stdout != "" {
		t.Errorf("second snapshot's stdout = %q, want nothing", stdout)
	}

	f.proxy.SetRate(0)
	if code := a.wait(t, processTimeout); code != 0 {
		t.Fatalf("first snapshot: exit %d, want 0\nstderr:\n%s", code, a.stderr.String())
	}
	if !strings.HasPrefix(a.stdout.String(), "snapshot mon: ") {
		t.Errorf("first snapshot's stdout = %q, want its summary", a.stdout.String())
	}
	if rs := runs(t, f.db, f.prefix); len(rs) != 1 || rs[0].ID != runA.ID || rs[0].Status != weekback.RunSucceeded {
		t.Errorf("runs = %+v, want only run %d, succeeded", rs, runA.ID)
	}
	if g := generations(t, f.cfg)[weekback.Monday]; g.Slot != runA.Slot {
		t.Errorf("mon serves %q, want the first run's slot %s", g.Slot, runA.Slot)
	}
}
