package server

import (
	"github.com/weekback/weekback"
)

// hiddenField is one hidden input of a form.
type hiddenField struct{ Name, Value string }

// exportForm is the CSV download form of a records page: it carries the
// page's filters and sort, and adds profile and encoding.
type exportForm struct {
	Action      string        `json:"csv_url"`
	Hidden      []hiddenField `json:"-"`
	TemplateURL string        `json:"template_url"`
}

// exportFormOf returns the download form of table's records page on day
// for the records query rq.
func exportFormOf(day weekback.Weekday, table string, rq recordsQuery) exportForm {
	base := tableURL(day, table)
	f := exportForm{Action: base + "/export.csv", TemplateURL: base + "/template.json"}
	for _, flt := range rq.Filters {
		f.Hidden = append(f.Hidden, hiddenField{weekback.FilterParamPrefix + flt.Column, flt.Param()})
	}
	if s := rq.Sort.String(); s != "" {
		f.Hidden = append(f.Hidden, hiddenField{"sort", s})
	}
	return f
}
