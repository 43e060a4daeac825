package server

import (
	"bufio"
	"context"
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/export"
	"github.com/weekback/weekback/mysql"
)

// Defaults of the CSV downloads.
const (
	// DefaultMaxExports is how many CSV downloads one replica streams at
	// once; each holds a connection of the reader account.
	DefaultMaxExports = 8
	// DefaultExportQueueWait is how long a download waits for a place
	// before it is answered 503.
	DefaultExportQueueWait = 5 * time.Second
	// DefaultExportTimeout limits each statement of a download (the pages'
	// own limit is mysql.DefaultRecordTimeout).
	DefaultExportTimeout = 10 * time.Minute
	// exportRetryAfter is the Retry-After of a download refused because
	// every place is taken.
	exportRetryAfter = 10 * time.Second
	// exportBuffer is the buffer between the CSV writer and the response.
	exportBuffer = 32 << 10
)

// exportLimiter bounds the CSV downloads streaming at once. It is safe
// for concurrent use.
type exportLimiter struct {
	places chan struct{}
	wait   time.Duration
}

func newExportLimiter(n int, wait time.Duration) *exportLimiter {
	if n <= 0 {
		n = DefaultMaxExports
	}
	if wait <= 0 {
		wait = DefaultExportQueueWait
	}
	return &exportLimiter{places: make(chan struct{}, n), wait: wait}
}

// acquire waits up to the limiter's wait for a place and returns the
// function that gives it back (safe to call more than once), or false
// when none came free in time or ctx ended.
func (l *exportLimiter) acquire(ctx context.Context) (release func(), ok bool) {
	t := time.NewTimer(l.wait)
	defer t.Stop()
	select {
	case l.places <- struct{}{}:
		return sync.OnceFunc(func() { <-l.places }), true
	case <-t.C:
		return nil, false
	case <-ctx.Done():
		return nil, false
	}
}

// exportSlot is a download's place and connection, held from before the
// headers until the last row is sent.
type exportSlot struct {
	conn    *sqlx.Conn
	release func()
}

// close gives the connection and the place back.
func (x *exportSlot) close() {
	x.conn.Close()
	x.release()
}

// openExport takes a place among the downloads and a connection of the
// export pool, before anything is sent: when every place stays taken, a
// 503 with Retry-After; when the backup server does not answer, a 503.
func (s *Server) openExport(c *fiber.Ctx) (*exportSlot, error) {
	release, ok := s.exports.acquire(c.UserContext())
	if !ok {
		secs := strconv.Itoa(int(exportRetryAfter.Seconds()))
		c.Set(fiber.HeaderRetryAfter, secs)
		s.Logger.Warn("csv download refused: every place is taken", "max", cap(s.exports.places))
		return nil, s.errorf(c, weekback.EUNAVAILABLE, "export.busy", "seconds", secs)
	}
	conn, err := s.exportPool().Connx(c.UserContext())
	if err != nil {
		release()
		return nil, s.errorf(c, weekback.EUNAVAILABLE, "slots.unavailable")
	}
	return &exportSlot{conn: conn, release: release}, nil
}

// exportTimeout is the statement limit of downloads.
func (s *Server) exportTimeout() time.Duration {
	if s.ExportTimeout == 0 {
		return DefaultExportTimeout
	}
	return s.ExportTimeout
}

// streamBody sends what write writes as the response body, after the
// handler returns, from a goroutine with a context of its own (the
// request's ends with the handler) bounded by WriteTimeout. When write
// fails, the body is cut off without its end (the connection is closed
// mid-response), so the client sees a broken transfer, never a short file
// that looks complete; a client that goes away makes write fail. done is
// called with write's error when it has returned.
func (s *Server) streamBody(c *fiber.Ctx, write func(ctx context.Context, w *bufio.Writer) error, done func(ctx context.Context, err error)) {
	pr, pw := io.Pipe()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), s.WriteTimeout)
		defer cancel()
		w := bufio.NewWriterSize(pw, exportBuffer)
		err := write(ctx, w)
		if err == nil {
			err = w.Flush()
		}
		pw.CloseWithError(err) // nil: the body ends cleanly
		done(ctx, err)
	}()
	c.Context().SetBodyStream(pr, -1)
}

// streamCSV sends the headers and streams the rows of er on x after the
// handler returns, then gives x back; the export is audited when it ends,
// with its row count.
func (s *Server) streamCSV(c *fiber.Ctx, er *exportRequest, x *exportSlot) {
	gen := er.page.Gen
	charset := "utf-8"
	if er.csv.Encoding == export.EncodingShiftJIS {
		charset = "Shift_JIS"
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset="+charset)
	c.Set(fiber.HeaderContentDisposition, attachment(export.FileName(er.table, gen.Day, gen.Manifest.SnapshotAt, s.Location, "csv")))
	entry := &weekback.AuditEntry{Login: principalOf(c).Login, Client: s.clientAddr(c), Action: weekback.AuditExport,
		Outcome: weekback.OutcomeOK, Day: gen.Day, Table: er.table, Detail: er.describe()}
	q, opts, keys := er.query, er.csv, er.keys
	s.streamBody(c, func(ctx context.Context, w *bufio.Writer) error {
		res, err := s.runExport(ctx, x.conn, q, keys, w, opts)
		if res != nil {
			entry.Rows = res.Rows
		}
		return err
	}, func(ctx context.Context, err error) {
		x.close()
		if err != nil {
			entry.Outcome = weekback.OutcomeFailed
			s.Logger.Error("csv export failed part way: the response was cut off", "table", q.Table, "err", err)
		}
		s.audit(ctx, entry)
	})
}

// withExportTimeout returns q limited to the downloads' statement time.
func (s *Server) withExportTimeout(q mysql.RecordQuery) mysql.RecordQuery {
	q.Timeout = s.exportTimeout()
	return q
}
