package store

import (
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/parley-org/parley"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// sqlitePragmas are set on every pooled connection through the DSN.
// busy_timeout comes before journal_mode so that switching to WAL waits for
// other processes instead of failing; synchronous=NORMAL is the WAL setting
// that keeps every commit atomic and durable across a crash of Parley.
var sqlitePragmas = []string{
	"busy_timeout(10000)",
	"journal_mode(WAL)",
	"synchronous(NORMAL)",
	"foreign_keys(1)",
	"cache_size(-4000)", // KiB a connection; the OS caches the file too
}

func openSQLite(path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("open sqlite: no database path given")
	}
	if path != ":memory:" {
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
	}
	v := url.Values{}
	for _, p := range sqlitePragmas {
		v.Add("_pragma", p)
	}
	// Immediate transactions take the write lock at BEGIN, so a writer never
	// fails half-way on a lock upgrade.
	v.Set("_txlock", "immediate")
	dsn := "file:" + path + "?" + v.Encode()

	write, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)

	read, err := sql.Open("sqlite", dsn)
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	n := max(4, 2*runtime.NumCPU())
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	read.SetConnMaxIdleTime(0)
	read.SetConnMaxLifetime(0)
	return &Store{write: write, read: read, dialect: dialect{name: "sqlite", translate: translateSQLiteError}}, nil
}

// translateSQLiteError turns SQLite's constraint errors into domain errors.
func translateSQLiteError(err error) error {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return err
	}
	// Code is the extended result code; its low byte is the primary one.
	switch e.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return &parley.Error{Code: parley.ECONFLICT, Message: "This already exists.", Fields: uniqueField(e.Error())}
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return parley.Errorf(parley.EINVALID, "This refers to something that does not exist.")
	}
	switch e.Code() & 0xff {
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return &parley.Error{Code: parley.EUNAVAILABLE, Message: "The database is busy. Please try again in a moment."}
	}
	return err
}

// uniqueField names the column of a UNIQUE violation ("… UNIQUE constraint failed: debates.slug").
func uniqueField(msg string) map[string]string {
	i := strings.LastIndex(msg, "failed: ")
	if i < 0 {
		return nil
	}
	col := msg[i+len("failed: "):]
	if j := strings.IndexAny(col, ", )"); j >= 0 {
		col = col[:j]
	}
	if k := strings.IndexByte(col, '.'); k >= 0 {
		col = col[k+1:]
	}
	return map[string]string{col: "This is already taken."}
}
