package server

import "fmt"

// messages holds every user-facing sentence of the login, keyed so that a
// message catalog (i18n) can take it over. English only for now.
var messages = map[string]string{
	"login.title":        "Log in",
	"login.lead":         "Log in with your production login and password. One login covers all seven days.",
	"login.lead.day":     "Log in to open the backup of %s. One login covers all seven days.",
	"login.login":        "Login",
	"login.password":     "Password",
	"login.submit":       "Log in",
	"login.failed":       "Login or password is wrong, or this account may not use the backup environment.",
	"login.throttled":    "Too many failed logins. Try again in %d minute(s), after %s.",
	"session.required":   "Please log in to see this page.",
	"csrf.failed":        "This form has expired; reload the page and try again.",
	"title.unauthorized": "Login required",
	"title.forbidden":    "Forbidden",
	"title.too_many":     "Too many attempts",
	"logout.submit":      "Log out",
	"login.back":         "Back to the seven days",

	"banner.text":        "Backup of %s %s — read-only",
	"banner.switch":      "The same page on another day",
	"day.heading":        "Tables of %s",
	"day.never":          "The backup of %s has never been taken. Pick another day from the list of the seven days.",
	"day.building":       "The backup of %s is being built and has no copy to serve yet. Pick another day from the list of the seven days.",
	"day.failed":         "The backup of %s failed and there is no earlier copy to serve. Pick another day from the list of the seven days.",
	"day.table":          "Table",
	"day.rows":           "Rows",
	"day.views":          "Views",
	"day.no_tables":      "This backup holds no tables.",
	"day.total":          "%d rows in all",
	"table.unknown":      "There is no table %q in this backup. Pick a table from the day's list.",
	"view.not_browsable": "%s is a view: views are not browsable yet. Open the tables it reads instead.",
	"slots.unavailable":  "The backup database cannot be reached right now. Try again in a minute.",
	"records.page_size":  "page_size %q is not a number of rows: use 1 to %d.",
	"records.back":       "All tables of the day",
	"records.filters":    "Filters",
	"records.filter":     "Filter",
	"records.clear":      "Clear filters",
	"records.no_op":      "—",
	"records.open":       "open",
	"records.none":       "No records match.",
	"records.first":      "« First page",
	"records.prev":       "‹ Previous",
	"records.next":       "Next ›",
	"records.active":     "Filtered by",
	"record.heading":     "%s · record %s",
	"value.null":         "NULL",
	"value.bytes":        "%d B",
	"value.masked":       "hidden: this column holds credentials",
	"value.cut":          "cut: open the record to see more",
}

// msg returns the sentence of key, formatted with args when there are any.
// An unknown key returns the key itself, so a missing sentence shows.
func msg(key string, args ...any) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	if len(args) > 0 {
		return fmt.Sprintf(m, args...)
	}
	return m
}
