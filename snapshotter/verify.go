package snapshotter

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
)

// Mismatch is one table whose slot copy differs from its manifest.
type Mismatch struct {
	Table          string
	WantRows, Rows int64
	Versions       bool // the counts are row versions (a versioned table's history)
	WantHash, Hash string
	Missing        bool
	Detail         string // what differs, when not the rows (a sequence)
}

// String says what differs, in one line for logs and `verify`'s output.
func (m Mismatch) String() string {
	switch {
	case m.Detail != "":
		return m.Detail
	case m.Missing:
		return fmt.Sprintf("table %s is missing", m.Table)
	case m.Rows != m.WantRows && m.Versions:
		return fmt.Sprintf("table %s has %d row versions, manifest says %d", m.Table, m.Rows, m.WantRows)
	case m.Rows != m.WantRows:
		return fmt.Sprintf("table %s has %d rows, manifest says %d", m.Table, m.Rows, m.WantRows)
	default:
		return fmt.Sprintf("table %s content hash %s, manifest says %s", m.Table, m.Hash, m.WantHash)
	}
}

// verifySlot reads every table of slot back, recomputes its row count and
// content hash and compares them with m. It returns an EMISMATCH error naming each
// table that differs.
func (s *Snapshotter) verifySlot(ctx context.Context, slot string, m *weekback.Manifest) error {
	mismatches, err := s.compare(ctx, slot, m)
	if err != nil {
		return err
	}
	if len(mismatches) == 0 {
		return nil
	}
	msgs := make([]string, len(mismatches))
	for i, mm := range mismatches {
		msgs[i] = mm.String()
	}
	return weekback.Errorf(weekback.EMISMATCH, "verification of %s (slot %s) failed: %s", m.Day, slot, strings.Join(msgs, "; "))
}

// compare hashes the tables of slot in parallel and checks its sequences.
func (s *Snapshotter) compare(ctx context.Context, slot string, m *weekback.Manifest) ([]Mismatch, error) {
	present, err := mysql.Tables(ctx, s.backup, slot)
	if err != nil {
		return nil, err
	}
	tables := map[string]*mysql.Table{}
	for _, t := range present {
		tables[t.Name] = t
	}
	results := make([]*Mismatch, len(m.Tables))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(s.Parallelism)
	for i, t := range m.Tables {
		g.Go(func() error {
			mm, err := s.compareTable(gctx, slot, t, tables)
			results[i] = mm
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for _, sq := range m.Sequences {
		mm, err := s.checkSequence(ctx, slot, sq)
		if err != nil {
			return nil, err
		}
		results = append(results, mm)
	}
	var out []Mismatch
	for _, mm := range results {
		if mm != nil {
			out = append(out, *mm)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Table < out[j].Table })
	return out, nil
}

func (s *Snapshotter) compareTable(ctx context.Context, slot string, t weekback.TableInfo, tables map[string]*mysql.Table) (*Mismatch, error) {
	present, ok := tables[t.Name]
	if !ok {
		return &Mismatch{Table: t.Name, Missing: true}, nil
	}
	c := present.Copied()
	if t.History {
		c = present.HistoryColumns()
	}
	c = orderColumns(c, t.Columns)
	if c == nil {
		return &Mismatch{Table: t.Name, WantRows: t.Rows, WantHash: t.Hash, Hash: "columns differ"}, nil
	}
	return s.checkTable(ctx, slot, t, c)
}

// checkTable reads slot.t back and compares its row count and content hash
// with the manifest entry (for a versioned table copied with its history:
// its row versions, their hash, then its current rows). It returns nil when
// they match.
func (s *Snapshotter) checkTable(ctx context.Context, slot string, t weekback.TableInfo, cols []mysql.Column) (*Mismatch, error) {
	return s.checkRows(ctx, slot, t, cols, nil)
}

// checkRows is checkTable that also hands each row read back and its
// digest to each, when not nil.
func (s *Snapshotter) checkRows(ctx context.Context, slot string, t weekback.TableInfo, cols []mysql.Column, each func([][]byte, uint64)) (*Mismatch, error) {
	started := time.Now()
	conn, err := s.verifier.Connx(ctx)
	if err != nil {
		return nil, fmt.Errorf("verify table %s: %w", t.Name, err)
	}
	defer conn.Close()
	rows, hash, err := mysql.StreamDigests(ctx, conn, mysql.RowSource{Schema: slot, Table: t.Name, History: t.History}, cols, each)
	if err != nil {
		return nil, err
	}
	s.Logger.Debug("table verified", "table", t.Name, "rows", rows, "took", time.Since(started).Round(time.Millisecond))
	if !t.History {
		return rowsMismatch(t.Name, t.Rows, rows, t.Hash, hash, false), nil
	}
	if mm := rowsMismatch(t.Name, t.Versions, rows, t.Hash, hash, true); mm != nil {
		return mm, nil
	}
	current, err := mysql.CountRows(ctx, conn, slot, t.Name)
	if err != nil {
		return nil, err
	}
	return rowsMismatch(t.Name, t.Rows, current, t.Hash, t.Hash, false), nil
}

// rowsMismatch returns the mismatch of a table whose count or hash
// differs from the manifest's, or nil.
func rowsMismatch(table string, wantRows, rows int64, wantHash, hash string, versions bool) *Mismatch {
	if rows == wantRows && hash == wantHash {
		return nil
	}
	return &Mismatch{Table: table, WantRows: wantRows, Rows: rows, WantHash: wantHash, Hash: hash, Versions: versions}
}

// orderColumns returns the catalog columns named in want, in want's order,
// or nil when one is missing.
func orderColumns(have []mysql.Column, want []string) []mysql.Column {
	byName := map[string]mysql.Column{}
	for _, c := range have {
		byName[c.Name] = c
	}
	out := make([]mysql.Column, 0, len(want))
	for _, n := range want {
		c, ok := byName[n]
		if !ok {
			return nil
		}
		out = append(out, c)
	}
	return out
}

// Verify re-hashes day's served generation and compares it with its
// manifest. It returns ENOTFOUND when the day was never taken and
// EMISMATCH naming each table that differs.
func (s *Snapshotter) Verify(ctx context.Context, day weekback.Weekday) error {
	meta, err := s.AttachMeta(ctx)
	if err != nil {
		return err
	}
	g, err := meta.Generation(ctx, day)
	if err != nil {
		return err
	}
	if !g.Ready() {
		return weekback.Errorf(weekback.ENOTFOUND, "%s has no generation to verify yet: run `weekback snapshot --day %s`", day, day)
	}
	if err := s.verifySlot(ctx, g.Slot, g.Manifest); err != nil {
		return err
	}
	return meta.MarkVerified(ctx, day, g.Slot)
}
