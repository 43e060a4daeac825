package main

import "testing"

func TestParseOptions(t *testing.T) {
	o, err := parseOptions([]string{"-scale", "0.01", "-runs", "5"})
	if err != nil {
		t.Fatalf("parseOptions: %v", err)
	}
	if o.scale != 0.01 || o.runs != 5 || o.parallelism != DefaultParallelism || o.bin != DefaultBin || o.prefix != DefaultPrefix {
		t.Fatalf("options = %+v, want scale 0.01, runs 5 and the default parallelism, binary and prefix", o)
	}
	for _, args := range [][]string{{"-scale", "0"}, {"-runs", "0"}, {"-parallelism", "0"}, {"-prefix", "a-b"}, {"-prefix", ""}, {"extra"}} {
		if _, err := parseOptions(args); err == nil {
			t.Fatalf("parseOptions(%q) succeeded, want an error", args)
		}
	}
}
