package weekback

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseFilter(t *testing.T) {
	for _, tt := range []struct {
		expr string
		want Filter
	}{
		{"status=eq:paid", Filter{Column: "status", Op: OpEq, Value: "paid"}},
		{"status=EQ:paid", Filter{Column: "status", Op: OpEq, Value: "paid"}},
		{"name=eq:", Filter{Column: "name", Op: OpEq, Value: ""}},
		{"at=ge:2026-01-31 12:00:00", Filter{Column: "at", Op: OpGe, Value: "2026-01-31 12:00:00"}},
		{"url=prefix:https://x.example/?a=b", Filter{Column: "url", Op: OpPrefix, Value: "https://x.example/?a=b"}},
		{"name=contains:O'Brien \"Bob\"", Filter{Column: "name", Op: OpContains, Value: `O'Brien "Bob"`}},
		{"name=eq:' OR 1=1 --", Filter{Column: "name", Op: OpEq, Value: "' OR 1=1 --"}},
		{"name=ne:`x`; DROP TABLE t", Filter{Column: "name", Op: OpNe, Value: "`x`; DROP TABLE t"}},
		{"name=lt:100%_\\", Filter{Column: "name", Op: OpLt, Value: `100%_\`}},
		{"名前=eq:山田 太郎 ✓", Filter{Column: "名前", Op: OpEq, Value: "山田 太郎 ✓"}},
		{"a b=le:a,b", Filter{Column: "a b", Op: OpLe, Value: "a,b"}},
		{"id=in:1,2,3", Filter{Column: "id", Op: OpIn, Values: []string{"1", "2", "3"}}},
		{"id=in:", Filter{Column: "id", Op: OpIn, Values: []string{""}}},
		{`name=in:a\,b,c\\,d\e,`, Filter{Column: "name", Op: OpIn, Values: []string{"a,b", `c\`, `d\e`, ""}}},
		{"name=in:x:y=z,'", Filter{Column: "name", Op: OpIn, Values: []string{"x:y=z", "'"}}},
		{"deleted_at=isnull", Filter{Column: "deleted_at", Op: OpIsNull}},
		{"deleted_at=isnull:", Filter{Column: "deleted_at", Op: OpIsNull}},
		{"deleted_at=notnull", Filter{Column: "deleted_at", Op: OpNotNull}},
	} {
		t.Run(tt.expr, func(t *testing.T) {
			got, err := ParseFilter(tt.expr)
			if err != nil {
				t.Fatalf("ParseFilter(%q): %v", tt.expr, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("ParseFilter(%q) = %#v, want %#v", tt.expr, got, tt.want)
			}
			back, err := ParseFilter(got.String())
			if err != nil || !reflect.DeepEqual(back, got) {
				t.Fatalf("ParseFilter(%q.String() = %q) = %#v, %v; want %#v", tt.expr, got.String(), back, err, got)
			}
			param, err := ParseFilterParam(got.Column, got.Param())
			if err != nil || !reflect.DeepEqual(param, got) {
				t.Fatalf("ParseFilterParam(%q, %q) = %#v, %v; want %#v", got.Column, got.Param(), param, err, got)
			}
		})
	}
}

func TestParseFilterErrors(t *testing.T) {
	for _, tt := range []struct {
		expr string
		want string // a part of the message
	}{
		{"status", `has no "="`},
		{"=eq:1", "names no column"},
		{"status=paid", `unknown operator "paid": use one of eq, ne, lt, le, gt, ge, contains, prefix, in, isnull, notnull`},
		{"status=like:a%", `unknown operator "like"`},
		{"status=", `unknown operator ""`},
		{"status=eq", "eq needs a value: write status=eq:VALUE"},
		{"status=in", "in needs a value"},
		{"deleted_at=isnull:x", "isnull takes no value: write deleted_at=isnull"},
		{"deleted_at=notnull:0", "notnull takes no value"},
		{"id=in:" + strings.Repeat("1,", MaxInValues), "at most 1000"},
	} {
		t.Run(tt.expr[:min(len(tt.expr), 30)], func(t *testing.T) {
			_, err := ParseFilter(tt.expr)
			if ErrorCode(err) != EINVALID {
				t.Fatalf("ParseFilter(%q): error %v (code %q), want code %q", tt.expr, err, ErrorCode(err), EINVALID)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("ParseFilter(%q): %q, want it to contain %q", tt.expr, err, tt.want)
			}
		})
	}
}

func TestParseFilterParam(t *testing.T) {
	got, err := ParseFilterParam("a=b", "eq:c=d:e")
	want := Filter{Column: "a=b", Op: OpEq, Value: "c=d:e"}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("ParseFilterParam = %#v, %v; want %#v", got, err, want)
	}
	for _, tt := range []struct{ column, param string }{{"", "eq:1"}, {"x", "gt"}, {"x", "nope:1"}, {"x", "notnull:1"}} {
		if _, err := ParseFilterParam(tt.column, tt.param); ErrorCode(err) != EINVALID {
			t.Fatalf("ParseFilterParam(%q, %q): error %v, want code %q", tt.column, tt.param, err, EINVALID)
		}
	}
}

func TestParseSort(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Sort
	}{
		{"", Sort{}},
		{"id", Sort{Column: "id"}},
		{"-created_at", Sort{Column: "created_at", Desc: true}},
		{"--x", Sort{Column: "-x", Desc: true}},
		{"名前", Sort{Column: "名前"}},
	} {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseSort(tt.in)
			if err != nil || got != tt.want {
				t.Fatalf("ParseSort(%q) = %#v, %v; want %#v", tt.in, got, err, tt.want)
			}
			if got.String() != tt.in {
				t.Fatalf("Sort.String() = %q, want %q", got.String(), tt.in)
			}
		})
	}
	if _, err := ParseSort("-"); ErrorCode(err) != EINVALID {
		t.Fatalf(`ParseSort("-"): error %v, want code %q`, err, EINVALID)
	}
}
