//go:build !cgo

package mattn_test

// Without cgo, github.com/mattn/go-sqlite3 is a stub whose Open always fails,
// and sqlite3.Error / sqlite3.ErrConstraintUnique do not exist, so code that
// inspects its errors does not compile. The tests and benchmarks skip.
func isUniqueViolation(error) bool { return false }
