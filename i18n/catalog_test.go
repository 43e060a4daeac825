package i18n

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"golang.org/x/text/language"
)

// MustLoadTest loads a catalog from files (name → content) under locales/.
func MustLoadTest(tb testing.TB, files map[string]string) *Catalog {
	tb.Helper()
	c, err := loadTest(files)
	if err != nil {
		tb.Fatalf("load: %v", err)
	}
	return c
}

func loadTest(files map[string]string) (*Catalog, error) {
	fsys := fstest.MapFS{}
	for name, text := range files {
		fsys["locales/"+name] = &fstest.MapFile{Data: []byte(text)}
	}
	return load(fsys, "locales")
}

func TestLoad(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := []language.Tag{language.English, language.French, language.Japanese}
	if got := c.Languages(); !slices.Equal(got, want) {
		t.Fatalf("Languages()=%v, want %v", got, want)
	}
	if n := len(c.tables[language.English]); n < 100 {
		t.Fatalf("English has %d keys, want at least 100", n)
	}
}

// TestLoadSplitFiles: a language's messages may be split over several
// files, named after the language up to the first dot.
func TestLoadSplitFiles(t *testing.T) {
	c, err := loadTest(map[string]string{"en.txt": `a = "A"`, "en.compare.txt": `b = "B"`, "ja.txt": `a = "あ"`, "ja.compare.txt": `b = "い"`})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Localizer(language.Japanese).T("b"); got != "い" {
		t.Fatalf("ja b=%q, want い", got)
	}
	if n := len(c.Languages()); n != 2 {
		t.Fatalf("%d languages, want 2", n)
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"no English", map[string]string{"ja.txt": `a = "b"`}, "no English catalog"},
		{"bad file name", map[string]string{"en.txt": `a = "b"`, "japanese.txt": `a = "b"`}, "file name must start with a language tag"},
		{"not canonical", map[string]string{"en.txt": `a = "b"`, "pt-br.txt": `a = "b"`}, "file name must start with a language tag"},
		{"key in two files", map[string]string{"en.txt": `a = "b"`, "en.more.txt": `a = "c"`}, "a is already defined in another en catalog file"},
		{"syntax", map[string]string{"en.txt": "a = \"b\"\nc = d\n"}, "locales/en.txt:2: c: the text must be in double quotes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadTest(tt.files)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err=%v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestMatch(t *testing.T) {
	c := Default()
	tests := []struct {
		name, cookie, header string
		want                 language.Tag
	}{
		{"nothing", "", "", language.English},
		{"header ja", "", "ja", language.Japanese},
		{"header ja-JP", "", "ja-JP,ja;q=0.9,en-US;q=0.8,en;q=0.7", language.Japanese},
		{"header fr-CA", "", "fr-CA", language.French},
		{"header fr-FR", "", "fr-FR,fr;q=0.9", language.French},
		{"header en-GB", "", "en-GB", language.English},
		{"unsupported de", "", "de", language.English},
		{"unsupported de-DE then fr", "", "de-DE,de;q=0.9,fr;q=0.5", language.French},
		{"q-values order", "", "en;q=0.1, ja;q=0.8, fr;q=0.5", language.Japanese},
		{"q-values fr over ja", "", "ja;q=0.1, fr;q=0.9", language.French},
		{"q zero refuses", "", "ja;q=0, fr", language.French},
		{"wildcard", "", "*", language.English},
		{"malformed header", "", "ja;q=x;;;", language.English},
		{"huge header", "", strings.Repeat("ja,", 1000), language.English},
		{"cookie wins", "fr", "ja-JP,ja;q=0.9", language.French},
		{"cookie en wins", "en", "ja", language.English},
		{"cookie with region", "ja-JP", "fr", language.Japanese},
		{"cookie unsupported", "de", "ja", language.Japanese},
		{"cookie garbage", "x;<script>", "fr", language.French},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.Match(tt.cookie, tt.header); got != tt.want {
				t.Fatalf("Match(%q, %q)=%v, want %v", tt.cookie, tt.header, got, tt.want)
			}
		})
	}
}

func TestParseLang(t *testing.T) {
	tests := []struct {
		in   string
		want language.Tag
		ok   bool
	}{
		{"en", language.English, true},
		{"ja", language.Japanese, true},
		{"fr", language.French, true},
		{"JA", language.Japanese, true},
		{"fr-CA", language.French, true},
		{" ja ", language.Japanese, true},
		{"de", language.Und, false},
		{"zh-Hans", language.Und, false},
		{"", language.Und, false},
		{"../etc", language.Und, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := ParseLang(tt.in)
			if got != tt.want || ok != tt.ok {
				t.Fatalf("ParseLang(%q)=%v,%v, want %v,%v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestName(t *testing.T) {
	c := Default()
	for tag, want := range map[language.Tag]string{language.English: "English", language.Japanese: "日本語", language.French: "Français", language.German: "de"} {
		if got := c.Name(tag); got != want {
			t.Errorf("Name(%v)=%q, want %q", tag, got, want)
		}
	}
}

func TestLocalizerOfUnsupportedTag(t *testing.T) {
	c := Default()
	tests := []struct{ in, want language.Tag }{
		{language.MustParse("fr-CA"), language.French},
		{language.MustParse("ja-JP"), language.Japanese},
		{language.German, language.English},
		{language.Und, language.English},
	}
	for _, tt := range tests {
		if got := c.Localizer(tt.in).Tag(); got != tt.want {
			t.Errorf("Localizer(%v).Tag()=%v, want %v", tt.in, got, tt.want)
		}
	}
	if got := c.Localizer(language.Japanese).Lang(); got != "ja" {
		t.Errorf("Lang()=%q, want ja", got)
	}
}
