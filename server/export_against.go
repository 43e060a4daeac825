package server

// missing_in= and changed_in= on export.csv and background exports: the
// day's rows whose key another day (or production, with
// compare.production) lacks, or holds with other values — exactly the
// rows a table's changes page lists, in any export profile. The keys come
// from package compare (the day is From, the other side To; the filters
// select by the day's version), then the export writes the day's rows
// with those keys.

import (
	"context"
	"io"

	"github.com/jmoiron/sqlx"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/compare"
	"github.com/weekback/weekback/export"
	"github.com/weekback/weekback/mysql"
)

// exportAgainst is an export narrowed by missing_in or changed_in.
type exportAgainst struct {
	Param string       // "missing_in" or "changed_in"
	Other string       // a day or "production"
	Kind  compare.Kind // Deleted (missing in Other) or Changed
}

// parseAgainst reads missing_in and changed_in (one at most); nil when
// neither is set.
func parseAgainst(c *fiber.Ctx) (*exportAgainst, error) {
	missing, changed := utils.CopyString(c.Query("missing_in")), utils.CopyString(c.Query("changed_in"))
	switch {
	case missing != "" && changed != "":
		return nil, weekback.Errorf(weekback.EINVALID, "missing_in and changed_in exclude each other: export one, then the other").
			WithKey("export.against_both")
	case missing != "":
		return &exportAgainst{Param: "missing_in", Other: missing, Kind: compare.Deleted}, nil
	case changed != "":
		return &exportAgainst{Param: "changed_in", Other: changed, Kind: compare.Changed}, nil
	}
	return nil, nil
}

// againstOf returns the narrowing of a background export's parameters.
func againstOf(p weekback.JobParams) *exportAgainst {
	switch {
	case p.MissingIn != "":
		return &exportAgainst{Param: "missing_in", Other: p.MissingIn, Kind: compare.Deleted}
	case p.ChangedIn != "":
		return &exportAgainst{Param: "changed_in", Other: p.ChangedIn, Kind: compare.Changed}
	}
	return nil
}

// setParams puts a (nil: nothing) into a background export's parameters.
func (a *exportAgainst) setParams(p *weekback.JobParams) {
	switch {
	case a == nil:
	case a.Kind == compare.Deleted:
		p.MissingIn = a.Other
	default:
		p.ChangedIn = a.Other
	}
}

// String returns the narrowing as its parameter ("missing_in=thu").
func (a *exportAgainst) String() string { return a.Param + "=" + a.Other }

// exportKeys returns the keys of table's rows in gen, matching filters,
// that a's other side lacks (or holds with other values). Errors a user
// can fix are *weekback.Error sentences with catalog keys.
func (s *Server) exportKeys(ctx context.Context, gens []*weekback.Generation, gen *weekback.Generation, table string,
	a *exportAgainst, filters []weekback.Filter) (*export.KeySet, error) {
	to, done, err := s.otherSide(ctx, gens, gen, a.Other)
	if err != nil {
		return nil, err
	}
	defer done()
	c := &compare.Comparer{From: s.sideOf(gen), To: to, Redaction: s.redaction()}
	keys := export.NewKeySet()
	err = c.Keys(ctx, compare.RowQuery{Table: table, Kind: a.Kind, Filters: filters}, func(k []string) error {
		keys.Add(k)
		return nil
	})
	return keys, err
}

// otherSide returns the side other names ("production" or a day other
// than gen's) and what to call when done with it.
func (s *Server) otherSide(ctx context.Context, gens []*weekback.Generation, gen *weekback.Generation, other string) (*compare.Side, func(), error) {
	if other == compare.Production {
		if s.Production == nil {
			return nil, nil, weekback.Errorf(weekback.EINVALID, "this server does not compare with production: use weekback export --missing-in production").
				WithKey("changes.production_off", "day", string(gen.Day))
		}
		prod, err := compare.OpenProduction(ctx, s.Production, s.ProductionSchema)
		if err != nil {
			return nil, nil, err
		}
		return prod, func() { prod.Close() }, nil
	}
	day, err := weekback.ParseWeekday(other)
	if err != nil {
		return nil, nil, weekback.Errorf(weekback.EINVALID, "%q is not a day: use mon … sun or production", other).
			WithKey("changes.against_invalid", "value", other)
	}
	g := generationOf(gens, day)
	switch {
	case g == nil || !g.Ready():
		return nil, nil, weekback.Errorf(weekback.ENOTFOUND, "there is no copy of %s to compare with", day.Title()).
			WithKey("changes.against_none", "weekday", day.Time())
	case g.Day == gen.Day:
		return nil, nil, weekback.Errorf(weekback.EINVALID, "pick another day to compare with than this one").WithKey("changes.against_same")
	}
	return s.sideOf(g), func() {}, nil
}

// sideOf returns the comparison side of generation g (through the change
// cache, which keeps its catalog, once the server is open).
func (s *Server) sideOf(g *weekback.Generation) *compare.Side {
	if s.changes == nil {
		side := compare.GenerationSide(s.Slots, g)
		side.Digests = s.RowDigests
		return side
	}
	return s.changes.side(s.Slots, g)
}

// JobKeys returns the keys a background export with missing_in or
// changed_in writes (jobs.Runner.Keys), nil when it has neither. It reads
// the generations now. Errors as exportKeys.
func (s *Server) JobKeys(ctx context.Context, gen *weekback.Generation, p weekback.JobParams) (*export.KeySet, error) {
	a := againstOf(p)
	if a == nil {
		return nil, nil
	}
	gens, err := s.Generations.Generations(ctx)
	if err != nil {
		return nil, err
	}
	return s.exportKeys(ctx, gens, gen, p.Table, a, p.Filters)
}

// runExport writes q as CSV: every matching row, or only those whose key
// is in keys when set.
func (s *Server) runExport(ctx context.Context, conn *sqlx.Conn, q mysql.RecordQuery, keys *export.KeySet, w io.Writer,
	opts export.CSVOptions) (*export.ExportResult, error) {
	if keys != nil {
		return export.ExportKeysCSV(ctx, conn, s.Catalog, q, keys, w, opts, nil)
	}
	return export.ExportCSV(ctx, conn, s.Catalog, q, w, opts, nil)
}

// describe returns the export's audit detail.
func (er *exportRequest) describe() string {
	d := export.Describe(er.query, er.csv)
	if er.against != nil {
		d += " " + er.against.String()
	}
	return d
}
