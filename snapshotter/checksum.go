package snapshotter

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback/mysql"
)

// A copied table is proven equal to the source in one of two ways. The
// cheap one: the LOAD DATA stored as many rows as were streamed, and
// CHECKSUM TABLE gives the same value on the source (inside the snapshot
// transaction, so it sees the rows streamed) and in the slot. CHECKSUM
// TABLE sums a CRC32 of every row's stored fields; it costs the server a
// scan of the clustered index and sends one row, where reading the table
// back costs the scan, the text form of every value and the network. It
// is only trusted when both servers report the same VERSION() and the
// table is InnoDB (consistent under the snapshot): then equal stored rows
// read back as equal text, which is what the manifest's hash covers. In
// every other case, and whenever the checksums differ, the table is read
// back and hashed (Snapshotter.checkTable), which names the difference.

// sameServer reports whether the backup server runs the source's exact
// version (plan.Server), the condition for trusting CHECKSUM TABLE.
func (r *run) sameServer(ctx context.Context) bool {
	v, err := mysql.ServerVersion(ctx, r.s.backup)
	if err != nil {
		r.s.Logger.Debug("cannot read the backup server's version; every table is read back", "err", err)
		return false
	}
	return v != "" && v == r.plan.Server
}

// checksumProof reports whether t is proven copied by its checksums:
// loaded (the rows the LOAD DATA stored) equals rows (streamed), and
// CHECKSUM TABLE agrees on src (a snapshot connection) and dst. false
// means not proven: the caller reads the table back. Only a cancelled
// context is an error.
func (r *run) checksumProof(ctx context.Context, src, dst *sqlx.Conn, t *tablePlan, loaded, rows int64) (bool, error) {
	if !r.checksums || t.History || t.Engine != "InnoDB" || loaded != rows {
		return false, nil
	}
	same, err := sameChecksum(ctx, src, dst, r.s.sourceSchema, r.slot, t.Name)
	switch {
	case ctx.Err() != nil:
		return false, ctx.Err()
	case err != nil:
		r.s.Logger.Debug("checksum unavailable; reading the table back", "table", t.Name, "err", err)
		return false, nil
	case !same:
		r.s.Logger.Debug("checksums differ; reading the table back", "table", t.Name)
	}
	return same, nil
}

// sameChecksum reports whether CHECKSUM TABLE gives the same non-NULL
// value for srcSchema.table on src and dstSchema.table on dst.
func sameChecksum(ctx context.Context, src, dst *sqlx.Conn, srcSchema, dstSchema, table string) (bool, error) {
	want, err := tableChecksum(ctx, src, srcSchema, table)
	if err != nil {
		return false, err
	}
	got, err := tableChecksum(ctx, dst, dstSchema, table)
	if err != nil {
		return false, err
	}
	return want.Valid && got.Valid && want.Int64 == got.Int64, nil
}

// tableChecksum returns CHECKSUM TABLE of schema.table; NULL when the
// server could not compute it.
func tableChecksum(ctx context.Context, c *sqlx.Conn, schema, table string) (sql.NullInt64, error) {
	var name string
	var sum sql.NullInt64
	err := c.QueryRowxContext(ctx, mysql.Tag+"CHECKSUM TABLE "+mysql.QuoteTable(schema, table)).Scan(&name, &sum)
	if err != nil {
		return sum, fmt.Errorf("checksum table %s.%s: %w", schema, table, err)
	}
	return sum, nil
}
