//go:build cgo

package mattn_test

import (
	"errors"

	"github.com/mattn/go-sqlite3"
)

// isUniqueViolation: mattn returns sqlite3.Error by value, not a pointer.
func isUniqueViolation(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintUnique
}
