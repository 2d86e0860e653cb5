// Package storetest opens fresh, migrated databases for tests.
//
// Tests run on SQLite by default. With PARLEY_TEST_DATABASE=postgres each
// test gets its own new PostgreSQL database instead, created through the
// admin URL in PARLEY_TEST_POSTGRES_URL (default DefaultPostgresURL) and
// dropped when the test ends. A PostgreSQL run that cannot reach the server
// fails: it never falls back to SQLite or skips.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parley-org/parley/internal/store"
)

// DefaultPostgresURL is the admin database used to create and drop test
// databases when PARLEY_TEST_POSTGRES_URL is not set.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// adminTimeout bounds creating or dropping a test database.
const adminTimeout = 30 * time.Second

// Dialect names the database tests run on: "postgres" when
// PARLEY_TEST_DATABASE=postgres, otherwise "sqlite".
func Dialect() string {
	if os.Getenv("PARLEY_TEST_DATABASE") == "postgres" {
		return "postgres"
	}
	return "sqlite"
}

// Open returns a store on a new migrated database, closed (and on
// PostgreSQL dropped) when the test ends.
func Open(t testing.TB) *store.Store {
	t.Helper()
	s, _ := openMigrated(t)
	// Cleanups run last-registered first: the store closes before its
	// database is dropped.
	t.Cleanup(func() { s.Close() })
	return s
}

// openMigrated opens a store on a new database and migrates it.
func openMigrated(t testing.TB) (*store.Store, string) {
	t.Helper()
	ctx := context.Background()
	u := newDatabase(t)
	s, err := store.Open(ctx, u)
	if err != nil {
		t.Fatalf("storetest: open store: %v", err)
	}
	if err := s.Migrate(ctx); err != nil {
		s.Close()
		t.Fatalf("storetest: migrate: %v", err)
	}
	return s, u
}

// URL returns the URL of a new migrated database that no store holds open,
// for tests that start whole Parley processes. It is removed when the test
// ends.
func URL(t testing.TB) string {
	t.Helper()
	s, u := openMigrated(t)
	s.Close()
	return u
}

// newDatabase makes an empty database for the test and returns its URL.
func newDatabase(t testing.TB) string {
	t.Helper()
	switch v := os.Getenv("PARLEY_TEST_DATABASE"); v {
	case "", "sqlite":
		return "sqlite:" + filepath.Join(t.TempDir(), "parley.db")
	case "postgres":
		return newPostgresDatabase(t)
	default:
		// A typo must not quietly run the tests on SQLite.
		t.Fatalf("storetest: PARLEY_TEST_DATABASE=%q: want sqlite or postgres", v)
		return ""
	}
}

// newPostgresDatabase creates parley_test_<random hex> and drops it, with
// any connections still open to it, when the test ends.
func newPostgresDatabase(t testing.TB) string {
	t.Helper()
	admin := os.Getenv("PARLEY_TEST_POSTGRES_URL")
	if admin == "" {
		admin = DefaultPostgresURL
	}
	u, err := url.Parse(admin)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Fatalf("storetest: PARLEY_TEST_POSTGRES_URL must be a postgres:// URL, got %q", redact(admin))
	}
	b := make([]byte, 8)
	rand.Read(b)
	name := "parley_test_" + hex.EncodeToString(b)

	if err := adminExec(admin, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("storetest: PARLEY_TEST_DATABASE=postgres, but creating a test database through %s failed: %v\n"+
			"Start PostgreSQL, or point PARLEY_TEST_POSTGRES_URL at a server where this user may create databases.",
			redact(admin), err)
	}
	t.Cleanup(func() {
		if err := adminExec(admin, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("storetest: drop test database %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}

// adminExec runs one statement on the admin database in a connection of
// its own; CREATE and DROP DATABASE cannot run in a transaction.
func adminExec(admin, stmt string) error {
	ctx, cancel := context.WithTimeout(context.Background(), adminTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, stmt)
	return err
}

// redact hides a password in a URL for messages.
func redact(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "(an unparsable URL)"
	}
	return p.Redacted()
}
