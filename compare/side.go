package compare

import (
	"context"
	"fmt"
	"sync"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
)

// Production is the label of the production side.
const Production = "production"

// Side is one side of a comparison: a generation's slot on the backup
// server, or production inside one consistent snapshot. Its methods are
// safe for concurrent use.
type Side struct {
	// Label names the side in output: the day ("mon") or "production".
	Label string
	// Schema is the slot, or production's schema.
	Schema string
	// Manifest is the generation's manifest; nil for production.
	Manifest *weekback.Manifest
	// Select, when set, limits the side's tables: production's are those
	// the snapshots copy (source.include and source.exclude), so that a
	// table never copied is not reported as one production alone has.
	Select func(table string) bool
	// Digests, when set, reads the row digests the snapshots stored
	// (mysql.Meta): a table whose both generations have them is compared
	// by them instead of by its rows (Comparer.Table, Keys without
	// filters, and the keys of a page of change rows).
	Digests DigestSource

	db      *sqlx.DB
	catalog *mysql.Catalog
	mu      sync.Mutex // serializes the snapshot connection
	tx      *sqlx.Conn // production: the connection holding the snapshot

	padMu sync.Mutex
	pads  map[string][]byte // PAD SPACE collations' space weights (nil: NO PAD), by collation

	wholeLists sync.Map // table name → true: its row digests were read whole once (they never change)
}

// GenerationSide returns the side of generation g (which must be ready),
// read through db: a pool of the backup server opened with
// mysql.RoleSource (the reader account is enough).
func GenerationSide(db *sqlx.DB, g *weekback.Generation) *Side {
	return &Side{Label: string(g.Day), Schema: g.Slot, Manifest: g.Manifest, db: db, catalog: mysql.NewCatalog()}
}

// SchemaSide returns a side reading schema through db (opened with
// mysql.RoleSource) without a manifest: every table is read. label names
// it in output.
func SchemaSide(db *sqlx.DB, label, schema string) *Side {
	return &Side{Label: label, Schema: schema, db: db, catalog: mysql.NewCatalog()}
}

// OpenProduction starts one consistent, read-only snapshot of schema on a
// connection of db (a pool of source.dsn opened with mysql.RoleSource):
// every table is read inside it, so a writer committing meanwhile is seen
// either wholly or not at all. Close ends it. It returns an EUNAVAILABLE
// *weekback.Error when no connection can be had and a wrapped error when
// the snapshot cannot start.
func OpenProduction(ctx context.Context, db *sqlx.DB, schema string) (*Side, error) {
	conn, err := db.Connx(ctx)
	if err != nil {
		return nil, weekback.Errorf(weekback.EUNAVAILABLE, "cannot connect to production (source.dsn): %v; check that it answers", err)
	}
	_, err = conn.ExecContext(ctx, mysql.Tag+"SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ")
	if err == nil {
		_, err = conn.ExecContext(ctx, mysql.Tag+"START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY")
	}
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("start a consistent snapshot of production: %w", err)
	}
	return &Side{Label: Production, Schema: schema, db: db, catalog: mysql.NewCatalog(), tx: conn}, nil
}

// Close ends production's snapshot; it does nothing for a generation.
func (s *Side) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tx == nil {
		return nil
	}
	s.tx.ExecContext(context.Background(), mysql.Tag+"ROLLBACK")
	err := s.tx.Close()
	s.tx = nil
	return err
}

// conn returns a connection to read s with, whether it holds the
// snapshot's transaction, and what to call when done with it (the
// snapshot's connection is used by one reader at a time).
func (s *Side) conn(ctx context.Context) (*sqlx.Conn, bool, func(), error) {
	if s.tx != nil {
		s.mu.Lock()
		if s.tx == nil {
			s.mu.Unlock()
			return nil, false, nil, fmt.Errorf("production's snapshot is closed")
		}
		return s.tx, true, s.mu.Unlock, nil
	}
	c, err := s.db.Connx(ctx)
	if err != nil {
		return nil, false, nil, fmt.Errorf("connect to the backup server: %w", err)
	}
	return c, false, func() { c.Close() }, nil
}

// TableNames returns the base tables of s, by name.
func (s *Side) TableNames(ctx context.Context) ([]string, error) {
	if s.Manifest != nil {
		names := make([]string, len(s.Manifest.Tables))
		for i, t := range s.Manifest.Tables {
			names[i] = t.Name
		}
		return s.selected(names), nil
	}
	conn, _, release, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	var names []string
	err = sqlx.SelectContext(ctx, conn, &names, mysql.Tag+`SELECT TABLE_NAME FROM information_schema.TABLES
		WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME`, s.Schema)
	if err != nil {
		return nil, fmt.Errorf("list tables of %s: %w", s.Label, err)
	}
	return s.selected(names), nil
}

func (s *Side) selected(names []string) []string {
	if s.Select == nil {
		return names
	}
	var out []string
	for _, n := range names {
		if s.Select(n) {
			out = append(out, n)
		}
	}
	return out
}

// table returns name's catalog entry on s, nil when s has no such table.
func (s *Side) table(ctx context.Context, name string) (*mysql.RecordTable, error) {
	if s.Manifest != nil && s.Manifest.Table(name) == nil || s.Select != nil && !s.Select(name) {
		return nil, nil
	}
	conn, _, release, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	t, err := s.catalog.Table(ctx, conn, s.Schema, name)
	if weekback.ErrorCode(err) == weekback.ENOTFOUND {
		return nil, nil
	}
	return t, err
}

// padWeight returns mysql.PadWeight of c, asking the server once per
// collation.
func (s *Side) padWeight(ctx context.Context, c *mysql.RecordColumn) ([]byte, error) {
	id := c.Charset + " " + c.Collation
	s.padMu.Lock()
	w, ok := s.pads[id]
	s.padMu.Unlock()
	if ok {
		return w, nil
	}
	conn, _, release, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	if w, err = mysql.PadWeight(ctx, conn, c); err != nil {
		return nil, err
	}
	s.padMu.Lock()
	if s.pads == nil {
		s.pads = map[string][]byte{}
	}
	s.pads[id] = w
	s.padMu.Unlock()
	return w, nil
}
