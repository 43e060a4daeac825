package auth

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// GeneratedSecretBytes is the size of the key LoadOrCreateSecret generates.
const GeneratedSecretBytes = 48

// maxSecretFileBytes bounds what LoadOrCreateSecret reads: a key file is
// short, a bigger file is the wrong file.
const maxSecretFileBytes = 4096

// LoadOrCreateSecret returns the session signing key kept in the file at path
// (server.session_secret_file).
//
// When the file does not exist it is created, with its directory (0700) when
// needed: 0600, holding GeneratedSecretBytes random bytes in standard base64
// and a newline. It is written to a temporary file and linked into place, so
// that replicas starting together on a shared directory all end up with the
// key of the first one.
//
// An existing file is read and white space around its content trimmed. Content
// that is valid standard padded base64 (what this function writes, or
// `openssl rand -base64 48`) is decoded and the decoded bytes are the key;
// anything else is used as it is, raw bytes. The key must be at least
// MinSecretBytes long, and the file readable by its owner only (mode 0600 or
// 0400): otherwise the error names the file and the fix.
//
// The key is never logged or put in an error.
func LoadOrCreateSecret(path string) ([]byte, error) {
	key, err := LoadOrCreateKey(path)
	if err != nil {
		return nil, fmt.Errorf("session secret: %w", err)
	}
	return key, nil
}

// LoadOrCreateKey is LoadOrCreateSecret for any key kept the same way
// (exports.anonymize_secret_file), its errors not prefixed.
func LoadOrCreateKey(path string) ([]byte, error) {
	key, err := readSecret(path)
	if errors.Is(err, fs.ErrNotExist) {
		key, err = createSecret(path)
	}
	return key, err
}

// readSecret reads and checks an existing key file.
func readSecret(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 && runtime.GOOS != "windows" {
		return nil, fmt.Errorf("%s can be read by other users (mode %04o): run chmod 600 %s", path, perm, path)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxSecretFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxSecretFileBytes {
		return nil, fmt.Errorf("%s is over %d bytes: is it the right file?", path, maxSecretFileBytes)
	}
	key := decodeSecret(data)
	if len(key) < MinSecretBytes {
		return nil, fmt.Errorf("%s holds %d bytes of key material, want at least %d: "+
			"delete it to have a new one generated, or put at least %d random bytes in it",
			path, len(key), MinSecretBytes, MinSecretBytes)
	}
	return key, nil
}

// decodeSecret returns the key held by a key file's content: decoded if it
// is standard padded base64, else the trimmed bytes themselves.
func decodeSecret(data []byte) []byte {
	text := bytes.TrimSpace(data)
	if key, err := base64.StdEncoding.Strict().DecodeString(string(text)); err == nil {
		return key
	}
	return text
}

// createSecret writes a new random key to path, unless another process
// creates the file first: then it returns that file's key.
func createSecret(path string) ([]byte, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	key := make([]byte, GeneratedSecretBytes)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp(dir, ".session-secret-*") // mode 0600
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name())
	if err := writeAndClose(tmp, base64.StdEncoding.EncodeToString(key)+"\n"); err != nil {
		return nil, err
	}
	// A link never replaces an existing file, unlike a rename.
	err = os.Link(tmp.Name(), path)
	switch {
	case errors.Is(err, fs.ErrExist):
		return readSecret(path)
	case err != nil: // a file system without hard links
		if err := os.Rename(tmp.Name(), path); err != nil {
			return nil, err
		}
	}
	return key, nil
}

func writeAndClose(f *os.File, content string) error {
	_, err := f.WriteString(content)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
