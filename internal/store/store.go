// Package store keeps Parley's data: all SQL lives here. One Store serves
// SQLite (the embedded default) and, behind the same methods, PostgreSQL.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

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
	// stmts and writeStmts cache prepared statements by query text, for the
	// read and write pools; SQLite would otherwise parse every query anew.
	stmts, writeStmts sync.Map
	// Now is the clock; tests may replace it.
	Now func() time.Time
	// onChange hears, after each commit, which debates' pages it changed.
	onChange []func(debateID int64)
	// notifier tells the other nodes of changes (PostgreSQL); nil on SQLite.
	notifier *notifier
	// txs maps each open transaction to the changes it will announce.
	txs sync.Map
	// node names this process among the nodes sharing the database.
	node         string
	listenConfig *pgx.ConnConfig
	log          *slog.Logger
}

// AllDebates, given to OnChange listeners, means any debate may have changed.
const AllDebates int64 = 0

// SetLogger gives the store a logger for trouble that no request reports,
// such as a lost connection to the other nodes. Call it before serving.
func (s *Store) SetLogger(log *slog.Logger) { s.log = log }

// Watch hears changes committed by other nodes sharing the database and
// passes them to the OnChange listeners, until ctx ends. It closes listening
// once it hears (at once on SQLite, where one process owns the database), so
// a node can wait for it before serving: a write another node made before
// then would otherwise go unheard.
func (s *Store) Watch(ctx context.Context, listening chan<- struct{}) {
	if s.listenConfig == nil {
		close(listening)
		return
	}
	s.listen(ctx, listening)
}

// hear passes a change to the listeners.
func (s *Store) hear(debateID int64) {
	for _, fn := range s.onChange {
		fn(debateID)
	}
}

// OnChange registers fn to hear, after every commit, each debate whose pages
// the commit changed. Register before serving; caches use it to invalidate.
func (s *Store) OnChange(fn func(debateID int64)) { s.onChange = append(s.onChange, fn) }

// noteChange records that the transaction changes a debate's pages: it bumps
// the debate's version, and the news goes out to listeners and other nodes
// when the transaction commits (not at all on rollback).
func (s *Store) noteChange(ctx context.Context, tx *sql.Tx, debateID int64) error {
	s.announce(tx, debateID)
	return s.txExec(ctx, tx, sqlBumpVersion, debateID)
}

// announce is noteChange for a transaction that bumped the version itself.
func (s *Store) announce(tx *sql.Tx, debateID int64) {
	if st, ok := s.txs.Load(tx); ok {
		st := st.(*txState)
		st.changed = append(st.changed, debateID)
	}
}

// Shared reports whether other processes may write to the database (on
// PostgreSQL, other nodes), so that cached pages must be checked against
// DebateVersion before they are served.
func (s *Store) Shared() bool { return s.dialect.name == "postgres" }

// DebateVersion is a number that changes with every commit that changes what
// the debate's pages show.
func (s *Store) DebateVersion(ctx context.Context, debateID int64) (int64, error) {
	var v int64
	err := s.queryRow(ctx, `SELECT version FROM debates WHERE id = ?`, debateID).Scan(&v)
	return v, s.fail(err)
}

// dialect holds what differs between the databases. Everything else is portable SQL.
type dialect struct {
	name string // "sqlite" or "postgres"
	// numbered placeholders ($1, $2 …) instead of ?.
	numbered bool
	// translate maps a driver error to a domain error, or returns it unchanged.
	translate func(error) error
	// skipLocked ends a subquery that picks rows to lock, so that concurrent
	// claims pass each other (PostgreSQL); "" where writers are serialised.
	skipLocked string
}

// Open opens the database named by url: "sqlite:PATH" (or a bare path) for the
// embedded database, "postgres://…" for PostgreSQL. It does not migrate.
func Open(ctx context.Context, url string) (*Store, error) {
	var s *Store
	var err error
	switch {
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		s, err = openPostgres(url)
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
	if s.notifier != nil {
		s.notifier.stop()
	}
	for _, m := range []*sync.Map{&s.stmts, &s.writeStmts} {
		m.Range(func(_, st any) bool { st.(*sql.Stmt).Close(); return true })
	}
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

// now is the clock in the precision stored: UTC milliseconds.
func (s *Store) now() time.Time {
	t := time.Now()
	if s.Now != nil {
		t = s.Now()
	}
	return t.UTC().Truncate(time.Millisecond)
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

// txState is the transaction Atomically carries in its context.
type txState struct {
	tx      *sql.Tx
	changed []int64
	after   []func()
}

// AfterCommit runs fn once the transaction ctx carries commits (not at all
// if it rolls back), or at once outside a transaction: for news such as
// "mail is queued" that must not arrive before the rows it speaks of.
func (s *Store) AfterCommit(ctx context.Context, fn func()) {
	if st, ok := ctx.Value(txKey{}).(*txState); ok {
		st.after = append(st.after, fn)
		return
	}
	fn()
}

// Atomically runs fn so that every store call it makes with the context it is
// given commits together, or not at all. For multi-step work such as imports.
func (s *Store) Atomically(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		st, _ := s.txs.Load(tx)
		return fn(context.WithValue(ctx, txKey{}, st.(*txState)))
	})
}

// prepared returns the read pool's prepared statement for a query with a
// fixed text (never one built with a variable number of placeholders).
func (s *Store) prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	return prepare(ctx, &s.stmts, s.read, query, s.q)
}

func prepare(ctx context.Context, cache *sync.Map, db *sql.DB, query string, rebind func(string) string) (*sql.Stmt, error) {
	if st, ok := cache.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := db.PrepareContext(ctx, rebind(query))
	if err != nil {
		return nil, err
	}
	if prev, loaded := cache.LoadOrStore(query, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

// prepareWrites prepares the statements of the busiest write paths. It runs
// after migrating and outside any transaction: on SQLite the write pool has
// one connection, which a transaction would hold.
func (s *Store) prepareWrites(ctx context.Context) error {
	if s.dialect.name != "sqlite" {
		return nil // pgx caches prepared statements on each connection itself
	}
	for _, q := range hotWrites {
		if _, err := prepare(ctx, &s.writeStmts, s.write, q, s.q); err != nil {
			return fmt.Errorf("prepare %q: %w", q, err)
		}
	}
	return nil
}

// txExec runs a statement in a write transaction, prepared if it is one of hotWrites.
func (s *Store) txExec(ctx context.Context, tx *sql.Tx, query string, args ...any) error {
	var err error
	if st, ok := s.writeStmts.Load(query); ok {
		_, err = tx.StmtContext(ctx, st.(*sql.Stmt)).ExecContext(ctx, args...)
	} else {
		_, err = tx.ExecContext(ctx, s.q(query), args...)
	}
	return err
}

// txQueryRow runs a one-row query in a write transaction, prepared if it is one of hotWrites.
func (s *Store) txQueryRow(ctx context.Context, tx *sql.Tx, query string, args ...any) *sql.Row {
	if st, ok := s.writeStmts.Load(query); ok {
		return tx.StmtContext(ctx, st.(*sql.Stmt)).QueryRowContext(ctx, args...)
	}
	return tx.QueryRowContext(ctx, s.q(query), args...)
}

// query runs a fixed read query through a prepared statement.
func (s *Store) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := s.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// queryRow is query for one row.
func (s *Store) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := s.prepared(ctx, query)
	if err != nil {
		// Let the error surface from Scan, as QueryRowContext does.
		return s.read.QueryRowContext(ctx, s.q(query), args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// inTx runs fn in a write transaction and commits it; any error rolls back
// everything fn did, so no half-written rows remain. Inside Atomically it
// joins the enclosing transaction.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if st, ok := ctx.Value(txKey{}).(*txState); ok {
		return s.fail(fn(st.tx))
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return s.fail(err)
	}
	st := &txState{tx: tx}
	s.txs.Store(tx, st)
	defer s.txs.Delete(tx)
	if err := fn(tx); err != nil {
		tx.Rollback()
		return s.fail(err)
	}
	if err := tx.Commit(); err != nil {
		return s.fail(err)
	}
	for _, fn := range st.after {
		fn()
	}
	changed := slices.Compact(slices.Sorted(slices.Values(st.changed)))
	for _, id := range changed {
		s.hear(id)
	}
	if s.notifier != nil && len(changed) > 0 {
		s.notifier.send(ctx, changed)
	}
	return nil
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

// column reads the one column of a query's rows.
func column[T any](rows *sql.Rows, err error) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// scanRows reads every row of a query with scan:
// scanRows(scanExpert)(s.query(ctx, …)).
func scanRows[T any](scan func(interface{ Scan(...any) error }) (T, error)) func(*sql.Rows, error) ([]T, error) {
	return func(rows *sql.Rows, err error) ([]T, error) {
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []T
		for rows.Next() {
			v, err := scan(rows)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, rows.Err()
	}
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
