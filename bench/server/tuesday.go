package main

import (
	"context"
	"fmt"

	"github.com/weekback/weekback/bench/dataset"
)

// The change between Monday and Tuesday, as bench/compare's: the total of
// every hundredth order grows by markTotal (no generated total reaches
// it), and addedCustomers customers come after the generated ones.
const (
	markTotal      = 1_000_000
	addedCustomers = 1000
)

// prepareTuesday generates (or reuses) Tuesday's source, the same dataset
// as Monday's (generated alike, so equal row for row), and applies the
// change; both steps leave a schema that already has it as it was.
func (b *bench) prepareTuesday(ctx context.Context, tueSchema string) error {
	if err := dataset.Generate(ctx, b.DB, tueSchema, b.o.scale, logf); err != nil {
		return err
	}
	res, err := b.DB.ExecContext(ctx, fmt.Sprintf("UPDATE %s SET total = total + %d WHERE id %% 100 = 37 AND total < %d",
		qualify(tueSchema, "orders"), markTotal, markTotal))
	if err != nil {
		return fmt.Errorf("change Tuesday's orders: %w", err)
	}
	changed, _ := res.RowsAffected()
	first := dataset.RowCounts(b.o.scale)["customers"] + 1
	res, err = b.DB.ExecContext(ctx, fmt.Sprintf(`INSERT IGNORE INTO %s (id, name, email, phone, created_at, notes)
		SELECT seq, CONCAT('Bench customer ', seq), CONCAT('bench.', seq, '@example.jp'), NULL, '2026-12-01 09:00:00', NULL
		FROM %s`, qualify(tueSchema, "customers"), qualify(tueSchema, fmt.Sprintf("seq_%d_to_%d", first, first+addedCustomers-1))))
	if err != nil {
		return fmt.Errorf("add Tuesday's customers: %w", err)
	}
	added, _ := res.RowsAffected()
	logf("Tuesday's source %s: %d orders changed, %d customers added (0 when an earlier run did)", tueSchema, changed, added)
	return nil
}
