package mysql

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/weekback/weekback"
)

// SnapshotLeaseName is the name of the lease (in the meta schema's leases
// table) that keeps snapshots of one backup prefix from running at once.
const SnapshotLeaseName = "snapshot"

// lockSnapshotTries is how many times LockSnapshot tries when the lease
// it was refused is gone by the time it looks for the holder (released
// meanwhile, or its release had not reached this node of a cluster yet).
const lockSnapshotTries = 4

// LockSnapshot takes the snapshot lease of m's prefix (one for all days)
// and renews it until Release. When another run holds it, it returns an
// ECONFLICT error naming that run.
func (m *Meta) LockSnapshot(ctx context.Context) (*Lock, error) {
	for try := 1; ; try++ {
		l, err := takeLease(ctx, m.db, m.schema, SnapshotLeaseName, SnapshotLease)
		if err != nil || l != nil {
			return l, err
		}
		held, holder, err := leaseHeld(ctx, m.db, m.schema, SnapshotLeaseName)
		if err != nil {
			return nil, err
		}
		if held || try == lockSnapshotTries {
			return nil, weekback.Errorf(weekback.ECONFLICT, "another snapshot is running (%s); wait for it to finish", m.describeRunning(ctx, holder))
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(jitter(leaseRetryEvery)):
		}
	}
}

// describeRunning names the running snapshot runs, else the lease's
// holder.
func (m *Meta) describeRunning(ctx context.Context, holder string) string {
	runs, err := m.Runs(ctx, weekback.RunRunning, 5)
	if err != nil || len(runs) == 0 {
		if holder == "" {
			holder = "a process that just released it"
		}
		return "on " + holder + ", holding the lock " + SnapshotLeaseName + " of " + m.schema
	}
	var parts []string
	for _, r := range runs {
		parts = append(parts, fmt.Sprintf("run %d of %s on %s pid %d, started %s",
			r.ID, r.Day, r.Host, r.PID, r.StartedAt.UTC().Format(time.RFC3339)))
	}
	return strings.Join(parts, "; ")
}
