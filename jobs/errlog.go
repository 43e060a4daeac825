package jobs

import (
	"bufio"
	"fmt"

	"github.com/weekback/weekback/export"
)

// errorLogBatch is how many entries the error log holds before writing
// them: memory stays flat however many characters a table has.
const errorLogBatch = 1024

// errorLog streams a job's error log to a temporary file as entries
// come: the first batch through export.WriteUnencodableCSV (a BOM, the
// header row and its lines), later ones through AppendUnencodableCSV
// (lines only), so the file is exactly what WriteUnencodableCSV writes for
// the whole list, formula-guarded the same way. The file is
// created at the first entry. It is used by one goroutine.
type errorLog struct {
	create  func() (*tempFile, error)
	out     *tempFile
	w       *bufio.Writer
	pending []export.Unencodable
	count   int64
	err     error // the first failure: later entries are only counted
}

// add records u (export.CSVOptions.OnUnencodable).
func (l *errorLog) add(u export.Unencodable) {
	l.count++
	if l.err != nil {
		return
	}
	l.pending = append(l.pending, u)
	if len(l.pending) >= errorLogBatch {
		l.err = l.flush()
	}
}

// flush writes the pending entries.
func (l *errorLog) flush() error {
	if len(l.pending) == 0 {
		return nil
	}
	defer func() { l.pending = l.pending[:0] }()
	if l.out == nil {
		out, err := l.create()
		if err != nil {
			return err
		}
		l.out, l.w = out, bufio.NewWriter(out)
		return export.WriteUnencodableCSV(l.w, l.pending)
	}
	return export.AppendUnencodableCSV(l.w, l.pending)
}

// finish writes what is pending and flushes the file, if any. It
// returns the first failure since the log began.
func (l *errorLog) finish() error {
	if l.err == nil {
		l.err = l.flush()
	}
	if l.err == nil && l.w != nil {
		if err := l.w.Flush(); err != nil {
			l.err = fmt.Errorf("write the error log: %w", err)
		}
	}
	return l.err
}
