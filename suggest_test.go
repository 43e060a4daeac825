package weekback_test

import (
	"testing"

	"github.com/weekback/weekback"
)

func TestSuggest(t *testing.T) {
	tables := []string{"customers", "orders", "order_items", "users"}
	for _, tc := range []struct{ name, want string }{
		{"oders", `did you mean "orders"?`},
		{"Customer", `did you mean "customers"?`},
		{"order_item", `did you mean "order_items"?`},
		{"payments", "the tables are: customers, orders, order_items, users"},
		{"x", "the tables are: customers, orders, order_items, users"},
	} {
		if got := weekback.Suggest(tc.name, "tables", tables); got != tc.want {
			t.Errorf("Suggest(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
	if got := weekback.Suggest("x", "tables", nil); got != "there are no tables" {
		t.Errorf("Suggest with no candidates = %q", got)
	}
	if got := weekback.NameList([]string{"a", "b", "c", "d"}, 2); got != "a, b … (2 more)" {
		t.Errorf("NameList = %q", got)
	}
}
