package snapshotter

import "path"

// Selected reports whether a snapshot copies the table name: it matches
// one of the include globs (source.include; every table when empty) and
// none of the exclude globs (source.exclude). A malformed glob matches
// nothing. It is safe for concurrent use.
func Selected(include, exclude []string, name string) bool {
	in := len(include) == 0
	for _, g := range include {
		if ok, _ := path.Match(g, name); ok {
			in = true
			break
		}
	}
	for _, g := range exclude {
		if ok, _ := path.Match(g, name); ok {
			return false
		}
	}
	return in
}
