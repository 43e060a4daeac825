package snapshotter

import (
	"context"
	"fmt"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
)

// copySequences creates the plan's sequences in the slot from their
// production DDL, each restarted at the next value the source's hands out,
// and checks them. The values are read once every table is copied, so a
// copied sequence is never behind an id the copied rows hold.
func (r *run) copySequences(ctx context.Context) ([]weekback.SequenceInfo, error) {
	out := make([]weekback.SequenceInfo, 0, len(r.plan.Sequences))
	for _, sq := range r.plan.Sequences {
		next, err := mysql.SequenceNext(ctx, r.s.source, r.plan.Schema, sq.Name)
		if err != nil {
			return nil, err
		}
		sq.Next = next
		if err := r.createSequence(ctx, sq); err != nil {
			return nil, fmt.Errorf("copy sequence %s: %w", sq.Name, err)
		}
		mm, err := r.s.checkSequence(ctx, r.slot, sq)
		if err != nil {
			return nil, err
		}
		if mm != nil {
			return nil, weekback.Errorf(weekback.EMISMATCH, "verification of %s (slot %s) failed: %s", r.run.Day, r.slot, mm)
		}
		out = append(out, sq)
	}
	return out, nil
}

func (r *run) createSequence(ctx context.Context, sq weekback.SequenceInfo) error {
	create, err := qualifyCreateAs("SEQUENCE", sq.DDL, r.slot, sq.Name)
	if err != nil {
		return err
	}
	if _, err := r.s.backup.ExecContext(ctx, mysql.Tag+create); err != nil {
		return err
	}
	_, err = r.s.backup.ExecContext(ctx, fmt.Sprintf("%sALTER SEQUENCE %s RESTART WITH %d", mysql.Tag, mysql.QuoteTable(r.slot, sq.Name), sq.Next))
	return err
}

// checkSequence compares the slot's copy of a sequence with its manifest
// entry: the same definition and the same next value. It returns nil when
// they match.
func (s *Snapshotter) checkSequence(ctx context.Context, slot string, sq weekback.SequenceInfo) (*Mismatch, error) {
	ddl, err := mysql.ShowCreateSequence(ctx, s.backup, slot, sq.Name)
	if mysql.IsErrorNumber(err, mysql.ErrNoSuchTable) {
		return &Mismatch{Table: sq.Name, Missing: true}, nil
	}
	if err != nil {
		return nil, err
	}
	if ddl != sq.DDL {
		return &Mismatch{Table: sq.Name, Detail: fmt.Sprintf("sequence %s is defined as %q, manifest says %q", sq.Name, ddl, sq.DDL)}, nil
	}
	next, err := mysql.SequenceNext(ctx, s.backup, slot, sq.Name)
	if err != nil {
		return nil, err
	}
	if next != sq.Next {
		return &Mismatch{Table: sq.Name, Detail: fmt.Sprintf("sequence %s's next value is %d, manifest says %d", sq.Name, next, sq.Next)}, nil
	}
	return nil, nil
}
