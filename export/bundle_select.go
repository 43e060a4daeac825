package export

// BundleSelection says which rows of a day a restore bundle holds: the
// rows of Table that matched Filters on the records page, or the rows of
// Kind (deleted, changed) between Day and Against on the changes page,
// with their child rows when WithChildren. In such a bundle every
// table's hash is the content hash of exactly the rows of its CSV, as
// written.
type BundleSelection struct {
	Table        string   `json:"table"`
	Filters      []string `json:"filters,omitempty"` // column=op:value, as the records page's
	Against      string   `json:"against,omitempty"` // the other day of a change set
	Kind         string   `json:"kind,omitempty"`    // deleted | changed
	WithChildren bool     `json:"with_children"`
}
