package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/weekback/weekback/compare"
	"github.com/weekback/weekback/export"
	"github.com/weekback/weekback/mysql"
)

// textRows prints one line per row: "- key  col=value, …" for a deleted
// row, "+ …" for an added one, "~ key  col: old → new; …" for a changed
// one. Credential columns show as ***.
type textRows struct {
	w   io.Writer
	set *compare.RowSet
}

func (p *textRows) start(set *compare.RowSet) error { p.set = set; return nil }

func (p *textRows) row(r *compare.RowChange) error {
	sign := map[compare.Kind]string{compare.Added: "+", compare.Deleted: "-", compare.Changed: "~"}[r.Kind]
	var parts []string
	if r.Kind == compare.Changed {
		for _, ch := range r.Changes {
			col := &p.set.Columns[ch.Index]
			if ch.Masked {
				parts = append(parts, ch.Column+": *** → ***")
				continue
			}
			parts = append(parts, ch.Column+": "+displayValue(col, ch.Old)+" → "+displayValue(col, ch.New))
		}
	} else {
		vals := r.Values()
		for i := range p.set.Columns {
			col := &p.set.Columns[i]
			v := displayValue(col, vals[i])
			if col.Masked {
				v = "***"
			}
			parts = append(parts, col.Name+"="+v)
		}
	}
	head := sign + " " + strings.Join(r.Key, ",")
	if r.Key == nil && r.Count > 1 {
		head = fmt.Sprintf("%s %d×", sign, r.Count)
	}
	_, err := fmt.Fprintf(p.w, "%s  %s\n", head, strings.Join(parts, ", "))
	return err
}

func (p *textRows) end() error { return nil }

// jsonRows prints {"from","to","table","kind","key","columns","rows":[…]}:
// each row {"key":[…],"count":N,"values":{col: value}} (added, deleted) or
// {"key":[…],"changes":[{"column","old","new"}]} (changed); NULL is null,
// binary values 0x hex, credential columns left out.
type jsonRows struct {
	w        io.Writer
	from, to string
	kind     compare.Kind
	set      *compare.RowSet
	n        int
}

func (p *jsonRows) start(set *compare.RowSet) error {
	p.set = set
	var cols []string
	for _, c := range set.Columns {
		if !c.Masked {
			cols = append(cols, c.Name)
		}
	}
	head := map[string]any{"from": p.from, "to": p.to, "table": set.Table, "kind": p.kind, "key": set.Key, "columns": cols}
	b, err := json.Marshal(head)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(p.w, "%s,\"rows\":[", b[:len(b)-1])
	return err
}

type jsonChange struct {
	Column string  `json:"column"`
	Old    *string `json:"old,omitempty"`
	New    *string `json:"new,omitempty"`
	Masked bool    `json:"masked,omitempty"`
}

type jsonRow struct {
	Key     []string           `json:"key,omitempty"`
	Count   int64              `json:"count,omitempty"`
	Values  map[string]*string `json:"values,omitempty"`
	Changes []jsonChange       `json:"changes,omitempty"`
}

func (p *jsonRows) row(r *compare.RowChange) error {
	jr := jsonRow{Key: r.Key}
	if r.Kind == compare.Changed {
		for _, ch := range r.Changes {
			col := &p.set.Columns[ch.Index]
			jc := jsonChange{Column: ch.Column, Masked: ch.Masked}
			if !ch.Masked {
				jc.Old, jc.New = jsonValue(col, ch.Old), jsonValue(col, ch.New)
			}
			jr.Changes = append(jr.Changes, jc)
		}
	} else {
		jr.Count, jr.Values = r.Count, map[string]*string{}
		for i, v := range r.Values() {
			if col := &p.set.Columns[i]; !col.Masked {
				jr.Values[col.Name] = jsonValue(col, v)
			}
		}
	}
	b, err := json.Marshal(jr)
	if err != nil {
		return err
	}
	sep := ","
	if p.n == 0 {
		sep = ""
	}
	p.n++
	_, err = fmt.Fprintf(p.w, "%s\n%s", sep, b)
	return err
}

func jsonValue(col *mysql.RecordColumn, v []byte) *string {
	if v == nil {
		return nil
	}
	s := displayValue(col, v)
	return &s
}

func (p *jsonRows) end() error {
	_, err := fmt.Fprintln(p.w, "]}")
	return err
}

// csvRows prints reimport CSV: for added and deleted rows the table's
// columns (credential columns left out; a row without a key repeated as
// many times as it was added or deleted), for changed rows the key
// columns then "column", "old", "new", one line per changed column.
type csvRows struct {
	w    io.Writer
	kind compare.Kind
	set  *compare.RowSet
	cw   *export.CSVWriter
	keep []int // the columns written (added, deleted)
}

func (p *csvRows) start(set *compare.RowSet) error {
	p.set = set
	var cols []mysql.RecordColumn
	if p.kind == compare.Changed {
		for _, name := range set.Key {
			cols = append(cols, textColumn(name))
		}
		cols = append(cols, textColumn("column"), textColumn("old"), textColumn("new"))
	} else {
		for i, c := range set.Columns {
			if !c.Masked {
				cols, p.keep = append(cols, c), append(p.keep, i)
			}
		}
	}
	var err error
	if p.cw, err = export.NewCSVWriter(p.w, cols, export.CSVOptions{Profile: export.ProfileReimport}); err != nil {
		return err
	}
	return p.cw.WriteHeader()
}

func textColumn(name string) mysql.RecordColumn {
	return mysql.RecordColumn{Column: mysql.Column{Name: name, DataType: "text"}, Kind: mysql.KindText}
}

func (p *csvRows) row(r *compare.RowChange) error {
	if r.Kind != compare.Changed {
		vals := r.Values()
		out := make([][]byte, len(p.keep))
		for i, at := range p.keep {
			out[i] = vals[at]
		}
		for range r.Count {
			if err := p.cw.WriteRow(out); err != nil {
				return err
			}
		}
		return nil
	}
	for _, ch := range r.Changes {
		if ch.Masked {
			continue
		}
		col := &p.set.Columns[ch.Index]
		out := make([][]byte, 0, len(r.Key)+3)
		for _, k := range r.Key {
			out = append(out, []byte(k))
		}
		out = append(out, []byte(ch.Column), csvValue(col, ch.Old), csvValue(col, ch.New))
		if err := p.cw.WriteRow(out); err != nil {
			return err
		}
	}
	return nil
}

// csvValue is v as text in a changed-row CSV: binary values as 0x hex.
func csvValue(col *mysql.RecordColumn, v []byte) []byte {
	if v == nil {
		return nil
	}
	return []byte(displayValue(col, v))
}

func (p *csvRows) end() error { return p.cw.Flush() }
