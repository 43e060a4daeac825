package template

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
)

// checksumPrefix starts every template checksum.
const checksumPrefix = "sha256:"

// Write sets t.Checksum and writes t to w as indented JSON (the
// format of docs/TEMPLATE_FORMAT.md). It returns w's error, if any. It
// changes t, so calls on the same template must not overlap.
func Write(w io.Writer, t *weekback.Template) error {
	sum, err := Checksum(t)
	if err != nil {
		return err
	}
	t.Checksum = sum
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(t); err != nil {
		return fmt.Errorf("write template: %w", err)
	}
	return nil
}

// Checksum returns "sha256:<hex>" of the canonical JSON of t
// without its checksum: compact, members in the documented order, no HTML
// escaping. t is not changed; it is safe for concurrent use.
func Checksum(t *weekback.Template) (string, error) {
	c := *t
	c.Checksum = ""
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(&c); err != nil {
		return "", fmt.Errorf("encode template: %w", err)
	}
	sum := sha256.Sum256(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
	return checksumPrefix + hex.EncodeToString(sum[:]), nil
}

// Read reads a template written by Write and checks it:
// its format version, its checksum, and that every table's DDL creates that
// table. Any problem is an EINVALID *weekback.Error that says what to do.
// It is safe for concurrent use.
func Read(r io.Reader) (*weekback.Template, error) {
	t, err := decodeTemplate(r)
	if err != nil {
		return nil, err
	}
	if err := checkFormat(t.Format); err != nil {
		return nil, err
	}
	if err := verifyChecksum(t); err != nil {
		return nil, err
	}
	if err := validateTemplate(t); err != nil {
		return nil, err
	}
	return t, nil
}

func decodeTemplate(r io.Reader) (*weekback.Template, error) {
	dec := json.NewDecoder(r)
	t := new(weekback.Template)
	err := dec.Decode(t)
	if err == nil && dec.More() {
		err = errors.New("more data after the template")
	}
	if err != nil {
		return nil, weekback.Errorf(weekback.EINVALID,
			"the file is not a valid template (%s): export it again with `weekback template`", jsonProblem(err, dec))
	}
	return t, nil
}

// jsonProblem describes a decoding error with its byte offset.
func jsonProblem(err error, dec *json.Decoder) string {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return fmt.Sprintf("bad JSON at byte %d: %v", syn.Offset, syn)
	}
	if errors.Is(err, io.EOF) {
		return "it is empty"
	}
	return fmt.Sprintf("%v, near byte %d", err, dec.InputOffset())
}

func checkFormat(format int) error {
	switch {
	case format == weekback.TemplateFormat:
		return nil
	case format == 0:
		return weekback.Errorf(weekback.EINVALID,
			"the file is not a Weekback template (it has no format version): export one with `weekback template`")
	case format > weekback.TemplateFormat:
		return weekback.Errorf(weekback.EINVALID,
			"the template has format version %d, newer than this weekback reads (%d): upgrade weekback", format, weekback.TemplateFormat)
	default:
		return weekback.Errorf(weekback.EINVALID,
			"the template has unknown format version %d (this weekback reads %d): export it again", format, weekback.TemplateFormat)
	}
}

func verifyChecksum(t *weekback.Template) error {
	if t.Checksum == "" {
		return weekback.Errorf(weekback.EINVALID, "the template has no checksum: export it again with `weekback template`")
	}
	want, err := Checksum(t)
	if err != nil {
		return err
	}
	if t.Checksum != want {
		return weekback.Errorf(weekback.EINVALID, "the template's checksum does not match: the file was changed after export: export it again")
	}
	return nil
}

// validateTemplate checks what the checksum cannot: the asked-for table is
// there, names are unique, and each DDL creates its own table (so applying
// a template only ever runs CREATE TABLE statements).
func validateTemplate(t *weekback.Template) error {
	if len(t.Tables) == 0 || t.Lookup(t.Table) == nil {
		return weekback.Errorf(weekback.EINVALID, "the template does not hold its table %q: export it again", t.Table)
	}
	seen := map[string]bool{}
	for _, tt := range t.Tables {
		if seen[tt.Name] {
			return weekback.Errorf(weekback.EINVALID, "the template lists table %q twice: export it again", tt.Name)
		}
		seen[tt.Name] = true
		if !strings.HasPrefix(tt.DDL, createPrefix(tt.Name)) {
			return weekback.Errorf(weekback.EINVALID,
				"the DDL of table %q in the template is not its CREATE TABLE statement: export it again", tt.Name)
		}
	}
	return nil
}

// createPrefix is how SHOW CREATE TABLE starts for table.
func createPrefix(table string) string {
	return "CREATE TABLE " + mysql.QuoteIdent(table) + " ("
}
