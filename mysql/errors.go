package mysql

import (
	"errors"

	"github.com/go-sql-driver/mysql"
)

// MySQL error numbers Weekback reacts to.
const (
	ErrNoSuchTable     = 1146
	ErrBadDB           = 1049
	ErrLockWaitTimeout = 1205
	ErrAccessDenied    = 1045
	ErrDBAccessDenied  = 1044
	ErrTableAccess     = 1142
	ErrSpecificAccess  = 1227
	ErrParse           = 1064
	ErrDeadlock        = 1213
	ErrNotSupportedYet = 1235 // e.g. Galera's "CACHE without INCREMENT BY 0" for a sequence
)

func asMySQLError(err error, target **mysql.MySQLError) bool {
	return errors.As(err, target)
}

// IsErrorNumber reports whether err is a server error with number n.
func IsErrorNumber(err error, n uint16) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && me.Number == n
}
