package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql/mysqltest"
)

// TestDownloadJobEndToEnd drives "Download this day" through the server:
// a staff user sees no button and is refused (403); an admin sees it,
// starts an anonymized SQL download, the job reports its progress and
// succeeds with every row, its file (gzip) loads with the mariadb client
// with the customers' pseudonyms, a repeat replaces it, and the audit log
// records both downloads.
func TestDownloadJobEndToEnd(t *testing.T) {
	f := newDownloadFixture(t)
	p := startWeekback(t, f.cfg, "serve")
	base := "http://" + waitListening(t, p)

	staff := login(t, base, "support", zooPassword)
	if _, page := mustGet(t, staff, base+"/mon/", 200); strings.Contains(page, `action="/mon/downloads"`) {
		t.Errorf("a staff user sees the download form")
	}
	form := url.Values{"csrf": {mustCSRF(t, staff, base)}, "format": {"sql"}}
	if status, b := postForm(t, staff, base, "/mon/downloads", form.Encode(), true); status != http.StatusForbidden {
		t.Errorf("POST /mon/downloads as staff = %d, want 403: %.300s", status, b)
	}

	admin := login(t, base, "boss", zooPassword)
	if _, page := mustGet(t, admin, base+"/mon/", 200); !strings.Contains(page, `action="/mon/downloads"`) || !strings.Contains(page, `name="anonymize"`) {
		t.Fatalf("the admin's day page has no download form with the anonymize box:\n%.3000s", page)
	}
	form = url.Values{"csrf": {mustCSRF(t, admin, base)}, "format": {"sql"}, "anonymize": {"1"}}
	id := postJob(t, admin, base, "/mon/downloads", form)
	j := waitJobsFinal(t, admin, base, 1, 2*time.Minute)[id]
	if j.Status != weekback.JobSucceeded || j.RowsTotal == 0 || j.RowsDone != j.RowsTotal || !strings.HasSuffix(j.File, ".sql.gz") {
		t.Fatalf("download job = %+v, want succeeded with rows done = total > 0 and a .sql.gz file", j)
	}
	body := mustGetBytes(t, admin, base+"/jobs/"+itoa(id)+"/download")
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("the download is no gzip: %v", err)
	}
	script, _ := io.ReadAll(zr)
	path := filepath.Join(f.dir, "job.sql")
	if err := os.WriteFile(path, script, 0o600); err != nil {
		t.Fatal(err)
	}
	target := mysqltest.MustCreateSchema(t, f.db, "wbe_dlj_")
	mustLoadScript(t, "mariadb", target, path)
	var n int
	f.db.QueryRow("SELECT COUNT(*) FROM `" + target + "`.customers WHERE email LIKE 'u-%@example.invalid'").Scan(&n)
	if n != len(customerRows) || bytes.Contains(script, []byte(customerRows[0][0])) {
		t.Errorf("%d anonymized customers loaded, want %d and no original e-mail", n, len(customerRows))
	}

	again := postJob(t, admin, base, "/mon/downloads", form)
	waitJobsFinal(t, admin, base, 2, 2*time.Minute)
	resp, err := admin.Get(base + "/jobs/" + itoa(id) + "/download")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusGone {
		t.Errorf("the replaced download (job %d, replaced by %d) answers %d, want 410", id, again, resp.StatusCode)
	}
	checkDownloadAudited(t, admin, base, 2)
	checkAnonymizedExportForm(t, staff, base)
}

// checkAnonymizedExportForm: the export form offers the anonymize box,
// and the direct download with it holds pseudonyms, not the e-mails.
func checkAnonymizedExportForm(t *testing.T, c *http.Client, base string) {
	t.Helper()
	if _, page := mustGet(t, c, base+"/mon/tables/customers", 200); !strings.Contains(page, `name="anonymize"`) {
		t.Errorf("the export form has no anonymize box")
	}
	_, csv := mustGet(t, c, base+"/mon/tables/customers/export.csv?anonymize=1", 200)
	if strings.Contains(csv, customerRows[0][0]) || strings.Count(csv, "@example.invalid") != len(customerRows) {
		t.Errorf("the anonymized CSV download:\n%s", csv)
	}
}

// checkDownloadAudited fails unless the audit log holds want download
// entries by boss.
func checkDownloadAudited(t *testing.T, c *http.Client, base string, want int) {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/audit", nil)
	req.Header.Set("Accept", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Entries []weekback.AuditEntry }
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("GET /audit: %v\n%.500s", err, b)
	}
	n := 0
	for _, e := range out.Entries {
		if e.Action == weekback.AuditDownload && e.Login == "boss" && strings.Contains(e.Detail, "format=sql anonymize") {
			n++
		}
	}
	if n != want {
		t.Errorf("%d download entries by boss in the audit log, want %d:\n%.1000s", n, want, b)
	}
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }
