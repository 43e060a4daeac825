package weekback

import (
	"context"
	"time"
)

// ChangeSet is the stored comparison of two generations, named by their
// slots (From the older copy's): Tables is the per-table counts as JSON
// (package compare's TableChange list), Engine the version of the engine
// that computed it.
type ChangeSet struct {
	From, To   string
	Engine     int
	Tables     []byte
	ComputedAt time.Time
}

// ChangeSetStore keeps the change sets of pairs of generations so that
// every server replica, and the next process, reuses them.
type ChangeSetStore interface {
	// ChangeSet returns the stored change set of the slots from and to,
	// nil (and no error) when there is none.
	ChangeSet(ctx context.Context, from, to string) (*ChangeSet, error)
	// PutChangeSet stores cs, replacing the pair's previous one, and
	// forgets the change sets of slots no generation points at.
	PutChangeSet(ctx context.Context, cs *ChangeSet) error
	// PurgeChangeSets deletes the change sets of slots no generation
	// points at (replaced or discarded days) and returns how many.
	PurgeChangeSets(ctx context.Context) (int64, error)
}
