package export

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
)

// DefaultInsertBytes bounds one multi-row INSERT of a day's SQL script:
// big enough that the server spends its time storing rows rather than
// parsing statements, far below the 16 MiB max_allowed_packet of the
// mariadb and mysql clients and servers. A single row bigger than the
// bound gets a statement of its own.
const DefaultInsertBytes = 1 << 20

// DaySQLOptions says how WriteDaySQL writes a day.
type DaySQLOptions struct {
	// Redaction names the credential columns: they are written blank
	// (NULL where the column allows it, else an empty value of its type).
	Redaction weekback.Redaction
	// Anonymizer, when set, writes the columns it covers as pseudonyms.
	Anonymizer *Anonymizer
	// InsertBytes bounds one INSERT statement; 0 means DefaultInsertBytes.
	InsertBytes int
	// Progress, when set, is called from WriteDaySQL's goroutine with the
	// table being written and the rows written so far in the whole day.
	Progress func(table string, rows int64)
}

// DaySQLResult says what WriteDaySQL wrote.
type DaySQLResult struct {
	Tables  []DaySQLTable // in the script's order (foreign-key order)
	Rows    int64         // rows written, every table (row versions for versioned tables copied with their history)
	Blanked []string      // "table.column" of every credential column written blank
	// Anonymized lists "table.column" of every column written as pseudonyms.
	Anonymized []string
}

// DaySQLTable is one table of a day's SQL script.
type DaySQLTable struct {
	Name string `json:"name"`
	Rows int64  `json:"rows"`
	// Hash is the content hash (mysql.RowHasher over Columns) of the rows as
	// written: once loaded, StreamHash of the table gives it back. It
	// equals the manifest's hash when no column was blanked or anonymized.
	Hash         string   `json:"hash"`
	ManifestHash string   `json:"manifest_hash"`
	Columns      []string `json:"columns"`
	History      bool     `json:"history,omitempty"` // every row version, period columns last
}

// WriteDaySQL writes gen's slot to w as one SQL script that the mariadb
// and mysql clients load into an empty schema: a header that sets the
// session as mariadb-dump does (utf8mb4, UTC, unique and foreign key checks
// off, sql_mode NO_AUTO_VALUE_ON_ZERO), the sequences, every table in
// foreign-key order with its rows as bounded multi-row INSERTs (keys
// disabled while they load; secondary indexes built after the rows), the
// foreign keys, the views, and the triggers, routines and events of the
// day as comments. Values load back byte for byte: the
// content hash of each loaded table is DaySQLTable.Hash, the manifest's
// one unless columns were blanked or anonymized.
//
// conn must be a connection to the backup server opened with
// mysql.RoleSource (values as stored). Rows are read on a goroutine of
// their own and written in bounded batches: memory stays flat whatever the
// day's size. WriteDaySQL returns w's errors and the server's, wrapped; it
// is safe for concurrent use with distinct connections and writers.
func WriteDaySQL(ctx context.Context, conn *sqlx.Conn, gen *weekback.Generation, w io.Writer, opts DaySQLOptions) (*DaySQLResult, error) {
	if !gen.Ready() {
		return nil, weekback.Errorf(weekback.ENOTFOUND, "%s has no backup to download (status %s): pick another day", gen.Day, gen.Status)
	}
	if opts.InsertBytes <= 0 {
		opts.InsertBytes = DefaultInsertBytes
	}
	plan, err := planDay(ctx, conn, gen, opts)
	if err != nil {
		return nil, err
	}
	d := &dayWriter{w: bufio.NewWriterSize(w, 256<<10), plan: plan, opts: opts,
		res: &DaySQLResult{Blanked: plan.blanked, Anonymized: plan.anonymized}}
	if err := d.write(ctx, conn); err != nil {
		return d.res, err
	}
	return d.res, nil
}

// dayWriter writes one day's script.
type dayWriter struct {
	w    *bufio.Writer
	plan *dayPlan
	opts DaySQLOptions
	res  *DaySQLResult
	row  []byte
}

func (d *dayWriter) write(ctx context.Context, conn *sqlx.Conn) error {
	d.header()
	d.sequences()
	for _, t := range d.plan.tables {
		if err := d.table(ctx, conn, t); err != nil {
			return err
		}
	}
	d.foreignKeys()
	d.views()
	d.objects()
	d.footer()
	if err := d.w.Flush(); err != nil {
		return fmt.Errorf("write the day's sql: %w", err)
	}
	return nil
}

// header opens the script as mariadb-dump does, naming the day and the
// blanked columns.
func (d *dayWriter) header() {
	m := d.plan.gen.Manifest
	fmt.Fprintf(d.w, "-- Weekback download of %s: source schema %s (%s), snapshot %s\n",
		m.Day, m.SourceSchema, m.SourceServer, m.SnapshotAt.UTC().Format("2006-01-02 15:04:05 MST"))
	fmt.Fprintf(d.w, "-- Load it into an empty schema: mariadb NEW_SCHEMA < FILE\n")
	fmt.Fprintf(d.w, "-- Credential columns written blank: %s\n", listOrNone(d.plan.blanked))
	fmt.Fprintf(d.w, "-- Columns written as pseudonyms: %s\n\n", listOrNone(d.plan.anonymized))
	d.w.WriteString(`/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
/*!40101 SET @OLD_CHARACTER_SET_RESULTS=@@CHARACTER_SET_RESULTS */;
/*!40101 SET @OLD_COLLATION_CONNECTION=@@COLLATION_CONNECTION */;
/*!40101 SET NAMES utf8mb4 */;
/*!40103 SET @OLD_TIME_ZONE=@@TIME_ZONE */;
/*!40103 SET TIME_ZONE='+00:00' */;
/*!40014 SET @OLD_UNIQUE_CHECKS=@@UNIQUE_CHECKS, UNIQUE_CHECKS=0 */;
/*!40014 SET @OLD_FOREIGN_KEY_CHECKS=@@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS=0 */;
/*!40101 SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE='NO_AUTO_VALUE_ON_ZERO' */;
/*!40111 SET @OLD_SQL_NOTES=@@SQL_NOTES, SQL_NOTES=0 */;
`)
	if d.plan.history {
		d.w.WriteString("/*M!101100 SET @OLD_INSERT_HISTORY=@@SYSTEM_VERSIONING_INSERT_HISTORY, SYSTEM_VERSIONING_INSERT_HISTORY=1 */;\n")
	}
	d.w.WriteString("\n")
}

func (d *dayWriter) footer() {
	if d.plan.history {
		d.w.WriteString("/*M!101100 SET SYSTEM_VERSIONING_INSERT_HISTORY=@OLD_INSERT_HISTORY */;\n")
	}
	d.w.WriteString(`/*!40101 SET SQL_MODE=@OLD_SQL_MODE */;
/*!40014 SET FOREIGN_KEY_CHECKS=@OLD_FOREIGN_KEY_CHECKS */;
/*!40014 SET UNIQUE_CHECKS=@OLD_UNIQUE_CHECKS */;
/*!40103 SET TIME_ZONE=@OLD_TIME_ZONE */;
/*!40101 SET CHARACTER_SET_CLIENT=@OLD_CHARACTER_SET_CLIENT */;
/*!40101 SET CHARACTER_SET_RESULTS=@OLD_CHARACTER_SET_RESULTS */;
/*!40101 SET COLLATION_CONNECTION=@OLD_COLLATION_CONNECTION */;
/*!40111 SET SQL_NOTES=@OLD_SQL_NOTES */;
-- Download complete
`)
}

func listOrNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// sequences creates the day's sequences (before the tables, whose
// defaults may call NEXTVAL) at the value the slot holds.
func (d *dayWriter) sequences() {
	for _, sq := range d.plan.gen.Manifest.Sequences {
		fmt.Fprintf(d.w, "--\n-- Sequence %s\n--\n\n", sq.Name)
		fmt.Fprintf(d.w, "DROP SEQUENCE IF EXISTS %s;\n%s;\n", mysql.QuoteIdent(sq.Name), d.plan.unqualify(sq.DDL))
		fmt.Fprintf(d.w, "ALTER SEQUENCE %s RESTART WITH %d;\n\n", mysql.QuoteIdent(sq.Name), sq.Next)
	}
}

// foreignKeys adds every table's foreign keys once every table has its
// rows and indexes (a key may reference an index another table's step
// adds); with foreign_key_checks=0 this checks and copies nothing, and a
// cycle needs no order.
func (d *dayWriter) foreignKeys() {
	for _, t := range d.plan.tables {
		if t.ddl.ForeignKeys != "" {
			fmt.Fprintf(d.w, "ALTER TABLE %s %s;\n", mysql.QuoteIdent(t.info.Name), t.ddl.ForeignKeys)
		}
	}
	d.w.WriteString("\n")
}

// views creates the views the slot holds, those they read first; a view
// the slot could not hold is only a comment.
func (d *dayWriter) views() {
	for _, v := range orderViews(d.plan.gen.Manifest.Views) {
		fmt.Fprintf(d.w, "--\n-- View %s\n--\n\n", v.Name)
		if v.Error != "" {
			fmt.Fprintf(d.w, "-- not in the backup (%s); its definition:\n", oneLine(v.Error))
			commentOut(d.w, v.DDL)
			continue
		}
		fmt.Fprintf(d.w, "DROP VIEW IF EXISTS %s;\n%s;\n\n", mysql.QuoteIdent(v.Name), d.plan.unqualify(stripDefiner(v.DDL)))
	}
}

// objects writes the triggers, routines and events as comments: they
// would run code on load, so a person decides whether to create them.
func (d *dayWriter) objects() {
	m := d.plan.gen.Manifest
	for _, list := range [][]weekback.ObjectDDL{m.Triggers, m.Routines, m.Events} {
		for _, o := range list {
			fmt.Fprintf(d.w, "--\n-- %s %s (not created: remove the comment marks to create it)\n--\n", o.Type, o.Name)
			commentOut(d.w, o.DDL)
			d.w.WriteString("\n")
		}
	}
}

// commentOut writes ddl with every line turned into an SQL comment.
func commentOut(w *bufio.Writer, ddl string) {
	for line := range strings.SplitSeq(ddl, "\n") {
		w.WriteString("-- ")
		w.WriteString(strings.TrimRight(line, "\r"))
		w.WriteString("\n")
	}
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
