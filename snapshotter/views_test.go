package snapshotter

import (
	"strings"
	"testing"

	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/mysql/mysqltest"
)

func TestSlotViewDDL(t *testing.T) {
	const tail = " VIEW `src`.`v` AS select `src`.`t`.`id` AS `id` from `src`.`t`"
	const want = "CREATE ALGORITHM=UNDEFINED SQL SECURITY INVOKER VIEW `slot_1`.`v` AS select `slot_1`.`t`.`id` AS `id` from `slot_1`.`t`"
	for _, tt := range []struct {
		name, ddl, source, slot, want string
	}{
		{"root@localhost", "CREATE ALGORITHM=UNDEFINED DEFINER=`root`@`localhost` SQL SECURITY DEFINER" + tail, "src", "slot_1", want},
		{"backtick in user, % host", "CREATE ALGORITHM=UNDEFINED DEFINER=`a``b`@`%` SQL SECURITY DEFINER" + tail, "src", "slot_1", want},
		{"spaces and @ in user and host", "CREATE ALGORITHM=UNDEFINED DEFINER=`app user@x`@`10.0.0.%` SQL SECURITY DEFINER" + tail, "src", "slot_1", want},
		{"unquoted definer", "CREATE ALGORITHM=UNDEFINED DEFINER=root@localhost SQL SECURITY DEFINER" + tail, "src", "slot_1", want},
		{"role definer (no host)", "CREATE ALGORITHM=UNDEFINED DEFINER=`app_role` SQL SECURITY DEFINER" + tail, "src", "slot_1", want},
		{"already INVOKER", "CREATE ALGORITHM=UNDEFINED DEFINER=`root`@`localhost` SQL SECURITY INVOKER" + tail, "src", "slot_1", want},
		{"no definer", "CREATE ALGORITHM=UNDEFINED SQL SECURITY DEFINER" + tail, "src", "slot_1", want},
		{
			"other schemas and look-alike names are left alone",
			"CREATE ALGORITHM=MERGE DEFINER=`root`@`%` SQL SECURITY DEFINER VIEW `src`.`v` AS select `s`.`src` AS `src` from (`src`.`t` `s` join `src_2`.`u`) where `s`.`x` = 'src'",
			"src", "slot_1",
			"CREATE ALGORITHM=MERGE SQL SECURITY INVOKER VIEW `slot_1`.`v` AS select `s`.`src` AS `src` from (`slot_1`.`t` `s` join `src_2`.`u`) where `s`.`x` = 'src'",
		},
		{
			"backtick in the schema names",
			"CREATE ALGORITHM=UNDEFINED DEFINER=`root`@`localhost` SQL SECURITY DEFINER VIEW `pro``d`.`v` AS select 1 AS `1` from `pro``d`.`t`",
			"pro`d", "slot`1",
			"CREATE ALGORITHM=UNDEFINED SQL SECURITY INVOKER VIEW `slot``1`.`v` AS select 1 AS `1` from `slot``1`.`t`",
		},
		{
			"unqualified view (MariaDB omits the current schema)",
			"CREATE ALGORITHM=UNDEFINED DEFINER=`root`@`localhost` SQL SECURITY DEFINER VIEW `v2` AS select `v`.`id` AS `id` from `v`",
			"src", "slot_1",
			"CREATE ALGORITHM=UNDEFINED SQL SECURITY INVOKER VIEW `v2` AS select `v`.`id` AS `id` from `v`",
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := slotViewDDL(tt.ddl, tt.source, tt.slot); got != tt.want {
				t.Fatalf("slotViewDDL =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// TestSlotViewDDLOnServer rewrites real SHOW CREATE VIEW output (one view
// with a definer that does not exist) and creates it in a slot: the view
// must read the slot's table and run as INVOKER.
func TestSlotViewDDLOnServer(t *testing.T) {
	db := mysqltest.MustOpen(t)
	src := mysqltest.MustCreateSchema(t, db, "wbunit_")
	slot := mysqltest.MustCreateSchema(t, db, "wbunit_")
	for _, s := range []string{src, slot} {
		mysqltest.MustExec(t, db, "CREATE TABLE "+mysql.QuoteTable(s, "t")+" (id INT, who VARCHAR(64))",
			"INSERT INTO "+mysql.QuoteTable(s, "t")+" VALUES (1, '"+s+"')")
	}
	mysqltest.MustExec(t, db, "CREATE DEFINER=`a``b`@`%` SQL SECURITY DEFINER VIEW "+mysql.QuoteTable(src, "v")+
		" AS SELECT id, who FROM "+mysql.QuoteTable(src, "t"))
	var name, ddl, cs, coll string
	if err := db.QueryRow("SHOW CREATE VIEW "+mysql.QuoteTable(src, "v")).Scan(&name, &ddl, &cs, &coll); err != nil {
		t.Fatal(err)
	}
	mustExecIn(t, db, slot, slotViewDDL(ddl, src, slot))

	var who string
	if err := db.QueryRow("SELECT who FROM " + mysql.QuoteTable(slot, "v")).Scan(&who); err != nil || who != slot {
		t.Fatalf("slot view reads who=%q (%v), want %q from the slot's table", who, err, slot)
	}
	if err := db.QueryRow("SHOW CREATE VIEW "+mysql.QuoteTable(slot, "v")).Scan(&name, &ddl, &cs, &coll); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ddl, "SQL SECURITY INVOKER") || strings.Contains(ddl, "`a``b`") || strings.Contains(ddl, mysql.QuoteIdent(src)) {
		t.Fatalf("slot view DDL = %s, want SQL SECURITY INVOKER, the current definer and no reference to %s", ddl, src)
	}
}
