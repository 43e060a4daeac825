package offsite

import (
	"bufio"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"
	"time"

	"filippo.io/age"

	"github.com/weekback/weekback"
)

// DefaultKeep is how many copies are kept when Keep is 0 (offsite.keep).
const DefaultKeep = 14

// timeFormat is the snapshot time in copy names (UTC, to the
// millisecond: two days snapshotted within one second still sort).
const timeFormat = "20060102T150405.000Z"

// Suffixes of a copy and of its checksum.
const (
	SuffixSQL       = ".sql.gz"
	SuffixEncrypted = ".age"
	SuffixChecksum  = ".sha256"
)

// Store writes, lists, fetches and prunes the copies of one backup prefix
// on a target. Its methods are safe for concurrent use.
type Store struct {
	Target Target
	Prefix string // backup.prefix: copies are <Prefix>-<day>-<time>.sql.gz
	Keep   int    // newest copies kept (DefaultKeep when 0)
	// Identity, when set, encrypts copies to its recipient with age (the
	// name then ends in .sql.gz.age) and decrypts them in Fetch.
	Identity *age.X25519Identity
}

// Copy is one complete copy on the target.
type Copy struct {
	Name       string           `json:"name"`
	Day        weekback.Weekday `json:"day"`
	SnapshotAt time.Time        `json:"snapshot_at"`
	Size       int64            `json:"size"`
	Encrypted  bool             `json:"encrypted,omitempty"`
}

// LoadIdentity reads an age identity (AGE-SECRET-KEY-1…) from path:
// offsite.encrypt_key_file. Errors name the key and the fix.
func LoadIdentity(path string) (*age.X25519Identity, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, weekback.Errorf(weekback.EINVALID, "offsite.encrypt_key_file: %v (create one with age-keygen -o FILE)", err)
	}
	ids, err := age.ParseIdentities(strings.NewReader(string(b)))
	if err == nil && len(ids) == 1 {
		if id, ok := ids[0].(*age.X25519Identity); ok {
			return id, nil
		}
	}
	return nil, weekback.Errorf(weekback.EINVALID, "offsite.encrypt_key_file %s must hold one age identity (AGE-SECRET-KEY-1…): create one with age-keygen -o FILE", path)
}

// Name returns the copy name of day's snapshot taken at at.
func (s *Store) Name(day weekback.Weekday, at time.Time) string {
	name := s.Prefix + "-" + string(day) + "-" + at.UTC().Format(timeFormat) + SuffixSQL
	if s.Identity != nil {
		name += SuffixEncrypted
	}
	return name
}

// Write stores the script write produces as day's copy of the snapshot
// taken at at: gzip, encrypted when an Identity is set, its checksum
// written after it; then the oldest copies beyond Keep are deleted. It
// returns the copy's name. Nothing is listed as a copy unless it is whole.
func (s *Store) Write(ctx context.Context, day weekback.Weekday, at time.Time, write func(w io.Writer) error) (string, error) {
	name := s.Name(day, at)
	pr, pw := io.Pipe()
	sum := sha256.New()
	go func() { pw.CloseWithError(s.encode(io.MultiWriter(pw, sum), write)) }()
	if err := s.Target.Put(ctx, name, pr); err != nil {
		pr.CloseWithError(err)
		return name, err
	}
	line := hex.EncodeToString(sum.Sum(nil)) + "  " + name + "\n"
	if err := s.Target.Put(ctx, name+SuffixChecksum, strings.NewReader(line)); err != nil {
		s.Target.Delete(context.WithoutCancel(ctx), name)
		return name, err
	}
	return name, s.Prune(ctx)
}

// encode writes the script through gzip (and age) into w.
func (s *Store) encode(w io.Writer, write func(w io.Writer) error) error {
	var enc io.WriteCloser = nopCloser{w}
	if s.Identity != nil {
		var err error
		if enc, err = age.Encrypt(w, s.Identity.Recipient()); err != nil {
			return fmt.Errorf("encrypt: %w", err)
		}
	}
	zw := gzip.NewWriter(enc)
	if err := write(zw); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return enc.Close()
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

// namePattern reads <prefix>-<day>-<time>.sql.gz[.age].
func (s *Store) namePattern() *regexp.Regexp {
	return regexp.MustCompile("^" + regexp.QuoteMeta(s.Prefix) + `-(mon|tue|wed|thu|fri|sat|sun)-([0-9]{8}T[0-9]{6}\.[0-9]{3}Z)\.sql\.gz(\.age)?$`)
}

// List returns the complete copies (those with their checksum), newest
// first.
func (s *Store) List(ctx context.Context) ([]Copy, error) {
	objs, err := s.Target.List(ctx)
	if err != nil {
		return nil, err
	}
	have := map[string]bool{}
	for _, o := range objs {
		have[o.Name] = true
	}
	re := s.namePattern()
	var out []Copy
	for _, o := range objs {
		m := re.FindStringSubmatch(o.Name)
		if m == nil || !have[o.Name+SuffixChecksum] {
			continue
		}
		at, _ := time.Parse(timeFormat, m[2])
		out = append(out, Copy{Name: o.Name, Day: weekback.Weekday(m[1]), SnapshotAt: at, Size: o.Size, Encrypted: m[3] != ""})
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].SnapshotAt.Equal(out[j].SnapshotAt) {
			return out[i].SnapshotAt.After(out[j].SnapshotAt)
		}
		return out[i].Name > out[j].Name
	})
	return out, nil
}

// Prune deletes the copies beyond the newest Keep (checksum first, so a
// copy half deleted is no longer listed).
func (s *Store) Prune(ctx context.Context) error {
	copies, err := s.List(ctx)
	if err != nil {
		return err
	}
	keep := s.Keep
	if keep <= 0 {
		keep = DefaultKeep
	}
	for i := keep; i < len(copies); i++ {
		if err := s.remove(ctx, copies[i].Name); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) remove(ctx context.Context, name string) error {
	if err := s.Target.Delete(ctx, name+SuffixChecksum); err != nil {
		return err
	}
	return s.Target.Delete(ctx, name)
}

// DeleteAll deletes every copy of the prefix (an erasure request), those
// without a checksum too, and returns how many it deleted.
func (s *Store) DeleteAll(ctx context.Context) (int, error) {
	objs, err := s.Target.List(ctx)
	if err != nil {
		return 0, err
	}
	re, n := s.namePattern(), 0
	for _, o := range objs {
		if re.MatchString(strings.TrimSuffix(o.Name, SuffixChecksum)) {
			if err := s.Target.Delete(ctx, o.Name); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}

// Fetch writes copy name, decompressed (and decrypted), to path: written
// aside and renamed only once the stored object matched its checksum. A
// copy that does not match is refused (EMISMATCH) and nothing is left at
// path.
func (s *Store) Fetch(ctx context.Context, name, path string) error {
	if !s.namePattern().MatchString(name) {
		return weekback.Errorf(weekback.EINVALID, "%q is not the name of an off-site copy of prefix %s (<prefix>-<day>-<time>.sql.gz): run `weekback offsite list` for the names", name, s.Prefix)
	}
	want, err := s.checksum(ctx, name)
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(dirOf(path), ".weekback-fetch-*")
	if err != nil {
		return fmt.Errorf("fetch %s: %w", name, err)
	}
	defer os.Remove(f.Name())
	got, err := s.decode(ctx, name, f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if got != "" && got != want {
		return weekback.Errorf(weekback.EMISMATCH, "the off-site copy %s does not match its checksum (sha256 %s, expected %s): it is damaged; fetch an older copy", name, got, want)
	}
	if err != nil {
		return fmt.Errorf("fetch %s: %w", name, err)
	}
	return os.Rename(f.Name(), path)
}

// checksum reads name's .sha256 and returns its hex digest.
func (s *Store) checksum(ctx context.Context, name string) (string, error) {
	rc, err := s.Target.Get(ctx, name+SuffixChecksum)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	line, err := bufio.NewReader(io.LimitReader(rc, 4096)).ReadString('\n')
	fields := strings.Fields(line)
	if len(fields) != 2 || fields[1] != name || len(fields[0]) != 64 {
		return "", weekback.Errorf(weekback.EMISMATCH, "the checksum of the off-site copy %s is unreadable (%v): fetch another copy", name, err)
	}
	return fields[0], nil
}

// decode reads name, hashing what is stored, and writes it decrypted and
// decompressed to w; it returns the stored object's sha256 (hex) when it
// was read to its end.
func (s *Store) decode(ctx context.Context, name string, w io.Writer) (string, error) {
	rc, err := s.Target.Get(ctx, name)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	sum := sha256.New()
	var r io.Reader = io.TeeReader(ctxReader{ctx, rc}, sum)
	derr := s.decompress(r, name, w)
	// Hash whatever the decoder left unread, so a damaged copy is named as
	// such rather than as a decoding error.
	if _, err := io.Copy(io.Discard, r); err != nil {
		return "", err
	}
	return hex.EncodeToString(sum.Sum(nil)), derr
}

func (s *Store) decompress(r io.Reader, name string, w io.Writer) error {
	if strings.HasSuffix(name, SuffixEncrypted) {
		if s.Identity == nil {
			return weekback.Errorf(weekback.EINVALID, "%s is encrypted: set offsite.encrypt_key_file to the key it was written with", name)
		}
		var err error
		if r, err = age.Decrypt(r, s.Identity); err != nil {
			return err
		}
	}
	zr, err := gzip.NewReader(r)
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, zr); err != nil {
		return err
	}
	return zr.Close()
}

func dirOf(path string) string {
	if i := strings.LastIndexByte(path, os.PathSeparator); i >= 0 {
		return path[:i+1]
	}
	return "."
}
