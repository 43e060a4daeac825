package offsite

import (
	"context"
	"io"
	"net/url"
	"time"

	"github.com/weekback/weekback"
)

// Target is where off-site copies are stored. Implementations are safe
// for concurrent use.
type Target interface {
	// Put stores r under name; the object exists only once r is read to
	// its end without error (nothing partial is ever visible).
	Put(ctx context.Context, name string, r io.Reader) error
	// Get opens name; ENOTFOUND when there is none.
	Get(ctx context.Context, name string) (io.ReadCloser, error)
	// List returns every object's name, size and time.
	List(ctx context.Context) ([]Object, error)
	// Delete removes name; a missing object is no error.
	Delete(ctx context.Context, name string) error
	// String describes the target without credentials.
	String() string
}

// Object is one stored object.
type Object struct {
	Name     string
	Size     int64
	Modified time.Time
}

// Options are what opening a target needs besides its URL.
type Options struct {
	// CredentialsFile is an AWS-style credentials file (s3 targets) used
	// when AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set.
	CredentialsFile string
	// Getenv reads the environment (os.Getenv when nil).
	Getenv func(string) string
}

// OpenTarget returns the target of raw: file:///path or
// s3://bucket/prefix?endpoint=host:port&region=R[&insecure=1]. A malformed
// URL is EINVALID naming offsite.target.
func OpenTarget(raw string, opts Options) (Target, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, weekback.Errorf(weekback.EINVALID, "offsite.target %q is not a URL: use file:///path or s3://bucket/prefix?endpoint=…", raw)
	}
	switch u.Scheme {
	case "file":
		return openFile(u)
	case "s3":
		return openS3(u, opts)
	}
	return nil, weekback.Errorf(weekback.EINVALID, "offsite.target %q: the scheme must be file or s3 (file:///path, s3://bucket/prefix?endpoint=…)", raw)
}
