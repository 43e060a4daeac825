package server

import (
	"bytes"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/weekback/weekback/i18n"
)

// TestWrappedPagesRenderAsTheEngine renders pages through the wrapped
// templates and through the html engine's Render with the layout: the
// bytes must be the same.
func TestWrappedPagesRenderAsTheEngine(t *testing.T) {
	v := newLocalizedViews(i18n.MustLoad())
	if err := v.Load(); err != nil {
		t.Fatal(err)
	}
	bindings := map[string]fiber.Map{
		"error":       {"Title": "Oops <b>&", "Message": "a + b < c", "Lang": "en"},
		"login":       {"Title": "Log in", "Lang": "en", "CSRF": "tok'en", "Next": "/mon/?a=1&b=2"},
		"crosssite":   {"Title": "x", "Lang": "en"},
		"unencodable": {"Title": "x", "Lang": "en"},
	}
	for lang, e := range v.byLang {
		for name, binding := range bindings {
			t.Run(lang+"/"+name, func(t *testing.T) {
				var want, got bytes.Buffer
				errWant := e.Render(&want, name, binding, pageLayout)
				ok, errGot := renderPage(e, &got, name, binding, []string{pageLayout})
				if !ok {
					t.Fatalf("no wrapped template for %s", name)
				}
				if (errWant == nil) != (errGot == nil) {
					t.Fatalf("errors differ: engine %v, wrapped %v", errWant, errGot)
				}
				if got.String() != want.String() {
					t.Fatalf("wrapped page differs from the engine's:\n got %q\nwant %q", got.String(), want.String())
				}
				if errWant == nil && !strings.Contains(got.String(), "<main>") {
					t.Fatalf("page without the layout: %q", got.String())
				}
			})
		}
	}
	if ok, _ := renderPage(v.def, new(bytes.Buffer), "error", nil, nil); ok {
		t.Fatal("renderPage without a layout rendered, want it left to the engine")
	}
}
