// Package server is Weekback's web server (Fiber v2): it mounts each
// weekday generation as a read-only replica. This first part serves the
// landing page of the seven days, health and readiness probes and
// Prometheus metrics, with the error handling and security headers every
// later route shares. Login, records, exports and jobs build on it.
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
