package weekback

import (
	"errors"
	"fmt"
)

// Error codes. Each maps to one exit code (ExitCode) and, in the server, to
// one HTTP status.
const (
	EINVALID     = "invalid"     // bad input or configuration: fix it and run again
	ETOOLARGE    = "too_large"   // an input over a documented size limit: make it smaller
	ENOTFOUND    = "not_found"   // no such day, table, row or job
	ECONFLICT    = "conflict"    // another snapshot is running, a lock is held
	EMISMATCH    = "mismatch"    // a verification found a difference
	EUNAVAILABLE = "unavailable" // a server cannot be reached
	EABORTED     = "aborted"     // stopped part way (a connection lost): nothing was switched, run again
	EINTERNAL    = "internal"    // anything else
)

// Exit codes of the weekback command.
const (
	ExitOK       = 0
	ExitFailure  = 1
	ExitUsage    = 2
	ExitMismatch = 3
)

// Error is an error meant to be read by a user: a code and a sentence that
// says what went wrong and what to do. Internal details stay in logs.
//
// Message is the sentence in English (the command line, logs, and pages
// when there is no translation). Key, when set, names the same sentence in
// the web UI's message catalogs (i18n/locales) and Args fill its
// placeholders, as name/value pairs ("max", 500): pages show it in the
// reader's language. Set them with WithKey.
type Error struct {
	Code    string
	Message string
	Key     string
	Args    []any
}

// Error returns the message.
func (e *Error) Error() string { return e.Message }

// WithKey sets the catalog key of e's sentence and its placeholder values
// (name/value pairs) and returns e.
func (e *Error) WithKey(key string, args ...any) *Error {
	e.Key, e.Args = key, args
	return e
}

// ErrorKey returns the catalog key and arguments of the first *Error in
// err's chain; key is "" when it has none (or err is not one).
func ErrorKey(err error) (key string, args []any) {
	var e *Error
	if errors.As(err, &e) {
		return e.Key, e.Args
	}
	return "", nil
}

// Errorf returns an *Error with code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	default:
		return EINTERNAL
	}
}

// ErrorMessage returns the message of the first *Error in err's chain, or a
// generic sentence for internal errors (whose details belong in logs).
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error: see the log for details"
}

// ExitCode maps err to the documented exit code: 0 ok, 1 failure, 2 usage or
// configuration error (EINVALID, EUNAVAILABLE before any work), 3
// verification mismatch.
func ExitCode(err error) int {
	switch ErrorCode(err) {
	case "":
		return ExitOK
	case EINVALID, ETOOLARGE, EUNAVAILABLE:
		return ExitUsage
	case EMISMATCH:
		return ExitMismatch
	default:
		return ExitFailure
	}
}
