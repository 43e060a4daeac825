package mysql

import "strings"

// anyOf adds the condition of RecordQuery.AnyOf: its filters joined with
// OR, in parentheses, after the AND-ed ones.
func (p *plan) anyOf(fits fitsFunc) error {
	if len(p.q.AnyOf) == 0 {
		return nil
	}
	conds, args, err := filterConds(p.t, p.q.Masked, p.q.AnyOf, fits)
	if err != nil {
		return err
	}
	p.where = append(p.where, "("+strings.Join(conds, " OR ")+")")
	p.args = append(p.args, args...)
	return nil
}
