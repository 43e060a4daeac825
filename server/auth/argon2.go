package auth

import (
	"crypto/subtle"
	"encoding/base64"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Bounds on the salt and hash lengths of an argon2 PHC string, in bytes.
// The reference implementation refuses salts under 8 bytes and tags under 4.
const (
	minArgon2Salt = 8
	minArgon2Hash = 4
	maxArgon2Salt = 1024
	maxArgon2Hash = 1024
)

// argon2Params are the cost parameters of an argon2 PHC string.
type argon2Params struct {
	memory  uint32 // KiB
	time    uint32
	threads uint8
}

// verifyArgon2 checks password against an argon2id or argon2i PHC string:
// $argon2id$v=19$m=65536,t=3,p=4$SALT$HASH, salt and hash in standard base64
// without padding. format only names the format in errors.
func verifyArgon2(format, phc, password string) error {
	fields := strings.Split(phc, "$")
	switch {
	case len(fields) == 5 && strings.HasPrefix(fields[2], "m="):
		return invalid(format, "no version field: argon2 1.0 (v=16) is not supported, only v=19")
	case len(fields) != 6:
		return invalid(format, "%d parts, want 5: $argon2id$v=19$m=M,t=T,p=P$SALT$HASH", len(fields)-1)
	case fields[2] != "v=19":
		return invalid(format, "%s: only v=19 is supported", describeVersion(fields[2]))
	}
	params, err := parseArgon2Params(format, fields[3])
	if err != nil {
		return err
	}
	salt, err := decodePHCBase64(fields[4])
	if err != nil || len(salt) < minArgon2Salt || len(salt) > maxArgon2Salt {
		return invalid(format, "salt is not %d to %d bytes of base64", minArgon2Salt, maxArgon2Salt)
	}
	want, err := decodePHCBase64(fields[5])
	if err != nil || len(want) < minArgon2Hash || len(want) > maxArgon2Hash {
		return invalid(format, "hash is not %d to %d bytes of base64", minArgon2Hash, maxArgon2Hash)
	}
	key := argon2.IDKey
	if fields[1] == "argon2i" {
		key = argon2.Key
	}
	got := key([]byte(password), salt, params.time, params.memory, params.threads, uint32(len(want)))
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return ErrMismatch
	}
	return nil
}

// describeVersion names the version of a "v=N" field, or says that the field
// is malformed: nothing else of the string reaches an error.
func describeVersion(field string) string {
	v, ok := strings.CutPrefix(field, "v=")
	if n, err := strconv.ParseUint(v, 10, 16); ok && err == nil {
		return "version " + strconv.FormatUint(n, 10)
	}
	return "malformed version field"
}

// parseArgon2Params parses "m=M,t=T,p=P" (in this order, as the PHC format
// and every implementation write it) and checks the bounds.
func parseArgon2Params(format, s string) (argon2Params, error) {
	var m, t, p uint64
	fields := strings.Split(s, ",")
	if len(fields) != 3 {
		return argon2Params{}, invalid(format, "parameters are not m=M,t=T,p=P")
	}
	for i, f := range []struct {
		name string
		dst  *uint64
	}{{"m=", &m}, {"t=", &t}, {"p=", &p}} {
		v, ok := strings.CutPrefix(fields[i], f.name)
		n, err := strconv.ParseUint(v, 10, 32)
		if !ok || err != nil {
			return argon2Params{}, invalid(format, "parameters are not m=M,t=T,p=P")
		}
		*f.dst = n
	}
	switch {
	case t < 1 || t > MaxArgon2Time:
		return argon2Params{}, invalid(format, "t=%d is outside 1..%d", t, MaxArgon2Time)
	case p < 1 || p > MaxArgon2Threads:
		return argon2Params{}, invalid(format, "p=%d is outside 1..%d", p, MaxArgon2Threads)
	case m < 8*p || m > MaxArgon2Memory:
		return argon2Params{}, invalid(format, "m=%d KiB is outside 8*p..%d", m, MaxArgon2Memory)
	}
	return argon2Params{memory: uint32(m), time: uint32(t), threads: uint8(p)}, nil
}

// decodePHCBase64 decodes the standard base64 of PHC strings, written without
// padding; padding is tolerated.
func decodePHCBase64(s string) ([]byte, error) {
	return base64.RawStdEncoding.Strict().DecodeString(strings.TrimRight(s, "="))
}
