package server

import (
	"github.com/weekback/weekback"
)

// hiddenField is one hidden input of a form.
type hiddenField struct{ Name, Value string }

// exportForm is the CSV download form of a records page: it carries the
// page's filters and sort, and adds profile and encoding. JobAction is
// where its "Export in the background" button posts the same fields.
type exportForm struct {
	Action    string `json:"csv_url"`
	JobAction string `json:"-"`
	// TemplateJobAction starts a background template job.
	TemplateJobAction string `json:"-"`
	// BundleAction starts a restore bundle of the filtered rows.
	BundleAction string        `json:"-"`
	Hidden       []hiddenField `json:"-"`
	TemplateURL  string        `json:"template_url"`
	// Anonymize offers the "anonymize" box (the server has
	// exports.anonymize).
	Anonymize bool `json:"-"`
}

// exportFormOf returns the download form of table's records page on day
// for the records query rq.
func exportFormOf(day weekback.Weekday, table string, rq recordsQuery) exportForm {
	base := tableURL(day, table)
	f := exportForm{Action: base + "/export.csv", JobAction: base + "/exports", TemplateURL: base + "/template.json",
		TemplateJobAction: base + "/templates", BundleAction: base + "/bundles"}
	for _, flt := range rq.Filters {
		f.Hidden = append(f.Hidden, hiddenField{weekback.FilterParamPrefix + flt.Column, flt.Param()})
	}
	if s := rq.Sort.String(); s != "" {
		f.Hidden = append(f.Hidden, hiddenField{"sort", s})
	}
	return f
}
