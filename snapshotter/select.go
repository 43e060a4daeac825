package snapshotter

// Selected reports whether a snapshot copies the table name: it matches
// one of the include globs (source.include; every table when empty) and
// none of the exclude globs (source.exclude), as a Snapshotter with them
// decides. A malformed glob matches nothing. It is safe for concurrent
// use.
func Selected(include, exclude []string, name string) bool {
	return (&Snapshotter{Include: include, Exclude: exclude}).excludedBy(name) == ""
}
