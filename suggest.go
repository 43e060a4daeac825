package weekback

import (
	"fmt"
	"strings"
)

// Closest returns the name among candidates nearest to name by edit
// distance (ignoring case), when it is near enough to be a typo: at most
// 2 edits, or a third of name's length for longer names. ok is false when
// none is. It is safe for concurrent use.
func Closest(name string, candidates []string) (closest string, ok bool) {
	limit := max(2, len([]rune(name))/3)
	best := limit + 1
	for _, c := range candidates {
		if d := editDistance(strings.ToLower(name), strings.ToLower(c)); d < best {
			closest, best = c, d
		}
	}
	return closest, best <= limit
}

// editDistance returns the Levenshtein distance between a and b, counted
// in characters.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// NameList returns names as a comma-separated list for a message, the
// first most of them and then how many more there are.
func NameList(names []string, most int) string {
	if len(names) <= most {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s … (%d more)", strings.Join(names[:most], ", "), len(names)-most)
}

// Suggest returns a sentence for an unknown name: "did you mean X?" when
// one of candidates is near (Closest), else the list of what exists
// ("the KIND are: a, b, c" , at most 30 of them).
func Suggest(name, kind string, candidates []string) string {
	if c, ok := Closest(name, candidates); ok {
		return fmt.Sprintf("did you mean %q?", c)
	}
	if len(candidates) == 0 {
		return "there are no " + kind
	}
	return "the " + kind + " are: " + NameList(candidates, 30)
}
