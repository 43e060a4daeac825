package main

import (
	"context"
	"fmt"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/compare"
	"github.com/weekback/weekback/export"
	"github.com/weekback/weekback/mysql"
)

// exportAgainst is `export --missing-in X` (the day's rows whose key X
// lacks: kind deleted from the day to X) or `--changed-in X` (the day's
// version of rows X holds with other values: kind changed).
type exportAgainst struct {
	flag  string
	label string
	other weekback.Weekday // "" is production
	kind  compare.Kind
	s     sides
}

func parseAgainst(missingIn, changedIn string) (*exportAgainst, error) {
	switch {
	case missingIn != "" && changedIn != "":
		return nil, usagef("--missing-in and --changed-in exclude each other: export one, then the other")
	case missingIn != "":
		other, err := parseOther("--missing-in", missingIn)
		return &exportAgainst{flag: "--missing-in", label: missingIn, other: other, kind: compare.Deleted}, err
	case changedIn != "":
		other, err := parseOther("--changed-in", changedIn)
		return &exportAgainst{flag: "--changed-in", label: changedIn, other: other, kind: compare.Changed}, err
	}
	return nil, nil
}

// keys compares day with the other side and returns the keys of the rows
// to export (q's filters already applied to the day's version).
func (e *exportAgainst) keys(ctx context.Context, a *app, day weekback.Weekday, q mysql.RecordQuery) (*export.KeySet, error) {
	if e.other == day {
		return nil, usagef("%s %s compares %s with itself: name another day or production", e.flag, e.label, day)
	}
	if err := e.s.open(ctx, a.cfg, day, e.other, false); err != nil {
		return nil, err
	}
	e.s.c.Progress = progressPrinter(a)
	keys := export.NewKeySet()
	err := e.s.c.Keys(ctx, compare.RowQuery{Table: q.Table, Kind: e.kind, Filters: q.Filters}, func(key []string) error {
		keys.Add(key)
		return nil
	})
	if err != nil {
		return nil, err
	}
	// production's snapshot is not needed any more
	e.s.close()
	e.s = sides{}
	a.logger.Info(fmt.Sprintf("rows %s %s", map[compare.Kind]string{compare.Deleted: "missing in", compare.Changed: "changed in"}[e.kind], e.label),
		"day", day, "table", q.Table, "rows", keys.Len())
	return keys, nil
}
