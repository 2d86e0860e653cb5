// Package store keeps Parley's data: all SQL lives here. One Store serves
// SQLite (the embedded default) and, behind the same methods, PostgreSQL.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/parley-org/parley"
)

// Store is Parley's database.
type Store struct {
	// write takes every transaction that writes. On SQLite it holds a single
	// connection, so writers queue in Go instead of failing with SQLITE_BUSY.
	write *sql.DB
	// read serves queries outside transactions; on SQLite WAL lets it run
	// beside the writer.
	read    *sql.DB
	dialect dialect
	// Now is the clock; tests may replace it.
	Now func() time.Time
}

// dialect holds what differs between the databases. Everything else is portable SQL.
type dialect struct {
	name string // "sqlite" or "postgres"
	// numbered placeholders ($1, $2 …) instead of ?.
	numbered bool
	// translate maps a driver error to a domain error, or returns it unchanged.
	translate func(error) error
}

// Open opens the database named by url: "sqlite:PATH" (or a bare path) for the
// embedded database, "postgres://…" for PostgreSQL. It does not migrate.
func Open(ctx context.Context, url string) (*Store, error) {
	var s *Store
	var err error
	switch {
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		return nil, fmt.Errorf("open %s: PostgreSQL support is not built yet", redactURL(url))
	default:
		s, err = openSQLite(strings.TrimPrefix(url, "sqlite:"))
	}
	if err != nil {
		return nil, err
	}
	if err := s.read.PingContext(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("open database: %w", err)
	}
	return s, nil
}

// Close closes the database after in-flight queries finish.
func (s *Store) Close() error {
	err := s.write.Close()
	if s.read != s.write {
		err = errors.Join(err, s.read.Close())
	}
	return err
}

// Dialect names the database in use: "sqlite" or "postgres".
func (s *Store) Dialect() string { return s.dialect.name }

// Ping checks the database answers, for health checks.
func (s *Store) Ping(ctx context.Context) error { return s.read.PingContext(ctx) }

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// q adapts a query written with ? placeholders to the database in use.
func (s *Store) q(query string) string {
	if !s.dialect.numbered {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 8)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

type txKey struct{}

// Atomically runs fn so that every store call it makes with the context it is
// given commits together, or not at all. For multi-step work such as imports.
func (s *Store) Atomically(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.inTx(ctx, func(tx *sql.Tx) error { return fn(context.WithValue(ctx, txKey{}, tx)) })
}

// inTx runs fn in a write transaction and commits it; any error rolls back
// everything fn did, so no half-written rows remain. Inside Atomically it
// joins the enclosing transaction.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if tx, ok := ctx.Value(txKey{}).(*sql.Tx); ok {
		return fn(tx)
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return s.fail(err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return s.fail(err)
	}
	return s.fail(tx.Commit())
}

// fail translates driver errors into domain errors in one place.
func (s *Store) fail(err error) error {
	if err == nil {
		return nil
	}
	var perr *parley.Error
	if errors.As(err, &perr) {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return parley.Errorf(parley.ENOTFOUND, "Not found.")
	}
	return s.dialect.translate(err)
}

// placeholders returns "?, ?, …" for n values.
func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}

func millis(t time.Time) int64 { return t.UnixMilli() }

func nullMillis(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMilli(), Valid: true}
}

func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

func fromNullMillis(ms sql.NullInt64) time.Time {
	if !ms.Valid {
		return time.Time{}
	}
	return fromMillis(ms.Int64)
}

func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// redactURL hides a password in a database URL for messages.
func redactURL(u string) string {
	if at := strings.LastIndexByte(u, '@'); at > 0 {
		if scheme := strings.Index(u, "://"); scheme > 0 && scheme < at {
			return u[:scheme+3] + "…" + u[at:]
		}
	}
	return u
}
