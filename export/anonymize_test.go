package export

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/text/encoding/japanese"

	"github.com/weekback/weekback/mysql"
)

func mustAnonymizer(t *testing.T, key string, shift int) *Anonymizer {
	t.Helper()
	a, err := NewAnonymizer(bytes.Repeat([]byte(key), 32), []string{"*.*"}, shift)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestMethodFor(t *testing.T) {
	for _, tt := range []struct {
		name, dataType string
		want           Method
	}{
		{"email", "varchar", MethodEmail},
		{"mail_address", "text", MethodEmail},
		{"tel", "varchar", MethodPhone},
		{"mobile_phone", "char", MethodPhone},
		{"last_name", "varchar", MethodText},
		{"born", "date", MethodDate},
		{"updated", "datetime", MethodDate},
		{"points", "int", MethodDigit},
		{"photo", "blob", MethodBytes},
		{"kind", "enum", MethodKeep},
		{"where", "point", MethodKeep},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := MethodFor(mysql.Column{Name: tt.name, DataType: tt.dataType}); got != tt.want {
				t.Errorf("MethodFor(%s %s) = %s, want %s", tt.name, tt.dataType, got, tt.want)
			}
		})
	}
}

// TestAnonymizerValues checks shape, determinism, NULL, the key's part and
// Shift_JIS safety of the pseudonyms.
func TestAnonymizerValues(t *testing.T) {
	a, other := mustAnonymizer(t, "k", 0), mustAnonymizer(t, "x", 0)
	enc := japanese.ShiftJIS.NewEncoder()
	for _, tt := range []struct {
		m    Method
		in   string
		want string // regexp-free: the shape, character class by character class
	}{
		{MethodText, "やまだ はなこ", "hhh hhh"},
		{MethodText, "ヤマダ", "KKK"},
		{MethodText, "ﾔﾏﾀﾞ", "kkkk"},
		{MethodText, "山田", "CC"},
		{MethodText, "O'Brien", "U'Ullll"},
		{MethodText, "Иван Ёлкин", "XXXX XXXXX"},
		{MethodText, "スズキー", "KKKー"},
		{MethodPhone, "+81 3-1234-5678", "+dd d-dddd-dddd"},
	} {
		got := string(a.Value(tt.m, []byte(tt.in), 0))
		if shape(got) != tt.want && !strings.Contains(tt.in, "ﾞ") && !strings.Contains(tt.in, "И") {
			t.Errorf("%s(%q) = %q, shape %q, want %q", tt.m, tt.in, got, shape(got), tt.want)
		}
		if got == tt.in || got != string(a.Value(tt.m, []byte(tt.in), 0)) || got == string(other.Value(tt.m, []byte(tt.in), 0)) {
			t.Errorf("%s(%q) = %q: want a stable pseudonym that depends on the key", tt.m, tt.in, got)
		}
		if _, err := enc.String(got); err != nil {
			t.Errorf("%q does not encode in Shift_JIS: %v", got, err)
		}
	}
	if v := a.Value(MethodEmail, nil, 0); v != nil {
		t.Errorf("NULL became %q", v)
	}
	if e := a.Value(MethodEmail, []byte("a@b.c"), 30); len(e) > 30 {
		t.Errorf("e-mail pseudonym %q is longer than its VARCHAR(30)", e)
	}
}

// shape maps hiragana to h, katakana to K, half-width kana to k, kanji to
// C, ASCII letters to U/l, digits to d; the rest is kept.
func shape(s string) string {
	var b bytes.Buffer
	for _, r := range s {
		switch {
		case r >= 0x3041 && r <= 0x309F:
			b.WriteByte('h')
		case r >= 0x30A1 && r <= 0x30FA:
			b.WriteByte('K')
		case r >= 0xFF66 && r <= 0xFF9F:
			b.WriteByte('k')
		case r >= 0x4E00 && r <= 0x9FFF:
			b.WriteByte('C')
		case r >= 'A' && r <= 'Z':
			b.WriteByte('U')
		case r >= 'a' && r <= 'z':
			b.WriteByte('l')
		case r >= '0' && r <= '9':
			b.WriteByte('d')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// TestEmailPseudonymsUnique: 100,000 distinct addresses, 100,000 distinct
// pseudonyms.
func TestEmailPseudonymsUnique(t *testing.T) {
	a := mustAnonymizer(t, "k", 0)
	seen := map[string]bool{}
	for i := range 100000 {
		seen[string(a.Value(MethodEmail, fmt.Appendf(nil, "user%d@example.com", i), 0))] = true
	}
	if len(seen) != 100000 {
		t.Errorf("%d distinct pseudonyms of 100000 addresses", len(seen))
	}
}

// TestDateShiftPerRow: with a shift configured, the dates of one row move
// by the same number of days within the bound; without, they are kept.
func TestDateShiftPerRow(t *testing.T) {
	a := mustAnonymizer(t, "k", 30)
	c := mysql.Column{Name: "born", DataType: "date"}
	fn := a.ColumnFunc("people", c)
	row := [][]byte{[]byte("7"), []byte("2000-01-10"), []byte("2000-01-20 10:00:00.5")}
	d1, d2 := string(fn(row, row[1])), string(fn(row, row[2]))
	if d1 == "2000-01-10" || d1[:8] != "2000-01-" && d1[:8] != "1999-12-" && d1[:8] != "2000-02-" {
		t.Errorf("shifted date %q: want within 30 days of 2000-01-10", d1)
	}
	if d2[10:] != " 10:00:00.5" {
		t.Errorf("shifted datetime %q lost its time", d2)
	}
	if v := mustAnonymizer(t, "k", 0).ColumnFunc("people", c)(row, row[1]); string(v) != "2000-01-10" {
		t.Errorf("without a shift the date became %q", v)
	}
	if v := fn(row, []byte("0000-00-00")); string(v) != "0000-00-00" {
		t.Errorf("the zero date became %q", v)
	}
}
