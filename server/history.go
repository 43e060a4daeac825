package server

// History: one record on each day of the week, oldest copy first (by
// snapshot time, not Monday to Sunday), found by its key in each day's
// slot. Each copy is compared with the one taken just before it, column
// by column by name (a column added or dropped between two days is a
// change of that column): present (the oldest copy), added, unchanged,
// changed (which columns, old → new), deleted, or absent. Credential
// columns are never read, so they take no part here.

import (
	"bytes"
	"context"
	"encoding/json"
	"sort"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"
	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
)

// States of a record on one day of its history.
const (
	statePresent   = "present"   // in the oldest copy that has it, nothing before to compare with
	stateAdded     = "added"     // absent from the copy before
	stateUnchanged = "unchanged" // the same as in the copy before
	stateChanged   = "changed"   // some columns differ from the copy before
	stateDeleted   = "deleted"   // in the copy before, not in this one
	stateAbsent    = "absent"    // in neither
	stateNoCopy    = "no_copy"   // the day has no served copy
)

// recordVersion is a record as one day's copy holds it: page is nil when
// the copy lacks it (tableMissing when it lacks the whole table).
type recordVersion struct {
	gen          *weekback.Generation
	page         *mysql.Page
	tableMissing bool
}

// historyDay is one day of a record's history.
type historyDay struct {
	Day          weekback.Weekday `json:"day"`
	SnapshotAt   string           `json:"snapshot_at,omitempty"` // RFC 3339
	State        string           `json:"state"`
	TableMissing bool             `json:"table_missing,omitempty"`
	URL          string           `json:"url,omitempty"` // the record on that day, when it has it
	Changes      []fieldChange    `json:"changes,omitempty"`
	Current      bool             `json:"current,omitempty"`
	Name         string           `json:"-"` // the day's name
	When         string           `json:"-"` // the snapshot time, formatted
	StateText    string           `json:"-"`
}

// fieldChange is one column that differs between two copies of a record.
type fieldChange struct {
	Column     string          `json:"column"`
	Old        json.RawMessage `json:"old"` // null for NULL or a column the copy lacks
	New        json.RawMessage `json:"new"`
	OldMissing bool            `json:"old_missing,omitempty"` // the older copy has no such column
	NewMissing bool            `json:"new_missing,omitempty"`
	OldCell    cellView        `json:"-"`
	NewCell    cellView        `json:"-"`
}

// servedByTime returns the generations of gens that have a served copy,
// oldest snapshot first.
func servedByTime(gens []*weekback.Generation) []*weekback.Generation {
	var out []*weekback.Generation
	for _, g := range gens {
		if g.Ready() {
			out = append(out, g)
		}
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].Manifest.SnapshotAt.Before(out[b].Manifest.SnapshotAt) })
	return out
}

// recordKey reads {table} and {key} of the address.
func (s *Server) recordKey(c *fiber.Ctx) (table string, key []string, err error) {
	if table, err = tableParam(c); err != nil {
		return "", nil, err
	}
	key, err = mysql.ParseRowKey(utils.CopyString(c.Params("key")))
	return table, key, err
}

// recordHistory answers GET /{day}/tables/{table}/rows/{key}/history.
func (s *Server) recordHistory(c *fiber.Ctx) error {
	table, key, err := s.recordKey(c)
	if err != nil {
		return s.withBanner(c, table, recordsQuery{}, err)
	}
	canon := mysql.FormatRowKey(key)
	p, err := s.loadDay(c, func(d weekback.Weekday) string { return historyURL(d, table, canon) })
	if err != nil {
		return err
	}
	var versions []recordVersion
	err = s.withSlot(c, func(conn *sqlx.Conn) error {
		versions, err = s.recordVersions(c.UserContext(), conn, servedByTime(p.Gens), table, key)
		return err
	})
	if err != nil {
		return err
	}
	if !anyPresent(versions) && p.Gen.Manifest.Table(table) == nil {
		return s.checkTable(c, p.Gen.Manifest, table)
	}
	return s.renderHistory(c, p, table, key, s.historyDays(c, p, versions, table, canon))
}

// historyURL returns the address of a record's history on day.
func historyURL(day weekback.Weekday, table, canonKey string) string {
	return tableURL(day, table) + "/rows/" + canonKey + "/history"
}

func anyPresent(versions []recordVersion) bool {
	for _, v := range versions {
		if v.page != nil {
			return true
		}
	}
	return false
}

// recordVersions looks the record up in each of gens (in their order).
func (s *Server) recordVersions(ctx context.Context, conn *sqlx.Conn, gens []*weekback.Generation, table string, key []string) ([]recordVersion, error) {
	out := make([]recordVersion, 0, len(gens))
	for _, g := range gens {
		v := recordVersion{gen: g, tableMissing: g.Manifest.Table(table) == nil}
		if !v.tableMissing {
			page, err := s.lookupRecord(ctx, conn, g.Slot, table, key)
			if err != nil {
				return nil, err
			}
			v.page = page
		}
		out = append(out, v)
	}
	return out, nil
}

// lookupRecord returns the record of table with key in slot, nil when
// the slot has no such record (or its table has no key).
func (s *Server) lookupRecord(ctx context.Context, conn *sqlx.Conn, slot, table string, key []string) (*mysql.Page, error) {
	masked, err := s.masked(ctx, conn, slot, table)
	if err != nil {
		return nil, err
	}
	q := mysql.RecordQuery{Schema: slot, Table: table, Masked: masked, MaxValueLen: recordValueLen}
	page, err := s.Catalog.Record(ctx, conn, q, key)
	if weekback.ErrorCode(err) == weekback.ENOTFOUND {
		return nil, nil
	}
	return page, err
}

// historyDays returns the days of a record's history: the served copies
// in versions' order, then the days without one.
func (s *Server) historyDays(c *fiber.Ctx, p *dayPage, versions []recordVersion, table, canon string) []historyDay {
	l := s.localizer(c)
	var out []historyDay
	var prev *mysql.Page
	for i, v := range versions {
		at := v.gen.Manifest.SnapshotAt.In(s.Location)
		d := historyDay{Day: v.gen.Day, SnapshotAt: at.Format(time.RFC3339), TableMissing: v.tableMissing, Current: v.gen.Day == p.Gen.Day}
		d.State, d.Changes = versionState(i == 0, prev, v.page)
		if v.page != nil {
			d.URL = tableURL(v.gen.Day, table) + "/rows/" + canon
		}
		d.Name, d.When = l.Weekday(v.gen.Day.Time()), l.DateTime(at, s.Location)
		d.StateText = l.T("history.state." + d.State)
		out = append(out, d)
		prev = v.page
	}
	for _, g := range p.Gens {
		if !g.Ready() {
			out = append(out, historyDay{Day: g.Day, State: stateNoCopy, Name: l.Weekday(g.Day.Time()), StateText: l.T("history.state." + stateNoCopy)})
		}
	}
	return out
}

// versionState compares a copy of the record (cur, nil when absent) with
// the one before it (prev); first is the oldest copy.
func versionState(first bool, prev, cur *mysql.Page) (string, []fieldChange) {
	switch {
	case cur == nil && prev == nil:
		return stateAbsent, nil
	case cur == nil:
		return stateDeleted, nil
	case first:
		return statePresent, nil
	case prev == nil:
		return stateAdded, nil
	}
	changes := diffRecords(prev, cur)
	if len(changes) == 0 {
		return stateUnchanged, nil
	}
	return stateChanged, changes
}

// diffRecords returns the columns whose values differ between the
// one-row pages a and b: those of b in its order, then those only a has.
// Masked columns are skipped (never read).
func diffRecords(a, b *mysql.Page) []fieldChange {
	var out []fieldChange
	for i, col := range b.Columns {
		j := columnIndex(a.Columns, col.Name)
		if col.Masked || j >= 0 && a.Columns[j].Masked {
			continue
		}
		nv := b.Rows[0].Values[i]
		fc := fieldChange{Column: col.Name, New: rawValue(col, nv), NewCell: cellOf(col, nv)}
		if j < 0 {
			fc.OldMissing, fc.Old = true, json.RawMessage("null")
		} else if ov := a.Rows[0].Values[j]; !sameValue(ov, nv) {
			fc.Old, fc.OldCell = rawValue(a.Columns[j], ov), cellOf(a.Columns[j], ov)
		} else {
			continue
		}
		out = append(out, fc)
	}
	for j, col := range a.Columns {
		if !col.Masked && columnIndex(b.Columns, col.Name) < 0 {
			ov := a.Rows[0].Values[j]
			out = append(out, fieldChange{Column: col.Name, Old: rawValue(col, ov), OldCell: cellOf(col, ov),
				New: json.RawMessage("null"), NewMissing: true})
		}
	}
	return out
}

func columnIndex(cols []mysql.RecordColumn, name string) int {
	for i, c := range cols {
		if strings.EqualFold(c.Name, name) {
			return i
		}
	}
	return -1
}

// sameValue reports whether two values read from a record page are the
// same: NULL-ness, bytes and whole size (a value cut after the page's
// length compares its first part and its size).
func sameValue(a, b mysql.Value) bool {
	return a.Null == b.Null && a.Size == b.Size && a.Truncated == b.Truncated && bytes.Equal(a.Bytes, b.Bytes)
}

// rawValue returns v, a value of col, as JSON (as a records page's JSON
// writes it).
func rawValue(col mysql.RecordColumn, v mysql.Value) json.RawMessage {
	return appendJSONValue(nil, col, v)
}
