package snapshotter

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
)

// Result is what a successful snapshot produced.
type Result struct {
	Run      *weekback.SnapshotRun
	Manifest *weekback.Manifest
	OldSlot  string // the slot switched away from, "" if none
	Duration time.Duration
}

// Summary returns the one-line summary printed at the end of a run.
func (r *Result) Summary() string {
	s := fmt.Sprintf("snapshot %s: %d tables, %d rows, %.1f MB in %s (%.1f MB/s), mode %s, verified, serving slot %s",
		r.Run.Day, len(r.Manifest.Tables), r.Manifest.Rows, float64(r.Manifest.Bytes)/1e6,
		r.Duration.Round(100*time.Millisecond), float64(r.Manifest.Bytes)/1e6/max(r.Duration.Seconds(), 0.001),
		r.Manifest.Mode, r.Manifest.Slot)
	if n := len(r.Manifest.Skipped); n > 0 {
		s += fmt.Sprintf("; %d objects not copied or copied in part (named in the log and the manifest)", n)
	}
	return s
}

// run is one snapshot in progress.
type run struct {
	s        *Snapshotter
	run      *weekback.SnapshotRun
	slot     string
	plan     *Plan
	progress *progress
	catalog  *mysql.Catalog // the slot's tables' keys, for their row digests
}

// SlotName returns the slot schema of run id for day.
func SlotName(prefix string, day weekback.Weekday, id int64) string {
	return fmt.Sprintf("%s_%s_r%d", prefix, day, id)
}

// Snapshot takes one consistent snapshot of the source into day's
// generation and switches it in once verified. On any error the served
// generation is untouched and the new slot is dropped. A run already in
// progress makes it fail with ECONFLICT; a verification mismatch with
// EMISMATCH.
func (s *Snapshotter) Snapshot(ctx context.Context, day weekback.Weekday) (*Result, error) {
	if !day.Valid() {
		return nil, weekback.Errorf(weekback.EINVALID, "unknown day %q: use one of mon, tue, wed, thu, fri, sat, sun", day)
	}
	started := s.Now()
	if err := s.Preflight(ctx); err != nil {
		return nil, err
	}
	plan, err := s.Plan(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.checkGalera(ctx, plan); err != nil {
		return nil, err
	}
	if _, err := s.OpenMeta(ctx); err != nil {
		return nil, err
	}
	lock, err := s.meta.LockSnapshot(ctx)
	if err != nil {
		return nil, err
	}
	defer lock.Release()
	ctx, stop := lock.Context(ctx) // a lost lease (another run took over) stops this one
	defer stop()
	ctx, unguard := s.guardGalera(ctx) // so does a wedged Galera node
	defer unguard()
	if err := s.cleanup(ctx); err != nil {
		return nil, err
	}
	r := &run{s: s, plan: plan, catalog: mysql.NewCatalog(), run: &weekback.SnapshotRun{Day: day, PID: os.Getpid(), Tables: len(plan.Tables)}}
	r.run.Host, _ = os.Hostname()
	if err := s.meta.StartRun(ctx, r.run, func(id int64) string { return SlotName(s.Prefix, day, id) }); err != nil {
		return nil, err
	}
	r.slot = r.run.Slot
	log := s.Logger.With("day", day, "run", r.run.ID, "slot", r.slot)
	log.Info("snapshot started", "tables", len(plan.Tables), "est_mb", float64(plan.EstBytes)/1e6)
	logSkipped(log, plan)
	m, err := r.execute(ctx)
	var old string
	if err == nil {
		old, err = s.meta.SwitchFenced(ctx, lock, day, r.slot, m, s.GracePeriod)
	}
	if lerr := lock.Err(); err != nil && lerr != nil {
		err = lerr
	}
	err = stalled(ctx, err)
	r.finish(ctx, err)
	if err != nil {
		log.Error("snapshot failed; the served generation is unchanged", "err", err)
		return nil, err
	}
	res := &Result{Run: r.run, Manifest: m, OldSlot: old, Duration: s.Now().Sub(started)}
	log.Info("switched", "old_slot", old, "rows", m.Rows, "mb", float64(m.Bytes)/1e6, "duration", res.Duration)
	lock.Release()
	s.copyOffsite(ctx, res)
	if old != "" && s.WaitGrace {
		s.dropAfterGrace(ctx, old)
	}
	return res, nil
}

// logSkipped warns of every object of the source the plan leaves out, or
// copies in part.
func logSkipped(log *slog.Logger, plan *Plan) {
	for _, o := range plan.Skipped {
		msg := "not copied (listed in the manifest)"
		if o.Partial {
			msg = "copied in part (listed in the manifest)"
		}
		log.Warn(msg, "object", o.Name, "type", o.Type, "reason", o.Reason)
	}
}

// execute builds and verifies the slot; it returns its manifest.
func (r *run) execute(ctx context.Context) (*weekback.Manifest, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if err := r.createSlot(ctx); err != nil {
		return nil, err
	}
	snap, err := openSnapshot(ctx, r.s.source, r.plan.Server, r.s.Parallelism, len(r.plan.Tables), r.s.LockWaitTimeout)
	if err != nil {
		return nil, fmt.Errorf("start consistent snapshot: %w", err)
	}
	r.run.Mode, r.run.Position = snap.mode, snap.pos
	r.s.Logger.Info("consistent snapshot taken", "mode", snap.mode, "why", snap.why,
		"at", snap.at.Format(time.RFC3339Nano), "position", snap.pos.String())
	if snap.noPos != "" {
		r.s.Logger.Warn("no binlog position recorded in the manifest", "why", snap.noPos)
	}
	m := r.manifest(snap)
	r.progress = newProgress(r.s, r.run, r.plan)
	stop := r.progress.start(ctx)
	tables, err := r.copyAll(ctx, snap)
	snap.close()
	stop(err == nil)
	if err != nil {
		return nil, err
	}
	if err := r.addForeignKeys(ctx); err != nil {
		return nil, err
	}
	m.Tables = tables
	for _, t := range tables {
		m.Rows += t.Rows
		m.Bytes += t.Bytes
	}
	r.run.Rows, r.run.Bytes = m.Rows, m.Bytes
	m.Views = r.createViews(ctx)
	if m.Sequences, err = r.copySequences(ctx); err != nil {
		return nil, err
	}
	m.Skipped = skippedObjects(r.plan.Skipped, m.Views)
	return m, nil
}

// skippedObjects is the manifest's list of what the copy does not hold:
// the plan's, and the views that could not be recreated in the slot.
func skippedObjects(planned []weekback.SkippedObject, views []weekback.ViewInfo) []weekback.SkippedObject {
	out := append([]weekback.SkippedObject(nil), planned...)
	for _, v := range views {
		if v.Error != "" {
			out = append(out, weekback.SkippedObject{Name: v.Name, Type: "VIEW", Reason: "could not be recreated in the slot: " + v.Error})
		}
	}
	return out
}

func (r *run) manifest(snap *snapshot) *weekback.Manifest {
	return &weekback.Manifest{
		Version: weekback.ManifestVersion, Day: r.run.Day, Slot: r.slot,
		SourceSchema: r.plan.Schema, SourceServer: r.plan.Server,
		SnapshotAt: snap.at, Position: snap.pos, Mode: snap.mode,
		Triggers: r.plan.Triggers, Routines: r.plan.Routines, Events: r.plan.Events,
	}
}

// copyAll copies and verifies the tables, biggest first, one worker per
// snapshot connection: each table is read back from the slot and checked
// against what was read from the source as soon as it is copied, while
// other tables are still loading. The first error or mismatch cancels the
// others.
func (r *run) copyAll(ctx context.Context, snap *snapshot) ([]weekback.TableInfo, error) {
	out := make([]weekback.TableInfo, len(r.plan.Tables))
	next := make(chan int, len(r.plan.Tables))
	for i := range r.plan.Tables {
		next <- i
	}
	close(next)
	g, gctx := errgroup.WithContext(ctx)
	for _, conn := range snap.conns {
		g.Go(func() error {
			for i := range next {
				t := r.plan.Tables[i]
				info, err := r.copyTable(gctx, conn, t)
				if err != nil {
					return err
				}
				mm, err := r.verifyCopy(gctx, &info, t)
				if err != nil {
					return fmt.Errorf("verify table %s: %w", t.Name, err)
				}
				if mm != nil {
					return weekback.Errorf(weekback.EMISMATCH, "verification of %s (slot %s) failed: %s", r.run.Day, r.slot, mm)
				}
				out[i] = info
				r.progress.tableDone()
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return out, nil
}

func (r *run) createSlot(ctx context.Context) error {
	cs, coll, _, err := mysql.SchemaCharset(ctx, r.s.source, r.plan.Schema)
	if err != nil {
		return err
	}
	stmt := "CREATE DATABASE " + mysql.QuoteIdent(r.slot)
	if cs != "" {
		stmt += " CHARACTER SET " + cs + " COLLATE " + coll
	}
	if _, err := r.s.backup.ExecContext(ctx, mysql.Tag+stmt); err != nil {
		return fmt.Errorf("create slot %s: %w", r.slot, err)
	}
	return nil
}

// finish records the run's outcome and, on failure, drops its slot.
func (r *run) finish(ctx context.Context, err error) {
	r.run.Status = weekback.RunSucceeded
	if err != nil {
		r.run.Status = weekback.RunFailed
		r.run.Error = weekback.ErrorMessage(err)
		if weekback.ErrorCode(err) == weekback.EINTERNAL {
			r.run.Error = err.Error()
		}
		if errors.Is(err, context.Canceled) {
			r.run.Error = "interrupted"
		}
		r.dropSlot()
	}
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if ferr := r.s.meta.FinishRun(fctx, r.run); ferr != nil {
		r.s.Logger.Warn("cannot record the run's outcome", "err", ferr)
	}
}

func (r *run) dropSlot() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := r.s.dropSchema(ctx, r.slot); err != nil {
		r.s.Logger.Warn("cannot drop the unfinished slot; the next run will", "slot", r.slot, "err", err)
	}
}
