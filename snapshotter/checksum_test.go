package snapshotter

import (
	"context"
	"fmt"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback/mysql/mysqltest"
)

// TestSameChecksumDetectsDamage copies a table and checks that the
// checksum proof accepts the exact copy and rejects it once one value is
// changed, one row is deleted or two rows swap a value; the snapshot then
// reads the table back, which names the difference.
func TestSameChecksumDetectsDamage(t *testing.T) {
	ctx := context.Background()
	db := mysqltest.MustOpen(t)
	src := mysqltest.MustCreateSchema(t, db, "wbt_cks_")
	dst := mysqltest.MustCreateSchema(t, db, "wbt_cks_")
	table := "t/1" // a name that needs quoting
	for _, schema := range []string{src, dst} {
		mysqltest.MustExec(t, db,
			"CREATE TABLE `"+schema+"`.`"+table+"` (id INT PRIMARY KEY, v VARCHAR(20) NULL, d DECIMAL(8,2) NOT NULL, b BLOB NULL) ENGINE=InnoDB",
			"INSERT INTO `"+schema+"`.`"+table+"` VALUES (1, 'alpha', 1.50, 'x'), (2, NULL, -2.00, NULL), (3, 'gamma', 0.00, 0x00FF)")
	}
	xdb := sqlx.NewDb(db, "mysql")
	for _, tt := range []struct {
		name, damage, repair string
	}{
		{"exact copy", "", ""},
		{"changed value", "UPDATE `%s`.`t/1` SET v = 'alphb' WHERE id = 1", "UPDATE `%s`.`t/1` SET v = 'alpha' WHERE id = 1"},
		{"value set to NULL", "UPDATE `%s`.`t/1` SET b = NULL WHERE id = 1", "UPDATE `%s`.`t/1` SET b = 'x' WHERE id = 1"},
		{"deleted row", "DELETE FROM `%s`.`t/1` WHERE id = 3", "INSERT INTO `%s`.`t/1` VALUES (3, 'gamma', 0.00, 0x00FF)"},
		{"swapped values", "UPDATE `%s`.`t/1` SET v = IF(id = 1, 'gamma', 'alpha') WHERE id IN (1, 3)", "UPDATE `%s`.`t/1` SET v = IF(id = 1, 'alpha', 'gamma') WHERE id IN (1, 3)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.damage != "" {
				mysqltest.MustExec(t, db, fmt.Sprintf(tt.damage, dst))
				defer mysqltest.MustExec(t, db, fmt.Sprintf(tt.repair, dst))
			}
			same := mustSameChecksum(t, ctx, xdb, src, dst, table)
			if want := tt.damage == ""; same != want {
				t.Fatalf("sameChecksum = %v, want %v", same, want)
			}
		})
	}
}

func mustSameChecksum(t *testing.T, ctx context.Context, db *sqlx.DB, src, dst, table string) bool {
	t.Helper()
	a, err := db.Connx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := db.Connx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	same, err := sameChecksum(ctx, a, b, src, dst, table)
	if err != nil {
		t.Fatalf("sameChecksum: %v", err)
	}
	return same
}
