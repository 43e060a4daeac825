package offsite

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/weekback/weekback"
)

// s3Target keeps copies in an S3-compatible bucket under a prefix.
type s3Target struct {
	client         *minio.Client
	bucket, prefix string
	endpoint       string
}

// openS3 reads s3://bucket/prefix?endpoint=host:port&region=R&insecure=1.
// Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, else
// from opts.CredentialsFile (the AWS credentials file format).
func openS3(u *url.URL, opts Options) (Target, error) {
	q := u.Query()
	endpoint := q.Get("endpoint")
	if u.Host == "" || endpoint == "" {
		return nil, weekback.Errorf(weekback.EINVALID, "offsite.target %q: write s3://bucket/prefix?endpoint=host:port&region=…", u.Redacted())
	}
	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	var creds *credentials.Credentials
	if id, secret := getenv("AWS_ACCESS_KEY_ID"), getenv("AWS_SECRET_ACCESS_KEY"); id != "" && secret != "" {
		creds = credentials.NewStaticV4(id, secret, getenv("AWS_SESSION_TOKEN"))
	} else if opts.CredentialsFile != "" {
		creds = credentials.NewFileAWSCredentials(opts.CredentialsFile, getenv("AWS_PROFILE"))
	} else {
		return nil, weekback.Errorf(weekback.EINVALID,
			"offsite.target is S3 but no credentials are set: export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or set offsite.credentials_file")
	}
	client, err := minio.New(endpoint, &minio.Options{Creds: creds, Secure: q.Get("insecure") == "", Region: q.Get("region"),
		BucketLookup: minio.BucketLookupPath})
	if err != nil {
		return nil, weekback.Errorf(weekback.EINVALID, "offsite.target: %v", err)
	}
	prefix := strings.Trim(u.Path, "/")
	if prefix != "" {
		prefix += "/"
	}
	return &s3Target{client: client, bucket: u.Host, prefix: prefix, endpoint: endpoint}, nil
}

func (t *s3Target) String() string { return "s3://" + t.bucket + "/" + t.prefix + " at " + t.endpoint }

// Put uploads r (multipart when large): the object appears only when the
// upload completes. Payloads are sent unsigned (each part still carries
// its checksum header, and the copy its own .sha256): some S3-compatible
// servers do not decode the chunked signing of plain-HTTP uploads.
func (t *s3Target) Put(ctx context.Context, name string, r io.Reader) error {
	_, err := t.client.PutObject(ctx, t.bucket, t.prefix+name, r, -1, minio.PutObjectOptions{
		ContentType: "application/octet-stream", PartSize: 16 << 20, DisableContentSha256: true})
	if err != nil {
		return fmt.Errorf("upload %s to %s: %w", name, t, err)
	}
	return nil
}

func (t *s3Target) Get(ctx context.Context, name string) (io.ReadCloser, error) {
	obj, err := t.client.GetObject(ctx, t.bucket, t.prefix+name, minio.GetObjectOptions{})
	if err == nil {
		_, err = obj.Stat()
	}
	if minio.ToErrorResponse(err).Code == "NoSuchKey" {
		return nil, notFound(name)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s from %s: %w", name, t, err)
	}
	return obj, nil
}

func (t *s3Target) List(ctx context.Context) ([]Object, error) {
	var out []Object
	for o := range t.client.ListObjects(ctx, t.bucket, minio.ListObjectsOptions{Prefix: t.prefix}) {
		if o.Err != nil {
			return nil, fmt.Errorf("list %s: %w", t, o.Err)
		}
		name := strings.TrimPrefix(o.Key, t.prefix)
		if name != "" && !strings.Contains(name, "/") {
			out = append(out, Object{Name: name, Size: o.Size, Modified: o.LastModified})
		}
	}
	return out, nil
}

func (t *s3Target) Delete(ctx context.Context, name string) error {
	if err := t.client.RemoveObject(ctx, t.bucket, t.prefix+name, minio.RemoveObjectOptions{}); err != nil {
		return fmt.Errorf("delete %s from %s: %w", name, t, err)
	}
	return nil
}
