package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/weekback/weekback"
)

// maxChangeSet bounds a stored change set's JSON (bytes): a schema of
// thousands of tables stays well under it.
const maxChangeSet = 16 << 20

var _ weekback.ChangeSetStore = (*Meta)(nil)

// ChangeSet returns the stored change set of the slots from and to, nil
// when there is none. It is safe for concurrent use.
func (m *Meta) ChangeSet(ctx context.Context, from, to string) (*weekback.ChangeSet, error) {
	cs := &weekback.ChangeSet{From: from, To: to}
	err := m.db.QueryRowxContext(ctx, Tag+"SELECT engine, tables_json, computed_at FROM "+m.table("change_sets")+
		" WHERE from_slot = ? AND to_slot = ?", from, to).Scan(&cs.Engine, &cs.Tables, &cs.ComputedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read change set %s..%s: %w", from, to, err)
	}
	return cs, nil
}

// PutChangeSet stores cs (ComputedAt set to now when zero), replacing the
// pair's previous one (REPLACE: the reader account needs INSERT and
// DELETE, not UPDATE), then deletes the change sets of slots that no
// generation points at (replaced or discarded copies). It returns an
// EINVALID error when cs is larger than the store takes. It is safe for
// concurrent use.
func (m *Meta) PutChangeSet(ctx context.Context, cs *weekback.ChangeSet) error {
	if len(cs.Tables) > maxChangeSet {
		return weekback.Errorf(weekback.EINVALID, "the change set of %s..%s is %d bytes, more than %d", cs.From, cs.To, len(cs.Tables), maxChangeSet)
	}
	at := cs.ComputedAt
	if at.IsZero() {
		at = m.now()
	}
	_, err := m.exec(ctx, Tag+"REPLACE INTO "+m.table("change_sets")+
		" (from_slot, to_slot, engine, tables_json, computed_at) VALUES (?, ?, ?, ?, ?)",
		cs.From, cs.To, cs.Engine, cs.Tables, at.UTC())
	if err != nil {
		return fmt.Errorf("store change set %s..%s: %w", cs.From, cs.To, err)
	}
	_, err = m.PurgeChangeSets(ctx)
	return err
}

// PurgeChangeSets deletes the change sets of which a slot is no longer
// any generation's and returns how many. It is safe for concurrent use.
func (m *Meta) PurgeChangeSets(ctx context.Context) (int64, error) {
	served := "SELECT slot FROM " + m.table("generations") + " WHERE slot IS NOT NULL"
	res, err := m.exec(ctx, Tag+"DELETE FROM "+m.table("change_sets")+
		" WHERE from_slot NOT IN ("+served+") OR to_slot NOT IN ("+served+")")
	if err != nil {
		return 0, fmt.Errorf("purge change sets: %w", err)
	}
	n, _ := res.RowsAffected() // always known to the driver
	return n, nil
}
