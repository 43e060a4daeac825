// Package offsitetest starts a real S3-protocol server (gofakes3 with its
// in-memory backend, over HTTP on loopback) for tests of off-site copies.
package offsitetest

import (
	"net"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// Credentials the test server accepts (gofakes3 checks none, the client
// signs with them all the same).
const (
	AccessKey = "weekback-test"
	SecretKey = "weekback-test-secret"
)

// S3 is a running S3-protocol server with one bucket.
type S3 struct {
	Bucket string
	Addr   string
	srv    *http.Server
	ln     net.Listener
}

// StartS3 serves an in-memory S3 with bucket on 127.0.0.1 until the test
// ends (or Stop).
func StartS3(tb testing.TB, bucket string) *S3 {
	tb.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket(bucket); err != nil {
		tb.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	s := &S3{Bucket: bucket, Addr: ln.Addr().String(), ln: ln,
		srv: &http.Server{Handler: gofakes3.New(backend).Server(), ReadHeaderTimeout: 10 * time.Second}}
	go s.srv.Serve(ln)
	tb.Cleanup(s.Stop)
	return s
}

// URL returns the offsite.target of prefix in the bucket.
func (s *S3) URL(prefix string) string {
	return "s3://" + s.Bucket + "/" + url.PathEscape(prefix) + "?endpoint=" + url.QueryEscape(s.Addr) + "&region=us-east-1&insecure=1"
}

// Stop stops the server: clients then fail to connect.
func (s *S3) Stop() { s.srv.Close() }
