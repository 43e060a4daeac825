package export

import (
	"time"
)

// shiftDate returns v, a DATE, DATETIME or TIMESTAMP as the server prints
// it, moved by the row's constant number of days (rowShift); the time of
// day and fractional seconds are kept. NULL, zero dates and values that do
// not parse are kept, and so is every value when no shift is configured.
func (a *Anonymizer) shiftDate(table string, row [][]byte, v []byte) []byte {
	if a.shiftDays <= 0 || len(v) < 10 {
		return v
	}
	d, err := time.Parse("2006-01-02", string(v[:10]))
	if err != nil {
		return v
	}
	shifted := d.AddDate(0, 0, a.rowShift(table, row)).Format("2006-01-02")
	return append([]byte(shifted), v[10:]...)
}

// rowShift returns the row's shift in days, in [-shiftDays, shiftDays]
// without 0: keyed by the table and the row's first value (its key in
// most tables), so every date of a row moves together and intervals
// between them are kept.
func (a *Anonymizer) rowShift(table string, row [][]byte) int {
	var first []byte
	if len(row) > 0 {
		first = row[0]
	}
	s := a.stream(MethodDate, append([]byte(table+"\x00"), first...))
	n := 1 + s.next(a.shiftDays)
	if s.next(2) == 0 {
		return -n
	}
	return n
}
