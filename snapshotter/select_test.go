package snapshotter

import "testing"

func TestSelected(t *testing.T) {
	cases := []struct {
		name             string
		include, exclude []string
		table            string
		want             bool
	}{
		{"everything by default", nil, nil, "orders", true},
		{"included", []string{"ord*"}, nil, "orders", true},
		{"not included", []string{"cust*"}, nil, "orders", false},
		{"excluded", []string{"*"}, []string{"tmp_*"}, "tmp_x", false},
		{"exclude wins", []string{"tmp_*"}, []string{"tmp_*"}, "tmp_x", false},
		{"malformed glob matches nothing", []string{"["}, nil, "orders", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Selected(tc.include, tc.exclude, tc.table); got != tc.want {
				t.Errorf("Selected(%q, %q, %q) = %v, want %v", tc.include, tc.exclude, tc.table, got, tc.want)
			}
		})
	}
}
