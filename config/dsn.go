package config

import "strings"

// RedactDSN returns dsn with its password replaced by "***", safe to log:
// "u:secret@tcp(db:3306)/sales" gives "u:***@tcp(db:3306)/sales". It finds
// the password where go-sql-driver/mysql does (between the first ':' and the
// last '@' before the last '/'); when the DSN is malformed it masks
// everything between the first ':' and the last '@' (or the end) instead, so
// a password is never shown. A DSN without a password comes back unchanged.
// Of a list of DSNs one per line (backup.dsn), each is masked.
// It never fails and is safe for concurrent use.
func RedactDSN(dsn string) string {
	if strings.Contains(dsn, "\n") { // a list (backup.dsn): each DSN on its line
		lines := strings.Split(dsn, "\n")
		for i, l := range lines {
			lines[i] = RedactDSN(l)
		}
		return strings.Join(lines, "\n")
	}
	start, end, ok := passwordSpan(dsn)
	if !ok || start == end {
		return dsn
	}
	return dsn[:start] + "***" + dsn[end:]
}

// passwordSpan returns where the password of dsn is, dsn[start:end].
func passwordSpan(dsn string) (start, end int, ok bool) {
	if slash := strings.LastIndexByte(dsn, '/'); slash >= 0 {
		at := strings.LastIndexByte(dsn[:slash], '@')
		if at >= 0 {
			colon := strings.IndexByte(dsn[:at], ':')
			return colon + 1, at, colon >= 0
		}
		if !strings.Contains(dsn[slash:], "@") {
			return 0, 0, false // no user part: no password
		}
	}
	// Malformed: mask generously.
	at := strings.LastIndexByte(dsn, '@')
	if at < 0 {
		at = len(dsn)
	}
	colon := strings.IndexByte(dsn[:at], ':')
	return colon + 1, at, colon >= 0
}

// scrubDSNError returns err's text with anything that may be dsn's password
// masked, for errors from mysql.ParseDSN.
func scrubDSNError(dsn string, err error) string {
	msg := err.Error()
	if start, end, ok := passwordSpan(dsn); ok && end > start {
		msg = strings.ReplaceAll(msg, dsn[start:end], "***")
	}
	return msg
}
