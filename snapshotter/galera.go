package snapshotter

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
)

// How a snapshot runs when the backup server is a node of a Galera
// cluster (@@wsrep_on).
const (
	// GaleraChunkRows is the most rows of one transaction of a table's
	// copy: a table is loaded in transactions of this many rows (fewer
	// when wsrep_max_ws_rows or wsrep_max_ws_size ask for it) instead of
	// one write set of the whole table, which the limits refuse and which
	// every other node then applies for seconds, behind it everything
	// committed later (a logout too).
	GaleraChunkRows = 10_000
	// GaleraStall is how long the node may stay unusable (not ready, out
	// of the primary component, or not answering) before the run fails:
	// every statement of a run on a wedged cluster ends by then, and the
	// served generation is untouched.
	GaleraStall = 60 * time.Second
	// galeraPoll is how often the node's state is read during a run.
	galeraPoll = 5 * time.Second
)

// galera is what a snapshot knows of the backup server's cluster.
type galera struct {
	maxRows  int64  // wsrep_max_ws_rows; 0 for no limit
	maxBytes int64  // wsrep_max_ws_size
	mode     string // wsrep_mode, such as REQUIRED_PRIMARY_KEY,STRICT_REPLICATION
}

// loadGalera returns the cluster's limits, or nil when db's server is not
// a Galera node.
func loadGalera(ctx context.Context, db *sqlx.DB) (*galera, error) {
	var on int
	err := db.QueryRowxContext(ctx, mysql.Tag+"SELECT @@wsrep_on").Scan(&on)
	if mysql.IsErrorNumber(err, mysql.ErrUnknownSystemVariable) || (err == nil && on != 1) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read wsrep_on: %w", err)
	}
	g := &galera{}
	err = db.QueryRowxContext(ctx, mysql.Tag+"SELECT @@wsrep_max_ws_rows, @@wsrep_max_ws_size").Scan(&g.maxRows, &g.maxBytes)
	if err != nil {
		return nil, fmt.Errorf("read the Galera write-set limits: %w", err)
	}
	err = db.QueryRowxContext(ctx, mysql.Tag+"SELECT @@wsrep_mode").Scan(&g.mode)
	if err != nil && !mysql.IsErrorNumber(err, mysql.ErrUnknownSystemVariable) { // before MariaDB 10.6
		return nil, fmt.Errorf("read wsrep_mode: %w", err)
	}
	return g, nil
}

// checkGalera reads the backup cluster's limits (nothing when the backup
// server is not a Galera node) and checks every planned table against
// them before anything is written. It returns an EINVALID error with one
// sentence per table that cannot be copied there, naming the fix.
func (s *Snapshotter) checkGalera(ctx context.Context, plan *Plan) error {
	g, err := loadGalera(ctx, s.backup)
	if err != nil || g == nil {
		return err
	}
	var problems []string
	for _, t := range plan.Tables {
		if p := g.problem(t); p != "" {
			problems = append(problems, p)
		}
	}
	if len(problems) > 0 {
		return weekback.Errorf(weekback.EINVALID, "the backup server is a Galera cluster that cannot hold these tables:\n  %s",
			strings.Join(problems, "\n  "))
	}
	s.galera = g
	s.Logger.Info("backup server is a Galera node: tables are loaded in transactions of a bounded size",
		"max_rows", g.chunkRows(nil), "wsrep_max_ws_rows", g.maxRows, "wsrep_max_ws_size", g.maxBytes)
	return nil
}

// problem returns why t cannot be copied to the cluster, or "".
func (g *galera) problem(t *tablePlan) string {
	name := mysql.QuoteIdent(t.Name)
	switch {
	case !hasPrimaryKey(t.DDL) && g.requires("REQUIRED_PRIMARY_KEY"):
		return fmt.Sprintf("table %s has no primary key, which the cluster's wsrep_mode (REQUIRED_PRIMARY_KEY) requires: add one in production, leave the table out (source.exclude), or remove REQUIRED_PRIMARY_KEY from wsrep_mode", name)
	case !g.replicates(t.Engine):
		return fmt.Sprintf("table %s uses the %s engine, which Galera does not replicate (its rows would be on one node only): convert it to InnoDB in production, leave it out (source.exclude), or add REPLICATE_MYISAM / REPLICATE_ARIA to wsrep_mode", name, t.Engine)
	case avgRow(t) > g.maxBytes:
		return fmt.Sprintf("table %s has rows of %d bytes on average, more than wsrep_max_ws_size (%d): not even one row fits a write set; raise wsrep_max_ws_size or leave the table out (source.exclude)", name, avgRow(t), g.maxBytes)
	}
	return ""
}

// requires reports whether wsrep_mode holds flag.
func (g *galera) requires(flag string) bool {
	for f := range strings.SplitSeq(g.mode, ",") {
		if strings.EqualFold(strings.TrimSpace(f), flag) {
			return true
		}
	}
	return false
}

// replicates reports whether the cluster replicates the rows of a table
// of engine.
func (g *galera) replicates(engine string) bool {
	switch strings.ToLower(engine) {
	case "innodb", "":
		return true
	case "myisam":
		return g.requires("REPLICATE_MYISAM")
	case "aria":
		return g.requires("REPLICATE_ARIA")
	}
	return false
}

// hasPrimaryKey reports whether the SHOW CREATE TABLE text ddl has one.
func hasPrimaryKey(ddl string) bool {
	for line := range strings.SplitSeq(ddl, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "PRIMARY KEY ") {
			return true
		}
	}
	return false
}

// avgRow returns t's average row size in bytes by the source's estimate.
func avgRow(t *tablePlan) int64 {
	return t.DataLength / max(t.EstRows, 1)
}

// chunkRows returns the rows per transaction for t (nil: for any table):
// GaleraChunkRows, at most half of wsrep_max_ws_rows, and few enough that
// a chunk of t's average rows stays under half of wsrep_max_ws_size. At
// least 1.
func (g *galera) chunkRows(t *tablePlan) int64 {
	rows := int64(GaleraChunkRows)
	if g.maxRows > 0 {
		rows = min(rows, g.maxRows/2)
	}
	if t != nil && avgRow(t) > 0 {
		rows = min(rows, g.maxBytes/2/avgRow(t))
	}
	return max(rows, 1)
}

// guardGalera returns ctx, canceled with the reason as its cause once the
// backup node has been unusable for GaleraStall, and the function that
// ends the watch. Without Galera it returns ctx itself.
func (s *Snapshotter) guardGalera(ctx context.Context) (context.Context, func()) {
	if s.galera == nil {
		return ctx, func() {}
	}
	ctx, cancel := context.WithCancelCause(ctx)
	done := make(chan struct{})
	go s.watchGalera(ctx, cancel, done)
	return ctx, func() { close(done); cancel(nil) }
}

// watchGalera reads the node's state every galeraPoll until done is
// closed, and cancels the run when it stays unusable for GaleraStall.
func (s *Snapshotter) watchGalera(ctx context.Context, cancel context.CancelCauseFunc, done <-chan struct{}) {
	tick := time.NewTicker(galeraPoll)
	defer tick.Stop()
	var since time.Time
	for {
		select {
		case <-done:
			return
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		why := s.nodeTrouble(ctx)
		switch {
		case why == "":
			since = time.Time{}
		case since.IsZero():
			since = time.Now()
			s.Logger.Warn("the backup node cannot take writes; the run fails if this lasts", "why", why, "limit", GaleraStall)
		case time.Since(since) >= GaleraStall:
			cancel(weekback.Errorf(weekback.EUNAVAILABLE,
				"the backup Galera node could not take writes for %s (%s): the run stopped and the served generation is unchanged; run the snapshot again once the cluster is healthy (OPERATIONS.md, Running on Galera)",
				GaleraStall, why))
			return
		}
	}
}

// nodeTrouble returns why the backup node cannot take the run's writes
// (not ready, outside the primary component, not answering), or "".
func (s *Snapshotter) nodeTrouble(ctx context.Context) string {
	qctx, cancel := context.WithTimeout(ctx, galeraPoll)
	defer cancel()
	state := map[string]string{}
	rows, err := s.backup.QueryxContext(qctx, mysql.Tag+"SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_ready', 'wsrep_cluster_status')")
	if err != nil {
		return "its state cannot be read: " + err.Error()
	}
	defer rows.Close()
	for rows.Next() {
		var name, value string
		if err := rows.Scan(&name, &value); err != nil {
			return "its state cannot be read: " + err.Error()
		}
		state[strings.ToLower(name)] = value
	}
	if err := rows.Err(); err != nil {
		return "its state cannot be read: " + err.Error()
	}
	if v := state["wsrep_cluster_status"]; v != "Primary" {
		return "outside the primary component: wsrep_cluster_status is " + v
	}
	if v := state["wsrep_ready"]; v != "ON" {
		return "wsrep_ready is " + v
	}
	return ""
}

// stalled returns the reason the Galera watch stopped the run when it did
// (ctx is guardGalera's), else err.
func stalled(ctx context.Context, err error) error {
	if cause := context.Cause(ctx); err != nil && cause != nil && weekback.ErrorCode(cause) == weekback.EUNAVAILABLE {
		return cause
	}
	return err
}

// loadSource returns what the LOAD DATA statements of t read from pipe:
// the pipe itself, or on a Galera cluster its rows in chunks of
// chunkRows(t), one statement (one transaction, one write set) each. The
// slot is not served before the switch, so a table committed in parts is
// never seen half-filled; a run that fails drops it.
//
// Not streaming replication: MariaDB 10.11 counts wsrep_max_ws_rows over
// the whole streamed transaction (a 2-million-row load failed with
// "wsrep_max_ws_rows exceeded" in fragments of 10,000 rows), and a client
// killed in the middle of a streamed load once left a node deadlocked on
// mysql.wsrep_streaming_log, every write of the cluster waiting behind
// it, until that node was restarted.
func (r *run) loadSource(pipe io.Reader, t *tablePlan) io.Reader {
	if g := r.s.galera; g != nil {
		return &rowChunks{src: pipe, rows: g.chunkRows(t), buf: make([]byte, 64<<10)}
	}
	return pipe
}

// execLoad runs the LOAD DATA statement stmt on dst once, or once per
// chunk when src (from loadSource) is chunked.
func execLoad(ctx context.Context, dst *sqlx.Conn, stmt string, src io.Reader) error {
	chunks, ok := src.(*rowChunks)
	if !ok {
		_, err := dst.ExecContext(ctx, stmt)
		return err
	}
	for chunks.next() {
		if _, err := dst.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	return nil
}

// rowChunks reads src (rows in LOAD DATA form, each ended by its only raw
// newline) a chunk of rows at a time: Read ends with io.EOF after the
// chunk's last row, and next starts the following chunk.
type rowChunks struct {
	src     io.Reader
	rows    int64  // rows per chunk
	left    int64  // rows left in the current chunk
	buf     []byte // what src gave
	pending []byte // the part of buf not yet handed out
	srcErr  error  // src's io.EOF or error, once seen
}

// next starts a chunk; it reports false once src is exhausted.
func (c *rowChunks) next() bool {
	c.left = c.rows
	return len(c.pending) > 0 || c.srcErr == nil
}

// Read implements io.Reader for the current chunk.
func (c *rowChunks) Read(b []byte) (int, error) {
	if c.left == 0 {
		return 0, io.EOF
	}
	if len(c.pending) == 0 {
		if c.srcErr != nil {
			return 0, c.srcErr
		}
		n, err := c.src.Read(c.buf)
		c.pending, c.srcErr = c.buf[:n], err
		if n == 0 {
			return 0, err
		}
	}
	out := c.pending[:min(len(b), len(c.pending))]
	for i := 0; ; {
		j := bytes.IndexByte(out[i:], '\n')
		if j < 0 {
			break
		}
		i += j + 1
		if c.left--; c.left == 0 {
			out = out[:i]
			break
		}
	}
	n := copy(b, out)
	c.pending = c.pending[n:]
	return n, nil
}
