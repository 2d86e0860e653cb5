package modernc_test

import (
	"errors"
	"testing"

	"github.com/parley-org/parley/bench/sqlitedrivers"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// pragmas is shared by modernc and ncruces: both run each _pragma value as
// "PRAGMA <value>" on every new connection. modernc runs busy_timeout first
// and the others sorted by name; ncruces runs them in DSN order.
const pragmas = "_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(ON)"

var drv = sqlitedrivers.Driver{
	Name:    "modernc",
	SQLName: "sqlite",
	DSN: func(path string) string {
		return sqlitedrivers.DSNQuery(path, pragmas+"&_txlock=immediate")
	},
	DSNDefaultTx: func(path string) string {
		return sqlitedrivers.DSNQuery(path, pragmas)
	},
	IsUniqueViolation: func(err error) bool {
		var se *sqlite.Error
		return errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE
	},
}

func TestPragmas(t *testing.T)   { sqlitedrivers.CheckPragmas(t, drv) }
func TestImmediate(t *testing.T) { sqlitedrivers.CheckImmediate(t, drv) }
func TestErrors(t *testing.T)    { sqlitedrivers.CheckErrors(t, drv) }
func TestTypes(t *testing.T)     { sqlitedrivers.LogTypes(t, drv) }
func TestPlan(t *testing.T)      { sqlitedrivers.LogPlan(t, drv) }
func TestConfig(t *testing.T)    { sqlitedrivers.LogConfig(t, drv) }

func BenchmarkPost(b *testing.B) {
	b.Run(drv.Name, func(b *testing.B) { sqlitedrivers.BenchPost(b, drv) })
}

func BenchmarkPostParallel(b *testing.B) {
	b.Run(drv.Name, func(b *testing.B) { sqlitedrivers.BenchPostParallel(b, drv) })
}

func BenchmarkReadThread(b *testing.B) {
	b.Run(drv.Name, func(b *testing.B) { sqlitedrivers.BenchReadThread(b, drv) })
}

func BenchmarkReadThreadParallel(b *testing.B) {
	b.Run(drv.Name, func(b *testing.B) { sqlitedrivers.BenchReadThreadParallel(b, drv) })
}
