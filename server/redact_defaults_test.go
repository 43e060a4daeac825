package server_test

import (
	"strings"
	"testing"

	"github.com/weekback/weekback"
)

// TestCredentialLikeColumnsMasked: columns named like credentials
// (api_key, *token*, *secret*, *password*) are masked on pages and left
// out of downloads by default; with NoDefaultRedact
// (exports.redact_defaults: false) they are shown.
func TestCredentialLikeColumnsMasked(t *testing.T) {
	f := mustOpenExportServer(t)
	f.serveDay(t, weekback.Saturday, []weekback.TableInfo{{Name: "shops", Rows: 1}},
		"CREATE TABLE $S.shops (id INT PRIMARY KEY, name VARCHAR(20), api_key VARCHAR(40), reset_token VARCHAR(40), "+
			"client_secret VARCHAR(40), old_password VARCHAR(40))",
		"INSERT INTO $S.shops VALUES (1, 'Zoo shop', 'ak-LEAK-1', 'rt-LEAK-2', 'cs-LEAK-3', 'pw-LEAK-4')")
	f.secrets = append(f.secrets, "-LEAK-")
	p := f.records(t, "/sat/tables/shops")
	var masked []string
	for _, c := range p.Columns {
		if c.Masked {
			masked = append(masked, c.Name)
		}
	}
	if strings.Join(masked, ",") != "api_key,reset_token,client_secret,old_password" {
		t.Fatalf("masked columns = %v, want api_key, reset_token, client_secret, old_password", masked)
	}
	csv := f.get(t, "/sat/tables/shops/export.csv", false)
	if csv.status != 200 || !strings.HasPrefix(csv.body, `"id","name"`+"\r\n") || !strings.Contains(csv.body, "Zoo shop") {
		t.Fatalf("export.csv = %d:\n%s", csv.status, csv.body)
	}

	f.srv.NoDefaultRedact = true
	f.secrets = f.secrets[:len(f.secrets)-1]
	if r := f.get(t, "/sat/tables/shops/export.csv", false); !strings.Contains(r.body, "ak-LEAK-1") || !strings.Contains(r.body, "pw-LEAK-4") {
		t.Fatalf("export.csv with the defaults off = %d, want every column:\n%s", r.status, r.body)
	}
}
