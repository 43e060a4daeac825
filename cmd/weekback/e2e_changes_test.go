package main

import (
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"testing"
)

// compareDays is how many days of the demo week the changes tests
// snapshot: Monday to Thursday, the day of the mass deletion.
const compareDays = 4

// TestChangesJSONEqualsDiff: the changes page's JSON holds the very
// tables list `weekback diff --json` prints for the same two days.
func TestChangesJSONEqualsDiff(t *testing.T) {
	base, cfg := startDemoDays(t, compareDays)
	c := login(t, base, "demo", "weekback-demo")
	var page struct {
		From   string            `json:"from"`
		To     string            `json:"to"`
		Tables []json.RawMessage `json:"tables"`
	}
	getJSON(t, c, base+"/thu/changes?against=wed", &page)
	stdout, _ := mustRunWeekback(t, 0, cfg, "diff", "--json", "--from", "wed", "--to", "thu")
	var cli struct {
		From   string            `json:"from"`
		To     string            `json:"to"`
		Tables []json.RawMessage `json:"tables"`
	}
	if err := json.Unmarshal([]byte(stdout), &cli); err != nil {
		t.Fatalf("diff --json: %v\n%s", err, stdout)
	}
	if page.From != "wed" || page.To != "thu" || cli.From != "wed" || cli.To != "thu" {
		t.Errorf("from/to: page %s→%s, diff %s→%s, want wed→thu", page.From, page.To, cli.From, cli.To)
	}
	if len(page.Tables) == 0 || !reflect.DeepEqual(decodeAll(t, page.Tables), decodeAll(t, cli.Tables)) {
		t.Fatalf("tables differ\npage: %s\ndiff: %s", page.Tables, cli.Tables)
	}
}

// getJSON fetches u as JSON into out and fails unless it answers 200.
func getJSON(t *testing.T, c *http.Client, u string, out any) {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	req.Header.Set("Accept", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s = %d\n%.1000s", u, resp.StatusCode, body)
	}
	if err := json.Unmarshal(body, out); err != nil {
		t.Fatalf("GET %s: %v\n%.1000s", u, err, body)
	}
}

func decodeAll(t *testing.T, raw []json.RawMessage) []map[string]any {
	t.Helper()
	out := make([]map[string]any, len(raw))
	for i, r := range raw {
		if err := json.Unmarshal(r, &out[i]); err != nil {
			t.Fatal(err)
		}
	}
	return out
}
