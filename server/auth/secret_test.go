package auth

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestLoadOrCreateSecretCreates(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "var", "keys")
	path := filepath.Join(dir, "session.key")
	key, err := LoadOrCreateSecret(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(key) != GeneratedSecretBytes {
		t.Errorf("key of %d bytes, want %d", len(key), GeneratedSecretBytes)
	}
	assertMode(t, path, 0o600)
	assertMode(t, dir, 0o700)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := base64.StdEncoding.EncodeToString(key) + "\n"; string(data) != want {
		t.Errorf("file holds %q, want the key in base64 and a newline", data)
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 1 {
		t.Errorf("directory holds %d entries (err %v), want only the key file", len(entries), err)
	}

	again, err := LoadOrCreateSecret(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, key) {
		t.Error("second load returned another key, want the same")
	}
}

func TestLoadOrCreateSecretConcurrentCreate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "session.key")
	keys := make([][]byte, 8)
	var wg sync.WaitGroup
	for i := range keys {
		wg.Go(func() {
			key, err := LoadOrCreateSecret(path)
			if err != nil {
				t.Error(err)
			}
			keys[i] = key
		})
	}
	wg.Wait()
	for i, key := range keys {
		if !bytes.Equal(key, keys[0]) {
			t.Errorf("caller %d got another key than caller 0, want one key for all", i)
		}
	}
}

func TestLoadOrCreateSecretReads(t *testing.T) {
	raw32 := "abcdefghijklmnopqrstuvwxyz!@#$%^" // 32 bytes, not base64
	b64 := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("k", 40)))
	tests := []struct {
		name, content, want string
	}{
		{"base64", b64 + "\n", strings.Repeat("k", 40)},
		{"base64 surrounded by white space", "\n  " + b64 + " \r\n", strings.Repeat("k", 40)},
		{"raw", raw32, raw32},
		{"raw with newline", raw32 + "\n", raw32},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, tt.content, 0o600)
			key, err := LoadOrCreateSecret(path)
			if err != nil {
				t.Fatal(err)
			}
			if string(key) != tt.want {
				t.Errorf("key=%q, want %q", key, tt.want)
			}
		})
	}
	t.Run("read only", func(t *testing.T) {
		if _, err := LoadOrCreateSecret(writeFile(t, raw32, 0o400)); err != nil {
			t.Errorf("mode 0400: %v, want accepted", err)
		}
	})
}

func TestLoadOrCreateSecretRefuses(t *testing.T) {
	short := base64.StdEncoding.EncodeToString([]byte("only-31-bytes-of-key-material!!"))
	good := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("s", 48)))
	tests := []struct {
		name    string
		content string
		mode    os.FileMode
		want    []string // in the message, %s standing for the path
	}{
		{"empty", "", 0o600, []string{"%s holds 0 bytes", "delete it to have a new one generated, or put at least 32 random bytes in it"}},
		{"white space", " \n", 0o600, []string{"%s holds 0 bytes", "delete it"}},
		{"short base64", short, 0o600, []string{"%s holds 31 bytes", "delete it"}},
		{"short base64 lookalike", "hunter2hunter2hu", 0o600, []string{"holds 12 bytes", "at least 32"}}, // valid base64
		{"short raw not base64", "correct horse battery", 0o600, []string{"holds 21 bytes"}},
		{"world readable", good, 0o644, []string{"mode 0644", "chmod 600 %s"}},
		{"group readable", good, 0o640, []string{"mode 0640", "chmod 600 %s"}},
		{"world writable", good, 0o602, []string{"chmod 600 %s"}},
		{"too large", strings.Repeat("x", 5000), 0o600, []string{"%s is over 4096 bytes"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, tt.content, tt.mode)
			key, err := LoadOrCreateSecret(path)
			if err == nil {
				t.Fatalf("key of %d bytes, want an error", len(key))
			}
			for _, want := range tt.want {
				if want = strings.ReplaceAll(want, "%s", path); !strings.Contains(err.Error(), want) {
					t.Errorf("err=%q, want it to contain %q", err, want)
				}
			}
			if c := strings.TrimSpace(tt.content); len(c) > 4 && strings.Contains(err.Error(), c[:len(c)/2]) {
				t.Errorf("err=%q shows the file's content", err)
			}
		})
	}
	t.Run("directory", func(t *testing.T) {
		dir := t.TempDir()
		if _, err := LoadOrCreateSecret(dir); err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("err=%v, want not a regular file", err)
		}
	})
	t.Run("parent is a file", func(t *testing.T) {
		file := writeFile(t, good, 0o600)
		if _, err := LoadOrCreateSecret(filepath.Join(file, "session.key")); err == nil {
			t.Error("err=nil, want an error")
		}
	})
}

func writeFile(t *testing.T, content string, mode os.FileMode) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "session.key")
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil { // not reduced by the umask
		t.Fatal(err)
	}
	return path
}

func assertMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := info.Mode().Perm(); got != want {
		t.Errorf("%s: mode %04o, want %04o", path, got, want)
	}
}
