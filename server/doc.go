// Package server is Weekback's web server (Fiber v2): it mounts each
// weekday generation as a read-only replica. This first part serves the
// landing page of the seven days, health and readiness probes and
// Prometheus metrics, with the error handling and security headers every
// later route shares. Login, records, exports and jobs build on it.
//
// Beside a day's tables and records, pages compare days (changes*.go, by
// package compare, in the background and cached by slot pair), follow one
// record over the week (history*.go) and find a value in every table of a
// day (search*.go); the week's charts show each day's movement and
// alerts (week_moves.go).
//
// The server is side-effect-free: it reads generations through the meta
// schema with the reader account, opens no connection but to the backup
// server, and holds no mail or outbound HTTP code.
//
// Pages speak the request's language (package i18n: the weekback_lang
// cookie set by GET /lang/{code}, else Accept-Language, else English): the
// language middleware puts its Localizer in c.Locals, and each language has
// its own parsed templates whose t, n and num functions render catalog
// messages, plural forms and numbers. JSON keeps to keys and raw values;
// only its error sentences follow the language.
package server
