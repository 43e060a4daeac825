package server_test

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/weekback/weekback/i18n"
)

// catalogKeyLiteral finds message keys written in Go source: string
// literals of the form "error.…" or "table.unknown".
var catalogKeyLiteral = regexp.MustCompile(`"((?:error\.[a-z_.]+[a-z_])|table\.unknown)"`)

// TestErrorKeysInCatalogs: every catalog key the root package and mysql
// give their errors (weekback.Error.WithKey), and every one the server
// uses, is in the English catalog (TestCatalogsComplete then requires it
// in every language), so no page falls back to English.
func TestErrorKeysInCatalogs(t *testing.T) {
	l := i18n.Default().Localizer(i18n.Default().Match("", "en"))
	seen := 0
	for _, dir := range []string{"..", "../mysql", "."} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			body, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range catalogKeyLiteral.FindAllStringSubmatch(string(body), -1) {
				seen++
				if !l.Has(m[1]) {
					t.Errorf("%s uses the key %s, which the catalogs lack", f, m[1])
				}
			}
		}
	}
	if seen < 20 {
		t.Fatalf("found only %d keys: the scan itself is broken", seen)
	}
}
