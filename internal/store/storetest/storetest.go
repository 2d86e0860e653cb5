// Package storetest opens fresh, migrated databases for tests.
package storetest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/parley-org/parley/internal/store"
)

// Open returns a new migrated SQLite database in the test's temporary
// directory, closed when the test ends.
func Open(t testing.TB) *store.Store {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "parley.db"))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return s
}
