package main

import (
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql/mysqltest"
)

// TestBrowserHardening checks in Chromium what only a browser shows: the
// landing page hides the days' counts from visitors; links to a table and
// to records named "." and ".." open (a browser drops such path segments);
// a download another site links to answers a page whose button downloads
// it from here.
func TestBrowserHardening(t *testing.T) {
	exe := chromiumPath(t)
	db := mysqltest.MustOpen(t)
	src, prefix := mustLoadGrantsSource(t, db), newPrefix(t, db)
	q := "`" + src + "`."
	mysqltest.MustExec(t, db, "CREATE TABLE "+q+"`..` (k VARCHAR(10) PRIMARY KEY, v VARCHAR(20))",
		"INSERT INTO "+q+"`..` VALUES ('.', 'value-of-dot'), ('..', 'value-of-dots')")
	addr := freeAddr(t)
	cfg := writeConfig(t, testConfig{SourceDSN: mysqltest.DSN(t, src), BackupDSN: mysqltest.DSN(t, ""), Prefix: prefix,
		Extra: fmt.Sprintf("server:\n  listen: %q\n  base_url: %q\n  session_secret_file: %q\n",
			addr, "http://"+addr, filepath.Join(t.TempDir(), "session.key"))})
	mustSnapshot(t, cfg, weekback.Monday)
	appendReaderDSN(t, cfg, mysqltest.DSN(t, ""))
	base := "http://" + waitListening(t, startWeekback(t, cfg, "serve"))
	b := newBrowser(t, exe, base)

	b.open("/")
	if b.exists("table.days th.num") || !b.exists("table.days time") {
		t.Fatal("the anonymous landing page shows the days' counts, or no snapshot time")
	}
	b.shot("landing-anonymous")
	b.open("/login?next=/mon/")
	b.run("fill the login form", chromedp.SendKeys(chromedp.CSS(`input[name="login"]`), "support"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), zooPassword))
	b.clickAndWait(`form[action="/login"] [type="submit"]`)
	checkDotLinks(t, b)
	checkCrossSiteDownload(t, b, base)
}

// checkDotLinks clicks, from the day page, the table "..", then its
// records "." and "..": each opens its own page.
func checkDotLinks(t *testing.T, b *browser) {
	t.Helper()
	b.clickAndWait(`table.tables a[href="/mon/tables/~.."]`)
	if p := b.where(); p.Path != "/mon/tables/~.." || p.Status != 200 || !b.exists(`a[href="/mon/tables/~../rows/~."]`) {
		t.Fatalf("the link to table .. led to %s (HTTP %d), want its records", p.Path, p.Status)
	}
	for key, want := range map[string]string{"~.": "value-of-dot", "~..": "value-of-dots"} {
		b.open("/mon/tables/~..")
		b.clickAndWait(`a[href="/mon/tables/~../rows/` + key + `"]`)
		var text string
		b.eval(`document.body.innerText`, &text)
		if p := b.where(); p.Status != 200 || !strings.Contains(text, want) {
			t.Fatalf("the record link %s led to %s (HTTP %d) without %q", key, p.Path, p.Status, want)
		}
	}
	b.shot("record-dot-dot")
}

// checkCrossSiteDownload follows a link to a CSV download from a page of
// another site (localhost, while the server is 127.0.0.1): the server
// answers its page with a download button, which fetches the CSV from here.
func checkCrossSiteDownload(t *testing.T, b *browser, base string) {
	t.Helper()
	download := base + "/mon/tables/orders/export.csv"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	other := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!doctype html><a id="lure" href="%s">free prize</a>`, download)
	})}
	go other.Serve(ln)
	t.Cleanup(func() { other.Close() })
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	b.run("open the other site", chromedp.Navigate("http://localhost:"+port+"/"))
	b.clickAndWait("#lure")
	if p := b.where(); p.Path != "/mon/tables/orders/export.csv" || p.Status != 403 || !b.exists(`a.download-button[href="/mon/tables/orders/export.csv"]`) {
		t.Fatalf("the cross-site link led to %s (HTTP %d), want the 403 page with a download button", p.Path, p.Status)
	}
	b.shot("cross-site-download")
	var got struct {
		Status int    `json:"status"`
		Head   string `json:"head"`
	}
	b.eval(`fetch(document.querySelector("a.download-button").href).then(async r => ({status: r.status, head: (await r.text()).slice(0, 20)}))`, &got)
	if got.Status != 200 || !strings.HasPrefix(got.Head, `"id","customer"`) {
		t.Fatalf("the button's download from this site = %d %q, want 200 with the CSV", got.Status, got.Head)
	}
}
