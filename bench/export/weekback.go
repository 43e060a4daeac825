package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/weekback/weekback/bench/internal/benchutil"
)

// weekbackMethod builds `weekback export --day mon --table orders -o FILE
// extra…` run with the binary bin: optional, so that a binary without the
// export command leaves the baselines running.
func (b *bench) weekbackMethod(key, name, bin string, extra ...string) *method {
	m := &method{key: key, name: name, optional: true}
	m.run = func(ctx context.Context, i int) (sample, error) {
		out := filepath.Join(b.Dir, fmt.Sprintf("weekback-%s-%d.csv", key, i))
		args := append([]string{"export", "--day", "mon", "--table", exportTable, "-o", out}, extra...)
		cmd, err := b.weekbackBin(ctx, bin, args...)
		if err != nil {
			return sample{}, err
		}
		// A2 reports every character Shift_JIS cannot hold on stderr: keep
		// only the tail.
		cmd.Stderr = &benchutil.TailBuffer{}
		return runChild(cmd, out, b.rows+1) // with the header
	}
	return m
}
