package testnote

import (
	"strings"
	"testing"
)

func TestReportCountsSkipsByReason(t *testing.T) {
	for _, name := range []string{"one", "two"} {
		t.Run(name, func(t *testing.T) { Skip(t, "browser tests", "no chromium") })
	}
	t.Run("three", func(t *testing.T) { Skip(t, "PostgreSQL tests", "they ran on SQLite") })
	if !t.Run("four", func(t *testing.T) {}) {
		t.Fatal("a test that did not skip failed")
	}
	var b strings.Builder
	report(&b, "cmd/parley")
	want := "parley: browser tests skipped (2 tests in cmd/parley): no chromium\n" +
		"parley: PostgreSQL tests skipped (1 test in cmd/parley): they ran on SQLite\n"
	if b.String() != want {
		t.Errorf("report:\n%s\nwant:\n%s", b.String(), want)
	}
	if got := pkg(); got != "internal/testnote" {
		t.Errorf("pkg() = %q, want internal/testnote", got)
	}
}
