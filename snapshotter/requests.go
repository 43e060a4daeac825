package snapshotter

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/weekback/weekback"
)

// DefaultRequestPoll is how often the daemon looks for snapshot requests
// from the browser and for discarded slots to drop.
const DefaultRequestPoll = 2 * time.Second

// DropDue drops the retired slots whose time has come and that no day
// serves: slots replaced by a newer copy after their grace period, and
// discarded days' slots at once. It returns the slots dropped. It needs
// the backup admin account (the server's reader account may not drop).
func (s *Snapshotter) DropDue(ctx context.Context) ([]string, error) {
	if _, err := s.AttachMeta(ctx); err != nil {
		return nil, err
	}
	retired, err := s.meta.RetiredSlots(ctx)
	if err != nil || len(retired) == 0 {
		return nil, err
	}
	served, err := s.servedSlots(ctx)
	if err != nil {
		return nil, err
	}
	var dropped []string
	now := s.Now()
	for slot, after := range retired {
		if served[slot] || now.Before(after) {
			continue
		}
		if err := s.dropSchema(ctx, slot); err != nil {
			return dropped, err
		}
		s.Logger.Info("dropped retired slot", "slot", slot)
		dropped = append(dropped, slot)
	}
	return dropped, nil
}

// requestLoop polls for snapshot requests and due slots every
// d.RequestPoll until ctx ends. busy keeps it and the scheduled runs from
// starting two snapshots at once in this process (the backup server's
// lock keeps other processes out).
func (d *Daemon) requestLoop(ctx context.Context, busy *sync.Mutex, log *slog.Logger) {
	t := time.NewTicker(d.RequestPoll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if _, err := d.Snapshotter.DropDue(ctx); err != nil && ctx.Err() == nil {
			log.Warn("cannot drop retired slots; retrying", "err", err)
		}
		if busy.TryLock() {
			d.runRequest(ctx, log)
			busy.Unlock()
		}
	}
}

// runRequest runs the oldest pending request, if any, like a scheduled
// run (same lock, same verification) and records its outcome.
func (d *Daemon) runRequest(ctx context.Context, log *slog.Logger) {
	meta, err := d.Snapshotter.OpenMeta(ctx)
	if err != nil {
		log.Warn("cannot read snapshot requests", "err", err)
		return
	}
	if free, err := meta.SnapshotLockFree(ctx); err != nil || !free {
		return // another process snapshots: the request waits
	}
	req, err := meta.ClaimRequest(ctx)
	if err != nil || req == nil {
		if err != nil && ctx.Err() == nil {
			log.Warn("cannot read snapshot requests", "err", err)
		}
		return
	}
	log.Info("requested snapshot starting", "day", req.Day, "request", req.ID, "by", req.RequestedBy)
	res, err := d.Snapshotter.Snapshot(ctx, req.Day)
	var runID int64
	var msg string
	if err != nil {
		msg = weekback.ErrorMessage(err)
		log.Error("requested snapshot failed; the served generation is unchanged", "day", req.Day, "err", err)
	} else {
		runID = res.Run.ID
		log.Info(res.Summary())
	}
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := meta.FinishRequest(fctx, req.ID, runID, msg); err != nil {
		log.Warn("cannot record the request's outcome", "err", err)
	}
}

// abandonRequests marks requests a previous daemon left running as
// failed (interrupted).
func (d *Daemon) abandonRequests(ctx context.Context) error {
	meta, err := d.Snapshotter.OpenMeta(ctx)
	if err != nil {
		return err
	}
	return meta.AbandonRequests(ctx)
}

// DropUnserved takes the snapshot lock and drops every slot of the prefix
// that no day serves: retired slots whose time has come and leftovers of
// crashed runs (an erasure request reaches them all). It fails with
// ECONFLICT, dropping nothing, while a snapshot runs.
func (s *Snapshotter) DropUnserved(ctx context.Context) error {
	if _, err := s.AttachMeta(ctx); err != nil {
		return err
	}
	lock, err := s.meta.LockSnapshot(ctx)
	if err != nil {
		return err
	}
	defer lock.Release()
	return s.cleanup(ctx)
}
