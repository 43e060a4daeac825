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
