package i18n

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"

	"golang.org/x/text/language"
)

// CookieName is the cookie that remembers the language picked with the
// switcher. Its value is a language tag such as "ja".
const CookieName = "weekback_lang"

// maxHeaderLen bounds the Accept-Language header and cookie values that are
// parsed; longer values are ignored.
const maxHeaderLen = 512

//go:embed locales/*.txt
var locales embed.FS

// Catalog holds the messages of every supported language. It is immutable
// once loaded and safe for concurrent use.
type Catalog struct {
	tags    []language.Tag // English first, then the others sorted by tag
	tables  map[language.Tag]table
	matcher language.Matcher
	locs    map[language.Tag]*Localizer
}

// Load parses the embedded catalogs. It returns an error naming the file and
// line of the first syntax error, or when the English catalog is missing.
func Load() (*Catalog, error) {
	return load(locales, "locales")
}

// MustLoad is Load for package initialisation: it panics on error (which a
// test catches before any release, the catalogs being embedded).
func MustLoad() *Catalog {
	c, err := Load()
	if err != nil {
		panic(err)
	}
	return c
}

var defaultCatalog = sync.OnceValue(MustLoad)

// Default returns the embedded catalogs, loaded once. It panics if they do
// not parse. Safe for concurrent use.
func Default() *Catalog { return defaultCatalog() }

func load(fsys fs.FS, dir string) (*Catalog, error) {
	files, err := fs.Glob(fsys, path.Join(dir, "*.txt"))
	if err != nil {
		return nil, fmt.Errorf("list catalogs: %w", err)
	}
	c := &Catalog{tables: map[language.Tag]table{}, locs: map[language.Tag]*Localizer{}}
	for _, name := range files {
		tag, t, err := loadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		if err := c.add(name, tag, t); err != nil {
			return nil, err
		}
	}
	if c.tables[language.English] == nil {
		return nil, fmt.Errorf("no English catalog (%s/en.txt): English is the source of every key", dir)
	}
	sort.Slice(c.tags, func(i, j int) bool { return c.rank(c.tags[i]) < c.rank(c.tags[j]) })
	c.matcher = language.NewMatcher(c.tags)
	for _, tag := range c.tags {
		c.locs[tag] = newLocalizer(tag, c.tables[tag], c.tables[language.English])
	}
	return c, nil
}

// add merges one file's messages into its language's table: a language may
// be split over several files (ja.txt, ja.compare.txt), each key in one.
func (c *Catalog) add(name string, tag language.Tag, t table) error {
	all := c.tables[tag]
	if all == nil {
		c.tables[tag] = t
		c.tags = append(c.tags, tag)
		return nil
	}
	for key, e := range t {
		if _, dup := all[key]; dup {
			return fmt.Errorf("%s: %s is already defined in another %s catalog file", name, key, tag)
		}
		all[key] = e
	}
	return nil
}

// rank orders languages: English first, then by tag.
func (c *Catalog) rank(t language.Tag) string {
	if t == language.English {
		return ""
	}
	return t.String()
}

func loadFile(fsys fs.FS, name string) (language.Tag, table, error) {
	// ja.txt, or ja.compare.txt: the language tag is the name up to the first dot.
	base, _, _ := strings.Cut(path.Base(name), ".")
	tag, err := language.Parse(base)
	if err != nil || tag.String() != base {
		return language.Und, nil, fmt.Errorf("%s: the file name must start with a language tag, such as ja.txt, ja.compare.txt or pt-BR.txt", name)
	}
	f, err := fsys.Open(name)
	if err != nil {
		return language.Und, nil, fmt.Errorf("open catalog: %w", err)
	}
	defer f.Close()
	t, err := parseCatalog(name, f)
	return tag, t, err
}

// Languages returns the supported languages, English first. The slice is a
// copy.
func (c *Catalog) Languages() []language.Tag {
	return append([]language.Tag(nil), c.tags...)
}

// Name returns a language's name in that language ("日本語"), for the
// language switcher; the tag itself when it is not supported.
func (c *Catalog) Name(tag language.Tag) string {
	if l := c.locs[tag]; l != nil {
		return l.T("language.name")
	}
	return tag.String()
}

// Match picks the language of a request: the cookie when it names a
// supported language, else the best match of the Accept-Language header,
// else English. It never fails.
func (c *Catalog) Match(cookie, acceptLanguage string) language.Tag {
	if tag, ok := c.Parse(cookie); ok {
		return tag
	}
	if acceptLanguage == "" || len(acceptLanguage) > maxHeaderLen {
		return language.English
	}
	desired, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(desired) == 0 {
		return language.English
	}
	_, i, conf := c.matcher.Match(desired...)
	if conf == language.No {
		return language.English
	}
	return c.tags[i]
}

// Parse reads a language tag as the switcher and its cookie send it ("ja",
// "fr", also "fr-CA" or "JA") and returns the supported language it names.
// ok is false for anything else, including languages that have no catalog.
func (c *Catalog) Parse(s string) (tag language.Tag, ok bool) {
	if s == "" || len(s) > maxHeaderLen {
		return language.Und, false
	}
	t, err := language.Parse(strings.TrimSpace(s))
	if err != nil {
		return language.Und, false
	}
	for _, cand := range []language.Tag{t, baseTag(t)} {
		if _, ok := c.tables[cand]; ok {
			return cand, true
		}
	}
	return language.Und, false
}

func baseTag(t language.Tag) language.Tag {
	b, _ := t.Base()
	tag, _ := language.Compose(b)
	return tag
}

// ParseLang is Parse on the embedded catalogs (Default).
func ParseLang(s string) (language.Tag, bool) { return Default().Parse(s) }

// Localizer returns the Localizer of tag; a tag without a catalog gets the
// Localizer of the best-matching supported language (English by default).
func (c *Catalog) Localizer(tag language.Tag) *Localizer {
	if l := c.locs[tag]; l != nil {
		return l
	}
	return c.locs[c.Match("", tag.String())]
}
