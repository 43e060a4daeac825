package export

import (
	"io"
	"os"
)

// writeBehindChunk is how much of a file WriteBehind lets accumulate in
// the page cache before it asks the kernel to start writing it.
const writeBehindChunk = 8 << 20

// WriteBehind returns a writer to f that, on Linux, asks the kernel to
// start writing every writeBehindChunk bytes to disk as soon as they are
// written (sync_file_range, without waiting): a large export's pages
// reach the disk while rows still stream, and the fsync that ends it
// waits only for the last chunk instead of the whole file. Elsewhere it
// returns f. The hint's own errors are ignored (the fsync reports the
// real ones). The writer is not safe for concurrent use.
func WriteBehind(f *os.File) io.Writer {
	if !canWriteBehind {
		return f
	}
	off, err := f.Seek(0, io.SeekCurrent)
	if err != nil {
		return f
	}
	return &writeBehind{f: f, fd: int(f.Fd()), off: off, started: off}
}

// writeBehind is the writer of WriteBehind.
type writeBehind struct {
	f            *os.File
	fd           int
	off, started int64 // bytes written; bytes whose writing was started
}

// Write writes p to the file and starts writing out the completed chunks.
func (w *writeBehind) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	w.off += int64(n)
	if w.off-w.started >= writeBehindChunk {
		startWriteout(w.fd, w.started, w.off-w.started)
		w.started = w.off
	}
	return n, err
}
