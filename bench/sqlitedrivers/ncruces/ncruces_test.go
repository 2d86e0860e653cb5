package ncruces_test

import (
	"errors"
	"testing"

	"github.com/ncruces/go-sqlite3"
	_ "github.com/ncruces/go-sqlite3/driver"
	"github.com/parley-org/parley/bench/sqlitedrivers"
)

// In v0.37.0 SQLite is translated to Go (wasm2go); importing
// github.com/ncruces/go-sqlite3/embed is unnecessary and only prints a
// deprecation line to stderr, so it is not imported.

// pragmas is run, in DSN order, as "PRAGMA <value>" on every new connection.
// The "file:" prefix is required: without it the query string is ignored.
const pragmas = "_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(ON)"

var drv = sqlitedrivers.Driver{
	Name:    "ncruces",
	SQLName: "sqlite3",
	DSN: func(path string) string {
		return sqlitedrivers.DSNQuery(path, pragmas+"&_txlock=immediate")
	},
	DSNDefaultTx: func(path string) string {
		return sqlitedrivers.DSNQuery(path, pragmas)
	},
	IsUniqueViolation: func(err error) bool {
		return errors.Is(err, sqlite3.CONSTRAINT_UNIQUE)
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
