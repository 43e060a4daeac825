package server

import (
	"strings"
	"testing"

	"github.com/weekback/weekback/i18n"
)

// TestInlinedMessagesAsTheTemplates renders every template (each page in
// the layout, and each partial) in every language with the records page's
// binding, once with the messages inlined and once as parsed, and compares
// the bytes (and the errors, where a page needs data the binding lacks).
func TestInlinedMessagesAsTheTemplates(t *testing.T) {
	binding, _ := benchRecordsBinding(nil)
	inlined, parsed := newLocalizedViews(i18n.Default()), newLocalizedViews(i18n.Default())
	parsed.inline = false
	for _, v := range []*localizedViews{inlined, parsed} {
		if err := v.Load(); err != nil {
			t.Fatal(err)
		}
	}
	for lang, e := range inlined.byLang {
		binding["L"], binding["Lang"] = inlined.localizers[lang], lang
		rendered := 0
		for _, tmpl := range e.Templates.Templates() {
			name := tmpl.Name()
			var a, b strings.Builder
			errA := tmpl.Execute(&a, binding)
			errB := parsed.byLang[lang].Templates.Lookup(name).Execute(&b, binding)
			if a.String() != b.String() || (errA == nil) != (errB == nil) {
				t.Fatalf("%s, %s: inlined differs from parsed (errors %v, %v): %s", lang, name, errA, errB, firstDiff(a.String(), b.String()))
			}
			if errA == nil && a.Len() > 0 {
				rendered++
			}
		}
		if page := inlined.byLang[lang].Templates.Lookup(wrappedPage + "table"); page == nil || rendered < 20 {
			t.Fatalf("%s: %d templates rendered whole, want the records page and 20 at least", lang, rendered)
		}
	}
}
