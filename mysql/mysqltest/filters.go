package mysqltest

import (
	"strconv"

	"github.com/weekback/weekback"
)

// InFilters returns n `in` filters on column, each of the longest list
// allowed (weekback.MaxInValues ids, 1 to 1,000): the request of a user
// who pasted long id lists. Twelve of them take about 83 KB as a job's
// JSON parameters, more than a TEXT column holds.
func InFilters(column string, n int) []weekback.Filter {
	ids := make([]string, weekback.MaxInValues)
	for i := range ids {
		ids[i] = strconv.Itoa(i + 1)
	}
	out := make([]weekback.Filter, n)
	for i := range out {
		out[i] = weekback.Filter{Column: column, Op: weekback.OpIn, Values: ids}
	}
	return out
}
