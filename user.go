package weekback

// User is someone who may try to log in, as read from the users table of
// the generation (or production) that decides who may log in.
type User struct {
	Login        string // as stored in the users table
	PasswordHash string // never logged, shown or put in a session
	Allowed      bool   // every auth.allow condition holds
	Admin        bool   // every auth.admin condition holds (and there is at least one)
}

// Condition is one test on a column of a users row: the column, read as
// text, must equal Equals.
type Condition struct {
	Column string
	Equals string
}

// NewestReady returns the ready generation with the latest snapshot, the
// one that decides who may log in (invariant 7), or nil when none is ready.
func NewestReady(gens []*Generation) *Generation {
	var best *Generation
	for _, g := range gens {
		if g.Ready() && (best == nil || g.Manifest.SnapshotAt.After(best.Manifest.SnapshotAt)) {
			best = g
		}
	}
	return best
}
