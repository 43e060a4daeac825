package exporter

import (
	"strings"

	"github.com/weekback/weekback"
)

// Profile says how a CSV file is laid out and what it is for (see
// DESIGN.md, "CSV profiles").
type Profile string

// Profiles.
const (
	// ProfileReimport is RFC 4180 in UTF-8 (optionally with a BOM): every
	// value quoted, NULL as the bare word NULL, binary columns as 0x hex.
	// It loads back losslessly (CSVReader, weekback import).
	ProfileReimport Profile = "reimport"
	// ProfileSpreadsheet is for Excel: UTF-8 with a BOM or Shift_JIS,
	// values quoted only when needed, NULL as an empty cell, BIT as a
	// decimal number, formulas guarded with a leading single quote.
	ProfileSpreadsheet Profile = "spreadsheet"
)

// ParseProfile returns the Profile named s, ignoring case; "" is
// ProfileReimport. Any other name returns a *weekback.Error (EINVALID)
// listing the allowed values. It is safe for concurrent use.
func ParseProfile(s string) (Profile, error) {
	switch p := Profile(strings.ToLower(strings.TrimSpace(s))); p {
	case "":
		return ProfileReimport, nil
	case ProfileReimport, ProfileSpreadsheet:
		return p, nil
	}
	return "", weekback.Errorf(weekback.EINVALID, "unknown CSV profile %q: use reimport or spreadsheet", s)
}
