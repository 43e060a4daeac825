package export

import (
	"strings"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
)

// Profile says how a CSV file is laid out and what it is for (see
// README.md, "CSV profiles").
type Profile string

// Profiles.
const (
	// ProfileReimport is RFC 4180 in UTF-8 (optionally with a BOM): every
	// value quoted, NULL as the bare word NULL, binary columns as 0x hex.
	// It loads back losslessly (CSVReader, weekback import).
	ProfileReimport Profile = "reimport"
	// ProfileSpreadsheet is for Excel: UTF-8 with a BOM or Shift_JIS
	// (plain UTF-8 is written when asked for, but Excel then misreads
	// non-ASCII text), values quoted only when needed, NULL as an empty
	// cell, binary columns as 0x hex, BIT as a decimal number, and cells
	// starting with = + - @ TAB or CR guarded with a leading single quote
	// (except plain numbers in number columns).
	ProfileSpreadsheet Profile = "spreadsheet"
)

// ParseProfile returns the Profile named s, ignoring case; "" is
// ProfileReimport. Any other name returns a *weekback.Error (EINVALID)
// listing the allowed values. It is safe for concurrent use.
func ParseProfile(s string) (Profile, error) {
	// The constant, never s (see compare.ParseKind).
	switch Profile(strings.ToLower(strings.TrimSpace(s))) {
	case "", ProfileReimport:
		return ProfileReimport, nil
	case ProfileSpreadsheet:
		return ProfileSpreadsheet, nil
	}
	return "", weekback.Errorf(weekback.EINVALID, "unknown CSV profile %q: use reimport or spreadsheet", s)
}

// CSVOptions says how CSVWriter writes a file.
type CSVOptions struct {
	Profile  Profile  // "" is ProfileReimport
	Encoding Encoding // "" is EncodingUTF8; Excel needs EncodingUTF8BOM or EncodingShiftJIS
	// Lossy accepts '?' in place of the characters the encoding cannot
	// hold; without it, CSVWriter.Flush fails when there were any.
	Lossy bool
	// OnUnencodable, when set, is called from the writing goroutine for
	// each character the encoding cannot hold (also when Lossy).
	OnUnencodable func(Unencodable)
	// Replace, when set, rewrites each row before it is written (blank
	// credential columns, pseudonyms): ExportCSV calls it once with the
	// file's columns and applies the function it returns to every row.
	Replace RowReplacer
}

// RowReplacer returns the function that rewrites a row of cols in place,
// or nil when no column of cols changes.
type RowReplacer func(table string, cols []mysql.RecordColumn) func(values [][]byte)

// validate fills o's defaults and checks the combination.
func (o *CSVOptions) validate() error {
	var err error
	if o.Profile, err = ParseProfile(string(o.Profile)); err != nil {
		return err
	}
	if o.Encoding, err = ParseEncoding(string(o.Encoding)); err != nil {
		return err
	}
	if o.Profile == ProfileReimport && o.Encoding == EncodingShiftJIS {
		return weekback.Errorf(weekback.EINVALID, "the reimport profile is always UTF-8: use --profile spreadsheet for Shift_JIS")
	}
	return nil
}
