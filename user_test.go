package weekback_test

import (
	"testing"
	"time"

	"github.com/weekback/weekback"
)

func TestNewestReady(t *testing.T) {
	at := time.Date(2026, 1, 5, 0, 30, 0, 0, time.UTC)
	gens := []*weekback.Generation{
		{Day: weekback.Monday, Slot: "s_mon", Manifest: &weekback.Manifest{SnapshotAt: at}},
		{Day: weekback.Tuesday, Slot: "s_tue", Manifest: &weekback.Manifest{SnapshotAt: at.Add(24 * time.Hour)}},
		{Day: weekback.Wednesday, Status: weekback.StatusNever},
		{Day: weekback.Thursday, Manifest: &weekback.Manifest{SnapshotAt: at.Add(72 * time.Hour)}}, // no slot: not ready
	}
	if g := weekback.NewestReady(gens); g == nil || g.Day != weekback.Tuesday {
		t.Fatalf("NewestReady = %+v, want Tuesday", g)
	}
	if g := weekback.NewestReady(gens[2:]); g != nil {
		t.Fatalf("NewestReady without a ready day = %+v, want nil", g)
	}
}
