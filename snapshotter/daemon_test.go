package snapshotter_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql/mysqltest"
	"github.com/weekback/weekback/snapshotter"
)

// TestDaemonRunsOnScheduleAndStopsCleanly runs the daemon every second in
// Asia/Tokyo: it must take today's (Tokyo) generation; stopped in the middle
// of a later run it must return, switch nothing and leave the served
// generation verifiable.
func TestDaemonRunsOnScheduleAndStopsCleanly(t *testing.T) {
	db := mysqltest.MustOpen(t)
	src := MustLoadScenario(t, db, "typezoo")
	mysqltest.MustExec(t, db, "CREATE TABLE `"+src+"`.pad (id INT PRIMARY KEY, v CHAR(200))",
		"INSERT INTO `"+src+"`.pad SELECT seq, REPEAT('x', 200) FROM `"+src+"`.seq_1_to_20000")
	proxy := mysqltest.NewProxy(t, mysqltest.ServerAddr(t))
	s := MustOpenSnapshotter(t, db, src)
	s.Close()
	s.SourceDSN = mysqltest.DSNVia(t, proxy, src)
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	d := &snapshotter.Daemon{Snapshotter: s, Cron: "* * * * * *", WithSeconds: true, Location: tokyo, Logger: testLogger(t)}
	if err := s.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var runErr error
	wg.Go(func() { runErr = d.Run(ctx) })
	defer func() { cancel(); wg.Wait() }()

	day := weekback.DayOf(time.Now(), tokyo)
	first := waitGeneration(t, s, day, func(g *weekback.Generation) bool { return g.Ready() })
	proxy.SetRate(200 << 10) // the next run now takes seconds
	// Ready holds from the first run's switch on, while that run is still
	// recording its outcome (building): wait for a later run.
	waitGeneration(t, s, day, func(g *weekback.Generation) bool {
		return g.Status == weekback.StatusBuilding && g.LastRun != nil && first.LastRun != nil && g.LastRun.ID > first.LastRun.ID
	})
	stopped := time.Now()
	cancel()
	wg.Wait()
	if runErr != nil {
		t.Fatalf("daemon: %v", runErr)
	}
	t.Logf("daemon stopped %s after the cancel", time.Since(stopped).Round(time.Millisecond))
	proxy.SetRate(0)
	g := waitGeneration(t, s, day, func(*weekback.Generation) bool { return true })
	if g.Slot != first.Slot {
		t.Fatalf("served slot = %s after the stop, want the first run's %s", g.Slot, first.Slot)
	}
	if g.LastRun == nil || g.LastRun.Status != weekback.RunFailed {
		t.Fatalf("last run = %+v, want failed (interrupted)", g.LastRun)
	}
	if err := s.Verify(context.Background(), day); err != nil {
		t.Fatalf("verify after the stop: %v", err)
	}
}

// waitGeneration polls day's generation until ok holds (30 s at most).
func waitGeneration(t *testing.T, s *snapshotter.Snapshotter, day weekback.Weekday, ok func(*weekback.Generation) bool) *weekback.Generation {
	t.Helper()
	meta, err := s.OpenMeta(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		g, err := meta.Generation(context.Background(), day)
		if err != nil {
			t.Fatal(err)
		}
		if ok(g) {
			return g
		}
	}
	t.Fatalf("generation %s did not reach the awaited state in 30 s", day)
	return nil
}
