package offsite_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/offsite"
	"github.com/weekback/weekback/offsite/offsitetest"
)

// targets returns one of each kind of target: a directory and a real S3
// server on loopback.
func targets(t *testing.T) map[string]func(t *testing.T) offsite.Target {
	return map[string]func(t *testing.T) offsite.Target{
		"file": func(t *testing.T) offsite.Target {
			tg, err := offsite.OpenTarget("file://"+t.TempDir(), offsite.Options{})
			if err != nil {
				t.Fatal(err)
			}
			return tg
		},
		"s3": func(t *testing.T) offsite.Target {
			s3 := offsitetest.StartS3(t, "backups")
			env := map[string]string{"AWS_ACCESS_KEY_ID": offsitetest.AccessKey, "AWS_SECRET_ACCESS_KEY": offsitetest.SecretKey}
			tg, err := offsite.OpenTarget(s3.URL("wb/copies"), offsite.Options{Getenv: func(k string) string { return env[k] }})
			if err != nil {
				t.Fatal(err)
			}
			return tg
		},
	}
}

// script returns a writer of a fake day script of n lines.
func script(n int) func(w io.Writer) error {
	return func(w io.Writer) error {
		for i := range n {
			if _, err := fmt.Fprintf(w, "INSERT INTO t VALUES (%d, 'row %d');\n", i, i); err != nil {
				return err
			}
		}
		return nil
	}
}

// TestStoreConformance runs the same checks against every kind of target:
// keep N after N+2 copies, sha256sum-format checksums, fetch gives back
// the script, a damaged object is refused, and encrypted copies round-trip.
func TestStoreConformance(t *testing.T) {
	for kind, open := range targets(t) {
		t.Run(kind+"/keep", func(t *testing.T) { testKeep(t, open(t)) })
		t.Run(kind+"/corrupt", func(t *testing.T) { testCorrupt(t, open(t)) })
		t.Run(kind+"/encrypted", func(t *testing.T) { testEncrypted(t, open(t)) })
	}
}

func testKeep(t *testing.T, tg offsite.Target) {
	ctx := context.Background()
	st := &offsite.Store{Target: tg, Prefix: "wb", Keep: 2}
	at := time.Date(2026, 12, 1, 0, 30, 0, 0, time.UTC)
	var names []string
	for i, day := range []weekback.Weekday{"tue", "wed", "thu", "fri"} {
		name, err := st.Write(ctx, day, at.AddDate(0, 0, i), script(1000+i))
		if err != nil {
			t.Fatalf("write %s: %v", day, err)
		}
		names = append(names, name)
	}
	if want := "wb-fri-20261204T003000.000Z.sql.gz"; names[3] != want {
		t.Fatalf("name = %s, want %s", names[3], want)
	}
	copies, err := st.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(copies) != 2 || copies[0].Name != names[3] || copies[1].Name != names[2] {
		t.Fatalf("copies after 4 writes with keep 2 = %+v, want %s, %s", copies, names[3], names[2])
	}
	objs, _ := tg.List(ctx)
	if len(objs) != 4 {
		t.Fatalf("target holds %d objects, want 2 copies and their 2 checksums: %+v", len(objs), objs)
	}
	checkSum(t, tg, names[3])
	out := filepath.Join(t.TempDir(), "fri.sql")
	if err := st.Fetch(ctx, names[3], out); err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	script(1003)(&want)
	if got, _ := os.ReadFile(out); !bytes.Equal(got, want.Bytes()) {
		t.Fatalf("fetched %d bytes, want the %d-byte script", len(got), want.Len())
	}
}

// checkSum checks name's .sha256 the way `sha256sum -c` reads it.
func checkSum(t *testing.T, tg offsite.Target, name string) {
	t.Helper()
	read := func(n string) []byte {
		rc, err := tg.Get(context.Background(), n)
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		b, _ := io.ReadAll(rc)
		return b
	}
	sum := sha256.Sum256(read(name))
	if got, want := string(read(name+".sha256")), hex.EncodeToString(sum[:])+"  "+name+"\n"; got != want {
		t.Fatalf("checksum file = %q, want %q", got, want)
	}
}

func testCorrupt(t *testing.T, tg offsite.Target) {
	ctx := context.Background()
	st := &offsite.Store{Target: tg, Prefix: "wb", Keep: 3}
	name, err := st.Write(ctx, "mon", time.Now(), script(5000))
	if err != nil {
		t.Fatal(err)
	}
	rc, _ := tg.Get(ctx, name)
	b, _ := io.ReadAll(rc)
	rc.Close()
	b[len(b)/2] ^= 0x40
	if err := tg.Put(ctx, name, bytes.NewReader(b)); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "mon.sql")
	err = st.Fetch(ctx, name, out)
	if weekback.ErrorCode(err) != weekback.EMISMATCH || !strings.Contains(err.Error(), "does not match its checksum") {
		t.Fatalf("fetch of a damaged copy: %v, want a checksum mismatch", err)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Fatalf("a refused fetch left %s (%v)", out, err)
	}
}

func testEncrypted(t *testing.T, tg offsite.Target) {
	ctx := context.Background()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	st := &offsite.Store{Target: tg, Prefix: "wb", Keep: 3, Identity: id}
	name, err := st.Write(ctx, "sat", time.Now(), script(200))
	if err != nil || !strings.HasSuffix(name, ".sql.gz.age") {
		t.Fatalf("write: %s, %v; want a .sql.gz.age copy", name, err)
	}
	rc, _ := tg.Get(ctx, name)
	stored, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.HasPrefix(stored, []byte("age-encryption.org/v1")) {
		t.Fatalf("stored copy is not age-encrypted: %.40q", stored)
	}
	out := filepath.Join(t.TempDir(), "sat.sql")
	if err := st.Fetch(ctx, name, out); err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	script(200)(&want)
	if got, _ := os.ReadFile(out); !bytes.Equal(got, want.Bytes()) {
		t.Fatal("decrypted copy differs from the script")
	}
	other, _ := age.GenerateX25519Identity()
	if err := (&offsite.Store{Target: tg, Prefix: "wb", Identity: other}).Fetch(ctx, name, out+".2"); err == nil {
		t.Fatal("fetch with another key succeeded")
	}
}

// TestDeadS3Fails stops the S3 server: writing fails with an error and
// leaves nothing listed.
func TestDeadS3Fails(t *testing.T) {
	s3 := offsitetest.StartS3(t, "backups")
	env := map[string]string{"AWS_ACCESS_KEY_ID": offsitetest.AccessKey, "AWS_SECRET_ACCESS_KEY": offsitetest.SecretKey}
	tg, err := offsite.OpenTarget(s3.URL("wb"), offsite.Options{Getenv: func(k string) string { return env[k] }})
	if err != nil {
		t.Fatal(err)
	}
	s3.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := (&offsite.Store{Target: tg, Prefix: "wb"}).Write(ctx, "mon", time.Now(), script(10)); err == nil {
		t.Fatal("write to a stopped S3 server succeeded")
	}
}

// TestOpenTargetErrors names offsite.target and the fix.
func TestOpenTargetErrors(t *testing.T) {
	for _, raw := range []string{"ftp://x/y", "s3://bucket/p", "file://host/p"} {
		_, err := offsite.OpenTarget(raw, offsite.Options{Getenv: func(string) string { return "" }})
		if weekback.ErrorCode(err) != weekback.EINVALID || !strings.Contains(err.Error(), "offsite.target") {
			t.Errorf("%s: %v, want EINVALID naming offsite.target", raw, err)
		}
	}
	st := &offsite.Store{Target: nil, Prefix: "wb"}
	if err := st.Fetch(context.Background(), "../etc/passwd", filepath.Join(t.TempDir(), "x")); weekback.ErrorCode(err) != weekback.EINVALID {
		t.Errorf("fetch of a name that is no copy's: %v, want EINVALID", err)
	}
	s3 := "s3://bucket/p?endpoint=127.0.0.1:1"
	if _, err := offsite.OpenTarget(s3, offsite.Options{Getenv: func(string) string { return "" }}); err == nil || !strings.Contains(err.Error(), "AWS_ACCESS_KEY_ID") {
		t.Errorf("s3 without credentials: %v, want a sentence naming AWS_ACCESS_KEY_ID", err)
	}
}

// TestS3CredentialsFile: without AWS_* variables the credentials come
// from offsite.credentials_file; a file that cannot be read fails the
// copy instead of sending anonymous requests.
func TestS3CredentialsFile(t *testing.T) {
	s3 := offsitetest.StartS3(t, "backups")
	noEnv := func(string) string { return "" }
	good := filepath.Join(t.TempDir(), "credentials")
	body := "[default]\naws_access_key_id = " + offsitetest.AccessKey + "\naws_secret_access_key = " + offsitetest.SecretKey + "\n"
	if err := os.WriteFile(good, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		file string
		ok   bool
	}{{good, true}, {filepath.Join(t.TempDir(), "missing"), false}} {
		tg, err := offsite.OpenTarget(s3.URL("wb"), offsite.Options{CredentialsFile: tc.file, Getenv: noEnv})
		if err != nil {
			t.Fatal(err)
		}
		_, err = (&offsite.Store{Target: tg, Prefix: "wb"}).Write(context.Background(), "mon", time.Now(), script(10))
		if (err == nil) != tc.ok {
			t.Errorf("credentials file %s: write error %v, want success %v", filepath.Base(tc.file), err, tc.ok)
		}
	}
}
