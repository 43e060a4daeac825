package main

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/compare"
	"github.com/weekback/weekback/config"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/snapshotter"
)

// sides is what `diff` and `export --missing-in/--changed-in` compare
// with: a day's generation and another day's, or production inside one
// consistent snapshot.
type sides struct {
	r    slotReader
	raw  *sqlx.DB // slot rows as stored (RoleSource)
	prod *sqlx.DB // production (source.dsn), when compared with
	c    *compare.Comparer
}

// parseOther reads --to / --missing-in / --changed-in: a day or
// "production"; "" for production.
func parseOther(flag, s string) (weekback.Weekday, error) {
	if s == compare.Production {
		return "", nil
	}
	d, err := weekback.ParseWeekday(s)
	if err != nil {
		return "", usagef("%s %q: use a day (mon … sun) or production", flag, s)
	}
	return d, nil
}

// redaction returns the credential columns of cfg: never shown or
// exported.
func redaction(cfg *config.Config) weekback.Redaction {
	return weekback.Redaction{PasswordTable: cfg.Auth.Table, PasswordColumn: cfg.Auth.PasswordColumn, Globs: cfg.Exports.Redact}
}

// open connects and builds the comparer of from with to ("" is
// production). withRows also opens the RoleExport pool of exports.
func (s *sides) open(ctx context.Context, cfg *config.Config, from, to weekback.Weekday, withRows bool) error {
	if err := s.r.open(ctx, cfg, withRows); err != nil {
		return err
	}
	dsn, key := readerDSN(cfg)
	var err error
	if s.raw, err = mysql.Open(ctx, dsn, key, mysql.RoleSource); err != nil {
		return err
	}
	s.c = &compare.Comparer{Redaction: redaction(cfg)}
	if s.c.From, err = s.generation(ctx, from); err != nil {
		return err
	}
	if to == "" {
		s.c.To, err = s.production(ctx, cfg)
	} else {
		s.c.To, err = s.generation(ctx, to)
	}
	return err
}

func (s *sides) generation(ctx context.Context, day weekback.Weekday) (*compare.Side, error) {
	g, err := s.r.generation(ctx, day)
	if err != nil {
		return nil, err
	}
	side := compare.GenerationSide(s.raw, g)
	side.Digests = s.r.meta
	return side, nil
}

func (s *sides) production(ctx context.Context, cfg *config.Config) (*compare.Side, error) {
	if cfg.Source.DSN == "" {
		return nil, usagef("comparing with production needs source.dsn: set it in weekback.yaml or WEEKBACK_SOURCE_DSN")
	}
	dcfg, err := mysql.Config(cfg.Source.DSN, "source.dsn", mysql.RoleSource)
	if err != nil {
		return nil, err
	}
	if s.prod, err = mysql.Open(ctx, cfg.Source.DSN, "source.dsn", mysql.RoleSource); err != nil {
		return nil, err
	}
	side, err := compare.OpenProduction(ctx, s.prod, dcfg.DBName)
	if err != nil {
		return nil, err
	}
	side.Select = func(table string) bool { return snapshotter.Selected(cfg.Source.Include, cfg.Source.Exclude, table) }
	return side, nil
}

// progress shows a comparison's progress on w every few seconds.
func progressPrinter(a *app) func(compare.Progress) {
	last := time.Time{}
	return func(p compare.Progress) {
		if time.Since(last) < 2*time.Second && p.TablesDone != p.Tables {
			return
		}
		last = time.Now()
		switch {
		case p.Tables > 0:
			fmt.Fprintf(a.env.Stderr, "compare: %d/%d tables (%s done)\n", p.TablesDone, p.Tables, p.Table)
		case p.TableRows > 0:
			fmt.Fprintf(a.env.Stderr, "compare: %s %d/%d rows (%.0f %%)\n", p.Table, p.Rows, p.TableRows, 100*float64(p.Rows)/float64(p.TableRows))
		default:
			fmt.Fprintf(a.env.Stderr, "compare: %s %d rows\n", p.Table, p.Rows)
		}
	}
}

// close ends production's snapshot and closes the pools.
func (s *sides) close() {
	if s.c != nil {
		for _, side := range []*compare.Side{s.c.From, s.c.To} {
			if side != nil {
				side.Close()
			}
		}
	}
	for _, db := range []*sqlx.DB{s.raw, s.prod} {
		if db != nil {
			db.Close()
		}
	}
	s.r.close()
}
