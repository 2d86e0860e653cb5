package mattn_test

import (
	"testing"

	_ "github.com/mattn/go-sqlite3"
	"github.com/parley-org/parley/bench/sqlitedrivers"
)

// mattn has no generic _pragma key; each pragma has its own DSN key. The busy
// timeout is always applied first, whatever the key order.
const pragmas = "_busy_timeout=5000&_journal_mode=WAL&_synchronous=NORMAL&_foreign_keys=on"

var drv = sqlitedrivers.Driver{
	Name:    "mattn",
	SQLName: "sqlite3",
	DSN: func(path string) string {
		return sqlitedrivers.DSNQuery(path, pragmas+"&_txlock=immediate")
	},
	DSNDefaultTx: func(path string) string {
		return sqlitedrivers.DSNQuery(path, pragmas)
	},
	IsUniqueViolation: isUniqueViolation, // mattn_cgo_test.go, mattn_nocgo_test.go
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
