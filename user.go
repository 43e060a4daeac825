package weekback

// User is someone who may try to log in, as read from the users table of
// the generation (or production) that decides who may log in.
type User struct {
	Login        string // as stored in the users table
	PasswordHash string // never logged, shown or put in a session
	Salt         string // the salt column of schemes that have one; never logged or shown
	Allowed      bool   // every auth.allow condition holds
	Admin        bool   // every auth.admin condition holds (and there is at least one)
}

// Condition is one test on a users row. Exactly one form is used, the
// first that is set of: Exists (a related row in another table),
// ConfigList (the user's key in a comma list stored in a configuration
// row), In (the column, read as text, is one of the values), Like (the
// column matches a SQL LIKE pattern) and Equals (the column, read as text,
// equals the value). A NULL never matches.
type Condition struct {
	Column     string
	Equals     string
	In         []string
	Like       string
	Exists     *ExistsRule
	ConfigList *ConfigListRule
}

// ExistsRule holds when Table has a row whose Key equals the user's UserKey
// and that meets Where; with Join, that row must also have a row of
// Join.Table whose Join.Key equals its Join.On and that meets Join.Where.
type ExistsRule struct {
	Table   string
	Key     string // column of Table
	UserKey string // column of the users table
	Where   []Condition
	Join    *JoinRule
}

// JoinRule is the one further table of an ExistsRule.
type JoinRule struct {
	Table string
	Key   string // column of Table
	On    string // column of the ExistsRule's table
	Where []Condition
}

// ConfigListRule holds when the user's UserKey is one of the comma-separated
// values of ValueColumn in the row of Table whose KeyColumn is Key (Moodle's
// mdl_config name 'siteadmins'). Whole items are compared: 2 is not in
// "12,22".
type ConfigListRule struct {
	Table       string
	KeyColumn   string
	Key         string
	ValueColumn string
	UserKey     string // column of the users table
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
