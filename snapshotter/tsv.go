package snapshotter

// LOAD DATA format: fields separated by TAB, rows ended by LF, backslash
// escapes, \N for NULL. The bytes are loaded with CHARACTER SET binary, so
// every value arrives exactly as the source sent it.
const loadFormat = `CHARACTER SET binary FIELDS TERMINATED BY '\t' ESCAPED BY '\\' LINES TERMINATED BY '\n'`

// tsvEscape maps the bytes that must be escaped to their escape letter.
var tsvEscape = func() (t [256]byte) {
	t['\\'] = '\\'
	t['\t'] = 't'
	t['\n'] = 'n'
	t['\r'] = 'r'
	t[0] = '0'
	return t
}()

// appendRow appends one row in LOAD DATA form to b; a nil value is NULL.
func appendRow(b []byte, values [][]byte) []byte {
	for i, v := range values {
		if i > 0 {
			b = append(b, '\t')
		}
		if v == nil {
			b = append(b, '\\', 'N')
			continue
		}
		b = appendEscaped(b, v)
	}
	return append(b, '\n')
}

func appendEscaped(b, v []byte) []byte {
	start := 0
	for i, c := range v {
		if e := tsvEscape[c]; e != 0 {
			b = append(b, v[start:i]...)
			b = append(b, '\\', e)
			start = i + 1
		}
	}
	return append(b, v[start:]...)
}
