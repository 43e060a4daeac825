package snapshotter

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/export"
)

// copyOffsite writes the day's SQL script to the off-site target after a
// switch (s.Offsite set) and records the outcome on the run. A failure is
// logged and recorded, never undoes the switch: the new copy is served
// either way.
func (s *Snapshotter) copyOffsite(ctx context.Context, res *Result) {
	if s.Offsite == nil {
		return
	}
	log := s.Logger.With("day", res.Run.Day, "run", res.Run.ID, "target", s.Offsite.Target.String())
	started := s.Now()
	name, err := s.writeOffsite(ctx, res)
	status, msg := weekback.OffsiteCopied, ""
	if err != nil {
		status, msg = weekback.OffsiteFailed, weekback.ErrorMessage(err)
		log.Error("off-site copy failed; the new copy is served all the same", "name", name, "err", err)
	} else {
		log.Info("off-site copy written", "name", name, "duration", s.Now().Sub(started).Round(time.Millisecond))
	}
	res.Run.Offsite, res.Run.OffsiteName, res.Run.OffsiteError = status, name, msg
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := s.meta.RecordOffsite(rctx, res.Run.ID, status, name, msg); err != nil {
		log.Warn("cannot record the off-site copy on the run", "err", err)
	}
}

// writeOffsite streams the day's SQL script (export.WriteDaySQL, with the
// credential columns blank) from the slot just switched in.
func (s *Snapshotter) writeOffsite(ctx context.Context, res *Result) (string, error) {
	gen := &weekback.Generation{Day: res.Run.Day, Status: weekback.StatusReady, Slot: res.Manifest.Slot, Manifest: res.Manifest}
	conn, err := s.verifier.Connx(ctx)
	if err != nil {
		return "", fmt.Errorf("off-site copy: %w", err)
	}
	defer conn.Close()
	return s.Offsite.Write(ctx, gen.Day, res.Manifest.SnapshotAt, func(w io.Writer) error {
		_, err := export.WriteDaySQL(ctx, conn, gen, w, export.DaySQLOptions{Redaction: s.Redaction})
		return err
	})
}
