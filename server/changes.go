package server

// Changes: what differs between two days' copies (or a day and
// production, with compare.production), per table, from package compare.
// A pair is always compared going forward in time: the copy taken
// earlier is "from", the later one "to" (production is the latest), so
// /thu/changes?against=wed and /wed/changes?against=thu show the same
// change set: rows deleted are in Wednesday's copy and not in Thursday's.

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/compare"
)

// DefaultAlertFraction is Server.AlertFraction's default.
const DefaultAlertFraction = 0.05

// changesWait is how long a page waits for a comparison before it shows
// its progress and reloads; the comparison goes on meanwhile.
const changesWait = 10 * time.Second

// changesRefresh is how often (seconds) a page waiting for a comparison
// reloads itself.
const changesRefresh = 3

// openChanges starts the change cache on a context that Close ends.
func (s *Server) openChanges() {
	ctx, stop := context.WithCancel(context.Background())
	s.stop = stop
	s.changes = newChangeCache(ctx)
	s.changes.compare = s.compareGenerations
	s.changes.onError = func(from, to *weekback.Generation, err error) {
		s.Logger.Error("compare generations", "from", from.Day, "to", to.Day, "err", err)
	}
	s.changes.store = s.ChangeSets
	s.changes.digests = s.RowDigests
	s.changes.onStoreError = func(err error) { s.Logger.Error("stored change sets", "err", err) }
	if s.built != nil { // made by New
		s.buildOnce.Do(func() { close(s.built) })
	}
	s.metrics.registry.MustRegister(&changeCollector{s: s})
}

// redaction returns the credential columns' rules.
func (s *Server) redaction() weekback.Redaction {
	return weekback.Redaction{PasswordTable: s.PasswordTable, PasswordColumn: s.PasswordColumn, Globs: s.Redact}
}

// compareGenerations compares every table of two generations.
func (s *Server) compareGenerations(ctx context.Context, from, to *weekback.Generation, progress func(compare.Progress)) ([]compare.TableChange, error) {
	c := &compare.Comparer{From: s.sideOf(from), To: s.sideOf(to), Redaction: s.redaction(), Progress: progress}
	return c.Tables(ctx, nil)
}

// changePair is what a changes page compares: two generations, or a
// generation (From) and production (Production set, To nil).
type changePair struct {
	From, To   *weekback.Generation
	Production bool
	Against    string // the against parameter as resolved: a day or "production"
}

// labels returns the names of the pair's sides as diff --json writes
// them ("wed", "production").
func (cp changePair) labels() (from, to string) {
	if cp.Production {
		return string(cp.From.Day), compare.Production
	}
	return string(cp.From.Day), string(cp.To.Day)
}

// resolvePair returns the pair of day p and the against parameter: a
// day, "production", or "" for the copy taken just before p's. ok is
// false when "" finds no earlier copy. Errors are EINVALID or ENOTFOUND
// sentences.
func (s *Server) resolvePair(c *fiber.Ctx, p *dayPage, against string) (cp changePair, ok bool, err error) {
	switch against {
	case "":
		prev := previousCopy(p.Gens, p.Gen)
		if prev == nil {
			return cp, false, nil
		}
		return changePair{From: prev, To: p.Gen, Against: string(prev.Day)}, true, nil
	case compare.Production:
		if s.Production == nil {
			return cp, false, s.errorf(c, weekback.EINVALID, "changes.production_off", "day", string(p.Gen.Day))
		}
		return changePair{From: p.Gen, Production: true, Against: against}, true, nil
	}
	day, perr := weekback.ParseWeekday(against)
	other := generationOf(p.Gens, day)
	switch {
	case perr != nil:
		return cp, false, s.errorf(c, weekback.EINVALID, "changes.against_invalid", "value", against)
	case other == nil || !other.Ready():
		return cp, false, s.errorf(c, weekback.ENOTFOUND, "changes.against_none", "weekday", s.localizer(c).Weekday(day.Time()))
	case other.Day == p.Gen.Day:
		return cp, false, s.errorf(c, weekback.EINVALID, "changes.against_same")
	}
	cp = changePair{From: other, To: p.Gen, Against: string(other.Day)}
	if other.Manifest.SnapshotAt.After(p.Gen.Manifest.SnapshotAt) {
		cp.From, cp.To = p.Gen, other
	}
	return cp, true, nil
}

// generationOf returns day's generation in gens, nil when none.
func generationOf(gens []*weekback.Generation, day weekback.Weekday) *weekback.Generation {
	for _, g := range gens {
		if g.Day == day {
			return g
		}
	}
	return nil
}

// previousCopy returns the served copy taken just before g's, nil when
// g's is the oldest.
func previousCopy(gens []*weekback.Generation, g *weekback.Generation) *weekback.Generation {
	var prev *weekback.Generation
	for _, o := range servedByTime(gens) {
		if o.Day == g.Day {
			return prev
		}
		prev = o
	}
	return nil
}

// pairTables returns the table changes of cp, waiting at most
// changesWait; done is false (with the progress so far) when the
// comparison of two generations is still running. Production is
// compared inside the request, in one consistent snapshot.
func (s *Server) pairTables(c *fiber.Ctx, cp changePair) (tables []compare.TableChange, done bool, progress *compare.Progress, err error) {
	if cp.Production {
		tables, err = s.compareProduction(c.UserContext(), cp.From, nil)
		return tables, err == nil, nil, err
	}
	e := s.changes.entry(cp.From, cp.To)
	if !e.wait(c.UserContext(), changesWait) {
		return nil, false, e.progress.Load(), nil
	}
	return e.tables, true, nil, e.err
}

// compareProduction compares g with production: every table, or names.
func (s *Server) compareProduction(ctx context.Context, g *weekback.Generation, names []string) ([]compare.TableChange, error) {
	prod, err := compare.OpenProduction(ctx, s.Production, s.ProductionSchema)
	if err != nil {
		return nil, err
	}
	defer prod.Close()
	c := &compare.Comparer{From: s.sideOf(g), To: prod, Redaction: s.redaction()}
	return c.Tables(ctx, names)
}

// biggestFirst returns tables ordered by rows moved (added + deleted +
// changed), most first, then tables whose columns or presence differ,
// then by name.
func biggestFirst(tables []compare.TableChange) []compare.TableChange {
	out := slices.Clone(tables)
	slices.SortStableFunc(out, func(a, b compare.TableChange) int {
		if c := cmp.Compare(b.Moved(), a.Moved()); c != 0 {
			return c
		}
		if a.Differs() != b.Differs() {
			if a.Differs() {
				return -1
			}
			return 1
		}
		return cmp.Compare(a.Table, b.Table)
	})
	return out
}

// dayChanges answers GET /{day}/changes?against=DAY.
func (s *Server) dayChanges(c *fiber.Ctx) error {
	against := utils.CopyString(c.Query("against"))
	p, err := s.loadDay(c, func(d weekback.Weekday) string { return changesURL(d, "") })
	if err != nil {
		return err
	}
	cp, ok, err := s.resolvePair(c, p, against)
	if err != nil {
		return err
	}
	if !ok {
		return s.renderChanges(c, p, cp, nil)
	}
	tables, done, progress, err := s.pairTables(c, cp)
	if err != nil {
		return err
	}
	if !done {
		return s.renderComparing(c, p, cp, progress, s.compareJobAction(cp))
	}
	return s.renderChanges(c, p, cp, tables)
}

// changesURL returns the address of day's changes against against ("":
// the copy before).
func changesURL(day weekback.Weekday, against string) string {
	u := "/" + string(day) + "/changes"
	if against != "" {
		u += "?against=" + against
	}
	return u
}
