package snapshotter

import (
	"context"
	"errors"
	"fmt"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
)

// verifyCopy reads table t back from the slot and checks it against info
// (checkTable). While it reads, it writes the table's row digests to the
// meta schema when the table's key allows (mysql/digests.go) and, once
// verified, records them in info.Digests: comparisons of two days then
// merge the lists instead of reading both tables. A list that cannot be
// written (rows not in key order) is deleted and the table is compared
// by its rows, as before.
func (r *run) verifyCopy(ctx context.Context, info *weekback.TableInfo, t *tablePlan) (*Mismatch, error) {
	cols := t.columns()
	dw, rd, err := r.digestWriter(ctx, info, cols)
	if err != nil {
		return nil, err
	}
	var each func([][]byte, uint64)
	if dw != nil {
		each = dw.Add
	}
	mm, err := r.s.checkRows(ctx, r.slot, *info, cols, each)
	if err != nil || mm != nil || dw == nil {
		return mm, err
	}
	rd.Parts, rd.Bytes, err = dw.Close()
	if err != nil {
		log := r.s.Logger.Warn // the meta schema refused a part (max_allowed_packet?)
		if errors.Is(err, mysql.ErrDigestKeys) {
			log = r.s.Logger.Debug // an Aria table, a key that is not the clustered one
		}
		log("no row digests for the table; comparisons read its rows", "table", info.Name, "why", err)
		return nil, r.s.meta.DeleteRowDigests(ctx, r.slot, info.Name)
	}
	info.Digests = rd
	return nil, nil
}

// digestWriter returns the writer of info's row digests and their
// description, or nils when the table cannot have them (a versioned
// table's history, a table without a key, or a key not all integers) or
// has fewer rows than DigestMinRows.
func (r *run) digestWriter(ctx context.Context, info *weekback.TableInfo, cols []mysql.Column) (*mysql.DigestWriter, *weekback.RowDigests, error) {
	if info.History || info.Rows < r.s.DigestMinRows {
		return nil, nil, nil
	}
	rt, err := r.catalog.Table(ctx, r.s.backup, r.slot, info.Name)
	if err != nil {
		return nil, nil, fmt.Errorf("read the key of %s: %w", info.Name, err)
	}
	pos, unsigned, ok := mysql.DigestKey(cols, rt.Key)
	if !ok {
		return nil, nil, nil
	}
	flush := func(part int, data []byte) error {
		return r.s.meta.PutRowDigests(ctx, r.slot, info.Name, part, data)
	}
	return mysql.NewDigestWriter(pos, unsigned, flush), &weekback.RowDigests{Key: rt.Key, Unsigned: unsigned}, nil
}
