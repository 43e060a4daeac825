package server_test

import (
	"net/url"
	"strings"
	"testing"
)

// ids returns the first field of each data row of a reimport CSV.
func ids(t *testing.T, body string) string {
	t.Helper()
	var out []string
	for _, row := range readCSV(t, body)[1:] {
		out = append(out, *row[0])
	}
	return strings.Join(out, " ")
}

// TestExportAgainst: export.csv with missing_in or changed_in writes
// exactly the rows of the table's changes page, with its filters.
func TestExportAgainst(t *testing.T) {
	f := mustOpenExportServer(t)
	addCompareCopies(t, f)
	for _, tt := range []struct{ path, want string }{
		{"/wed/tables/items/export.csv?missing_in=thu", "7 8"},
		{"/wed/tables/items/export.csv?changed_in=thu", "9"},
		{"/thu/tables/items/export.csv?missing_in=wed", "122"},
		{"/thu/tables/items/export.csv?changed_in=wed", "9"},
		{"/wed/tables/items/export.csv?missing_in=thu&f.name=eq:item008", "8"},
		{"/wed/tables/items/export.csv?missing_in=tue", ""},
		{"/tue/tables/items/export.csv?missing_in=wed&profile=spreadsheet&encoding=utf-8-bom", "121"},
		{"/wed/tables/legacy/export.csv?missing_in=thu", "1"},
	} {
		t.Run(tt.path, func(t *testing.T) {
			r := f.get(t, tt.path, false)
			if r.status != 200 {
				t.Fatalf("status %d\n%.1500s", r.status, r.body)
			}
			body := strings.TrimPrefix(r.body, "\ufeff")
			if got := ids(t, body); got != tt.want {
				t.Fatalf("ids %q, want %q\n%s", got, tt.want, r.body)
			}
		})
	}
	if body := f.get(t, "/wed/tables/items/export.csv?changed_in=thu", false).body; !strings.Contains(body, `"9","item009",NULL,`) {
		t.Errorf("changed_in=thu gives Wednesday's version of items 9 (note NULL):\n%s", body)
	}
	for _, tt := range []struct {
		query  string
		status int
		want   string
	}{
		{"missing_in=thu&changed_in=thu", 400, "exclude each other"},
		{"missing_in=xyz", 400, "is not a day"},
		{"missing_in=wed", 400, "Pick another day"},
		{"missing_in=production", 400, "weekback diff --from wed --to production"},
		{"missing_in=sun", 404, "no copy of Sunday"},
	} {
		if r := f.get(t, "/wed/tables/items/export.csv?"+tt.query, false); r.status != tt.status || !strings.Contains(r.body, tt.want) {
			t.Errorf("%s: status %d, want %d saying %q\n%.1500s", tt.query, r.status, tt.status, tt.want, r.body)
		}
	}
}

// TestExportAgainstJob: a background export keeps missing_in, and its
// file holds the same rows as the direct download.
func TestExportAgainstJob(t *testing.T) {
	f := MustOpenJobsServer(t, false)
	addCompareCopies(t, f.dayFixture)
	f.runner.Keys = f.srv.JobKeys
	if err := f.runner.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.runner.Close() })
	u := f.session(t, "bcrypt")
	id := f.mustSubmit(t, u, "items", url.Values{"missing_in": {"thu"}})
	j := f.waitJob(t, u, id)
	if j.Status != "succeeded" || j.RowsDone != 2 {
		t.Fatalf("job %+v", j)
	}
	r := f.do(t, u, "GET", "/jobs/"+itoa(id)+"/download", nil, false)
	if got := ids(t, r.body); got != "7 8" {
		t.Fatalf("the job's file has ids %q, want 7 8\n%s", got, r.body)
	}
}
