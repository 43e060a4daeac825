package restore

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/weekback/weekback"
)

// syncedFile is an undo file being written: what is flushed is synced to
// disk before the transaction it describes commits, and what a rolled-back
// transaction added is cut off again. flush empties the writer's buffer
// into f.
type syncedFile struct {
	path  string
	f     *os.File
	flush func() error
	size  int64 // bytes synced so far
}

// createSynced creates path (never over an existing file, readable by its
// owner only: it holds production rows) and makes its directory entry
// durable.
func createSynced(path, flag string) (*syncedFile, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil, weekback.Errorf(weekback.EINVALID, "the undo file %s exists already: move it away or choose another %s, then run again", path, flag)
	}
	if err != nil {
		return nil, weekback.Errorf(weekback.EINVALID, "cannot create the undo file %s (%v): make its folder writable or choose another %s", path, err, flag)
	}
	if err := syncDir(filepath.Dir(path)); err != nil {
		f.Close()
		return nil, fmt.Errorf("create undo file %s: %w", path, err)
	}
	return &syncedFile{path: path, f: f}, nil
}

// sync flushes what was written and waits until it is on disk.
func (s *syncedFile) sync() error {
	if err := s.flush(); err != nil {
		return fmt.Errorf("write undo file %s: %w", s.path, err)
	}
	if err := s.f.Sync(); err != nil {
		return fmt.Errorf("sync undo file %s: %w", s.path, err)
	}
	size, err := s.f.Seek(0, io.SeekCurrent)
	if err != nil {
		return fmt.Errorf("undo file %s: %w", s.path, err)
	}
	s.size = size
	return nil
}

// cut drops what was written after size (the rows of a transaction that
// was rolled back).
func (s *syncedFile) cut(size int64) error {
	if err := s.flush(); err != nil {
		return fmt.Errorf("write undo file %s: %w", s.path, err)
	}
	if err := s.f.Truncate(size); err != nil {
		return fmt.Errorf("cut undo file %s: %w", s.path, err)
	}
	if _, err := s.f.Seek(size, io.SeekStart); err != nil {
		return fmt.Errorf("cut undo file %s: %w", s.path, err)
	}
	s.size = size
	return s.f.Sync()
}

func (s *syncedFile) close() error {
	err := s.sync()
	if cerr := s.f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close undo file %s: %w", s.path, cerr)
	}
	return err
}

// syncDir makes a new file's directory entry durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
