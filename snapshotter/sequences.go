package snapshotter

import (
	"context"
	"fmt"
	"regexp"

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

// sequenceCache is a sequence DDL's cache clause, which a Galera cluster
// refuses (ErrNotSupportedYet) unless the increment is 0.
var sequenceCache = regexp.MustCompile(`(?i)\bcache \d+\b`)

// withoutCache returns a sequence's DDL with nocache instead of its cache:
// the slot's copy on a Galera backup store. The cache only says how many
// values a server reserves at a time; the copy hands out the same values.
func withoutCache(ddl string) string { return sequenceCache.ReplaceAllString(ddl, "nocache") }

// createSequence creates sq in the slot and restarts it at sq.Next. On a
// Galera backup store, which refuses a cache and ALTER SEQUENCE … RESTART
// (ErrNotSupportedYet), it is created without a cache and set with SETVAL.
func (r *run) createSequence(ctx context.Context, sq weekback.SequenceInfo) error {
	create, err := qualifyCreateAs("SEQUENCE", sq.DDL, r.slot, sq.Name)
	if err != nil {
		return err
	}
	_, err = r.s.backup.ExecContext(ctx, mysql.Tag+create)
	if mysql.IsErrorNumber(err, mysql.ErrNotSupportedYet) {
		_, err = r.s.backup.ExecContext(ctx, mysql.Tag+withoutCache(create))
	}
	if err != nil {
		return err
	}
	name := mysql.QuoteTable(r.slot, sq.Name)
	_, err = r.s.backup.ExecContext(ctx, fmt.Sprintf("%sALTER SEQUENCE %s RESTART WITH %d", mysql.Tag, name, sq.Next))
	if mysql.IsErrorNumber(err, mysql.ErrNotSupportedYet) {
		_, err = r.s.backup.ExecContext(ctx, fmt.Sprintf("%sSELECT SETVAL(%s, %d, 0)", mysql.Tag, name, sq.Next))
	}
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
	if ddl != sq.DDL && ddl != withoutCache(sq.DDL) {
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
