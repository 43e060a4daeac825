package offsite

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/weekback/weekback"
)

// fileTarget keeps copies in a directory.
type fileTarget struct{ dir string }

func openFile(u *url.URL) (Target, error) {
	if u.Host != "" && u.Host != "localhost" || u.Path == "" {
		return nil, weekback.Errorf(weekback.EINVALID, "offsite.target %q: write a local directory as file:///absolute/path", u.String())
	}
	if err := os.MkdirAll(u.Path, 0o750); err != nil {
		return nil, weekback.Errorf(weekback.EINVALID, "offsite.target: cannot create the directory %s: %v", u.Path, err)
	}
	return &fileTarget{dir: u.Path}, nil
}

func (t *fileTarget) String() string { return "file://" + t.dir }

// Put writes a hidden temporary file beside name, syncs it and renames
// it: a reader never sees a partial copy.
func (t *fileTarget) Put(ctx context.Context, name string, r io.Reader) error {
	f, err := os.CreateTemp(t.dir, "."+name+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	defer os.Remove(f.Name())
	_, err = io.Copy(f, ctxReader{ctx, r})
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), filepath.Join(t.dir, name))
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

func (t *fileTarget) Get(_ context.Context, name string) (io.ReadCloser, error) {
	f, err := os.Open(filepath.Join(t.dir, filepath.Base(name)))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, notFound(name)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return f, nil
}

func (t *fileTarget) List(context.Context) ([]Object, error) {
	entries, err := os.ReadDir(t.dir)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", t.dir, err)
	}
	var out []Object
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		out = append(out, Object{Name: e.Name(), Size: info.Size(), Modified: info.ModTime()})
	}
	return out, nil
}

func (t *fileTarget) Delete(_ context.Context, name string) error {
	err := os.Remove(filepath.Join(t.dir, filepath.Base(name)))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("delete %s: %w", name, err)
	}
	return nil
}

func notFound(name string) error {
	return weekback.Errorf(weekback.ENOTFOUND, "no off-site copy named %s: run `weekback offsite list` for the names", name)
}

// ctxReader stops reading once ctx ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
