package snapshotter

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback/mysql"
)

// cleanup removes what crashed runs left: runs still marked running are
// marked failed, and every slot schema that no generation points at is
// dropped unless it is a retired slot still inside its grace period. Call
// it only while holding the snapshot lock.
func (s *Snapshotter) cleanup(ctx context.Context) error {
	crashed, err := s.meta.AbandonRunning(ctx, mysql.InterruptedRun)
	if err != nil {
		return err
	}
	for _, r := range crashed {
		s.Logger.Warn("an earlier run was interrupted; cleaning up", "run", r.ID, "day", r.Day, "slot", r.Slot)
	}
	slots, err := s.slotSchemas(ctx)
	if err != nil {
		return err
	}
	keep, err := s.servedSlots(ctx)
	if err != nil {
		return err
	}
	retired, err := s.meta.RetiredSlots(ctx)
	if err != nil {
		return err
	}
	now := s.Now()
	var left []string
	for _, slot := range slots {
		if after, ok := retired[slot]; keep[slot] || (ok && now.Before(after)) {
			left = append(left, slot)
			continue
		}
		s.Logger.Info("dropping leftover slot", "slot", slot)
		if err := s.dropSchema(ctx, slot); err != nil {
			return err
		}
	}
	// Row digests of slots that no longer exist (dropped by hand, or by a
	// version that kept none).
	n, err := s.meta.PurgeRowDigests(ctx, left)
	if n > 0 {
		s.Logger.Info("deleted the row digests of slots that no longer exist", "parts", n)
	}
	return err
}

func (s *Snapshotter) servedSlots(ctx context.Context) (map[string]bool, error) {
	gens, err := s.meta.Generations(ctx)
	if err != nil {
		return nil, err
	}
	keep := map[string]bool{}
	for _, g := range gens {
		if g.Slot != "" {
			keep[g.Slot] = true
		}
	}
	return keep, nil
}

// slotSchemas lists the schemas on the backup server named like slots of
// this prefix.
func (s *Snapshotter) slotSchemas(ctx context.Context) ([]string, error) {
	var names []string
	err := sqlx.SelectContext(ctx, s.backup, &names, mysql.Tag+
		"SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE ?", mysql.LikeEscape(s.Prefix+"_")+"%")
	if err != nil {
		return nil, fmt.Errorf("list slots: %w", err)
	}
	pattern := regexp.MustCompile("^" + regexp.QuoteMeta(s.Prefix) + `_(mon|tue|wed|thu|fri|sat|sun)_r[0-9]+$`)
	var out []string
	for _, n := range names {
		if pattern.MatchString(n) {
			out = append(out, n)
		}
	}
	return out, nil
}

// dropSchema drops a slot, deletes its row digests and forgets it in the
// retired list.
func (s *Snapshotter) dropSchema(ctx context.Context, slot string) error {
	if _, err := s.backup.ExecContext(ctx, mysql.Tag+"DROP DATABASE IF EXISTS "+mysql.QuoteIdent(slot)); err != nil {
		return fmt.Errorf("drop slot %s: %w", slot, err)
	}
	if err := s.meta.DeleteRowDigests(ctx, slot); err != nil {
		return err
	}
	return s.meta.ForgetRetired(ctx, slot)
}

// dropAfterGrace waits for the grace period, so reads that started on the
// old slot finish, then drops it. If ctx ends first the next run drops it.
func (s *Snapshotter) dropAfterGrace(ctx context.Context, slot string) {
	s.Logger.Info("old slot keeps serving running reads for the grace period", "slot", slot, "grace", s.GracePeriod)
	select {
	case <-ctx.Done():
		s.Logger.Info("stopped before the grace period ended; the next run drops the old slot", "slot", slot)
		return
	case <-time.After(s.GracePeriod):
	}
	if err := s.dropSchema(ctx, slot); err != nil {
		s.Logger.Warn("cannot drop the old slot; the next run will", "slot", slot, "err", err)
	}
}
