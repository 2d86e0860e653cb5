// Package testnote makes skipped tests visible in a plain `go test ./...`,
// which shows a passing package's output only with -v. A package's
// TestMain calls Main, and its tests skip through Skip; after the run, Main
// writes one line per reason on the terminal (on stderr when there is
// none). A result go test takes from its cache prints nothing again.
package testnote

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// Why Parley's tests skip, as Skip's why.
const (
	NoChromium = "no chromium (install Debian's chromium, or set PARLEY_REQUIRE_BROWSER=1 to make this an error)"
	NoPostgres = "the tests ran on SQLite (PARLEY_TEST_DATABASE=postgres runs them on PostgreSQL at 127.0.0.1:5432, or at PARLEY_TEST_POSTGRES_URL)"
)

var (
	mu      sync.Mutex
	skipped = map[[2]string]int{} // {what, why} -> tests skipped
	order   [][2]string
)

// Skip skips t, which needs what is missing; what names the kind of test
// ("browser tests"), why says what is missing and how to get it.
func Skip(t testing.TB, what, why string) {
	t.Helper()
	mu.Lock()
	k := [2]string{what, why}
	if skipped[k] == 0 {
		order = append(order, k)
	}
	skipped[k]++
	mu.Unlock()
	t.Skip(what + " skipped: " + why)
}

// Main runs the tests and then says which were skipped; call it from
// TestMain. Each check runs after the tests, if they passed, and fails the
// run by returning non-zero.
func Main(m *testing.M, checks ...func() int) {
	code := m.Run()
	for _, check := range checks {
		if code == 0 {
			code = check()
		}
	}
	mu.Lock()
	some := len(order) > 0
	mu.Unlock()
	if some {
		// go test keeps a passing package's output to itself, but not what
		// goes straight to the terminal.
		if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
			report(tty, pkg())
			tty.Close()
		} else {
			report(os.Stderr, pkg())
		}
	}
	os.Exit(code)
}

// report writes one line per reason tests were skipped.
func report(w io.Writer, pkg string) {
	mu.Lock()
	defer mu.Unlock()
	for _, k := range order {
		n := skipped[k]
		tests := "tests"
		if n == 1 {
			tests = "test"
		}
		fmt.Fprintf(w, "parley: %s skipped (%d %s in %s): %s\n", k[0], n, tests, pkg, k[1])
	}
}

// pkg is the tested package's folder in the module: go test runs a test
// binary in its package's folder.
func pkg() string {
	wd, err := os.Getwd()
	if err != nil {
		return "?"
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			if rel, err := filepath.Rel(dir, wd); err == nil {
				return filepath.ToSlash(rel)
			}
			return wd
		}
		if filepath.Dir(dir) == dir {
			return wd
		}
	}
}
