package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/weekback/weekback"
)

// TestDownloadNameWithoutBidi: a table whose name holds bidirectional
// controls is offered for download under a name without them, in both
// filename and filename*.
func TestDownloadNameWithoutBidi(t *testing.T) {
	f := mustOpenExportServer(t)
	controls := "\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069\u200E\u200F\u061C"
	table := "inv" + controls + "vsc.exe"
	f.serveDay(t, weekback.Saturday, []weekback.TableInfo{{Name: table, Rows: 1}},
		"CREATE TABLE $S.`"+table+"` (id INT PRIMARY KEY)", "INSERT INTO $S.`"+table+"` VALUES (1)")
	for _, suffix := range []string{"/export.csv", "/template.json"} {
		path := "/sat/tables/" + url.PathEscape(table) + suffix
		r := f.get(t, path, false)
		cd := r.header.Get("Content-Disposition")
		decoded, _ := url.PathUnescape(cd)
		if r.status != 200 || !strings.Contains(cd, "filename*=UTF-8''invvsc.exe") || strings.ContainsAny(decoded, controls) {
			t.Errorf("GET %s = %d, Content-Disposition %q; want the name without bidi controls", suffix, r.status, cd)
		}
	}
}

// TestCrossSiteDownloadRefused: a download another site sent the browser
// to (Sec-Fetch-Site: cross-site) answers 403 with a page whose button is
// the same download; from this site (same-origin) it goes through.
func TestCrossSiteDownloadRefused(t *testing.T) {
	f := mustOpenExportServer(t)
	for _, path := range []string{"/wed/tables/items/export.csv?f.id=le:3", "/wed/tables/items/template.json"} {
		cross := f.request(t, "GET", path, nil, []*http.Cookie{f.session}, map[string]string{"Sec-Fetch-Site": "cross-site"})
		button := `<a class="download-button" href="` + strings.ReplaceAll(path, "&", "&amp;") + `" download>Download the file</a>`
		if cross.status != 403 || !strings.Contains(cross.body, button) || cross.header.Get("Content-Disposition") != "" {
			t.Fatalf("GET %s from another site = %d, Content-Disposition %q; want 403 with %s:\n%.1500s",
				path, cross.status, cross.header.Get("Content-Disposition"), button, cross.body)
		}
		for _, site := range []string{"same-origin", "none", ""} {
			r := f.request(t, "GET", path, nil, []*http.Cookie{f.session}, map[string]string{"Sec-Fetch-Site": site})
			if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Disposition"), "attachment;") {
				t.Fatalf("GET %s with Sec-Fetch-Site %q = %d, want the download", path, site, r.status)
			}
		}
	}
	ja := f.request(t, "GET", "/wed/tables/items/export.csv", nil, []*http.Cookie{f.session, langCookie("ja")}, map[string]string{"Sec-Fetch-Site": "cross-site"})
	assertBody(t, "Japanese page", ja.body, []string{"他のサイトからのダウンロード", "ファイルをダウンロード"}, nil)
}
