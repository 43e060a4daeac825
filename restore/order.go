package restore

// loadOrder returns the plan's tables parents first: the strongly
// connected components of the foreign-key graph (child → parent) in the
// order Tarjan's algorithm completes them, which puts every component
// after the components it references. A component of several tables, or
// a table referencing itself, is a cycle group: its Group is set (from 1)
// and it is loaded in one transaction. Among tables free to go, the order
// first met is kept.
func loadOrder(byName map[string]*TablePlan, met []string) []*TablePlan {
	s := &tarjan{byName: byName, index: map[string]int{}, low: map[string]int{}, on: map[string]bool{}}
	for _, name := range met {
		if _, seen := s.index[name]; !seen {
			s.visit(name)
		}
	}
	return s.out
}

type tarjan struct {
	byName map[string]*TablePlan
	next   int
	index  map[string]int
	low    map[string]int
	stack  []string
	on     map[string]bool
	groups int
	out    []*TablePlan
}

// parents returns the tables of the plan that name references.
func (s *tarjan) parents(name string) []string {
	var out []string
	for _, fk := range s.byName[name].t.fks {
		if _, ok := s.byName[fk.ReferencedTable]; ok && fk.ReferencedSchema == "" {
			out = append(out, fk.ReferencedTable)
		}
	}
	return out
}

func (s *tarjan) visit(name string) {
	s.index[name], s.low[name] = s.next, s.next
	s.next++
	s.stack = append(s.stack, name)
	s.on[name] = true
	self := false
	for _, p := range s.parents(name) {
		if _, seen := s.index[p]; !seen {
			s.visit(p)
			s.low[name] = min(s.low[name], s.low[p])
		} else if s.on[p] {
			s.low[name] = min(s.low[name], s.index[p])
		}
		self = self || p == name
	}
	if s.low[name] != s.index[name] {
		return
	}
	var comp []string
	for {
		top := s.stack[len(s.stack)-1]
		s.stack = s.stack[:len(s.stack)-1]
		s.on[top] = false
		comp = append(comp, top)
		if top == name {
			break
		}
	}
	group := 0
	if len(comp) > 1 || self {
		s.groups++
		group = s.groups
	}
	for i := len(comp) - 1; i >= 0; i-- {
		tp := s.byName[comp[i]]
		tp.Group = group
		s.out = append(s.out, tp)
	}
}
