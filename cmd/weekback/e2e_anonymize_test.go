package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/encoding/japanese"
)

// TestAnonymizedExport exports the customers twice with --anonymize and
// downloads the day anonymized: no original e-mail, name, kana or phone
// anywhere, the same pseudonyms both times, distinct e-mails, the same row
// count, kana still kana, every pseudonym encodable in Shift_JIS, the
// column left out of the globs kept, and the key file created 0600.
func TestAnonymizedExport(t *testing.T) {
	f := newDownloadFixture(t)
	var files []string
	for i := range 2 {
		out := filepath.Join(f.dir, "customers"+string(rune('a'+i))+".csv")
		mustRunWeekback(t, 0, f.cfg, "export", "--day", "mon", "--table", "customers", "--anonymize", "-o", out)
		files = append(files, out)
	}
	sqlPath := filepath.Join(f.dir, "anon.sql")
	mustRunWeekback(t, 0, f.cfg, "download", "--day", "mon", "--format", "sql", "--anonymize", "-o", sqlPath)
	a, b := mustRead(t, files[0]), mustRead(t, files[1])
	if a != b {
		t.Errorf("two anonymized exports differ:\n%s\n%s", a, b)
	}
	script := mustRead(t, sqlPath)
	for _, r := range customerRows {
		for _, v := range r[:4] {
			if strings.Contains(a, v) || strings.Contains(script, v) {
				t.Errorf("original value %q is in the anonymized output", v)
			}
		}
	}
	lines := strings.Split(strings.TrimSpace(a), "\r\n")
	if len(lines) != 1+len(customerRows) {
		t.Fatalf("%d lines, want a header and %d rows:\n%s", len(lines), len(customerRows), a)
	}
	emails := regexp.MustCompile(`u-[0-9a-f]{16}@example\.invalid`).FindAllString(a, -1)
	if len(emails) != len(customerRows) || emails[0] == emails[1] || emails[1] == emails[2] || emails[0] == emails[2] {
		t.Errorf("e-mail pseudonyms %v: want %d distinct", emails, len(customerRows))
	}
	for _, e := range emails {
		if !strings.Contains(script, e) {
			t.Errorf("the download's pseudonym of an e-mail differs from the export's (%s missing)", e)
		}
	}
	fields := strings.Split(lines[1], ",")
	if kana := strings.Trim(fields[3], `"`); !allKatakana(kana) || len([]rune(kana)) != 6 {
		t.Errorf("kana pseudonym %q: want 6 katakana", kana)
	}
	if phone := strings.Trim(fields[4], `"`); !regexp.MustCompile(`^0\d-\d{4}-\d{4}$`).MatchString(phone) {
		t.Errorf("phone pseudonym %q lost the format 03-1234-5678", phone)
	}
	if !strings.Contains(a, `"keep"`) || !strings.Contains(a, `"1980-04-01"`) {
		t.Errorf("the column outside the globs, or the date (no shift configured), changed:\n%s", a)
	}
	if _, err := japanese.ShiftJIS.NewEncoder().String(a); err != nil {
		t.Errorf("the anonymized export does not encode in Shift_JIS: %v", err)
	}
	if st, err := os.Stat(filepath.Join(f.dir, "anonymize.key")); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("anonymize.key: %v %v, want mode 0600", st, err)
	}
}

func allKatakana(s string) bool {
	for _, r := range s {
		if !unicode.Is(unicode.Katakana, r) {
			return false
		}
	}
	return s != ""
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
