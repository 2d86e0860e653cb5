package store

import (
	"context"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/parley-org/parley"
)

// The pool of a PostgreSQL store. PostgreSQL handles concurrent writers
// itself, so one pool serves both readers and writers.
const (
	pgMaxOpenConns    = 20
	pgMaxIdleConns    = 10
	pgConnMaxIdleTime = 5 * time.Minute
	// Connections are replaced now and then, so that after a failover or a
	// DNS change the pool ends up on the new server.
	pgConnMaxLifetime = time.Hour
	// pgConnectTimeout bounds a connection attempt when the URL sets no
	// connect_timeout, so a host that drops packets cannot hang the pool.
	pgConnectTimeout = 10 * time.Second
)

// openPostgres opens a PostgreSQL database through pgx's database/sql driver.
func openPostgres(url string) (*Store, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		// pgx redacts the password in its parse errors.
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = pgConnectTimeout
	}
	if _, ok := cfg.RuntimeParams["application_name"]; !ok {
		cfg.RuntimeParams["application_name"] = "parley"
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(pgMaxOpenConns)
	db.SetMaxIdleConns(pgMaxIdleConns)
	db.SetConnMaxIdleTime(pgConnMaxIdleTime)
	db.SetConnMaxLifetime(pgConnMaxLifetime)
	s := &Store{write: db, read: db, dialect: dialect{name: "postgres", numbered: true, translate: translatePostgresError, skipLocked: " FOR UPDATE SKIP LOCKED"}}
	s.listenConfig = cfg
	s.node = hex.EncodeToString(randomBytes(8))
	s.notifier = newNotifier(s)
	return s, nil
}

// changesChannel carries "node:debateID" for each committed change, so that
// every node drops the cached pages another node's write made stale.
const changesChannel = "parley_changes"

// notifier tells the other nodes sharing the database which debates this
// node changed. Writers hand it their changes after committing and wait until
// the notification has gone out, so the reader's next request, on any node,
// finds the stale pages dropped. Changes that arrive while a notification is
// in flight go out together in the next one: a NOTIFY is a transaction of its
// own, and PostgreSQL commits notifying transactions one at a time.
type notifier struct {
	s       *Store
	mu      sync.Mutex
	pending map[int64]bool
	waiters []chan struct{}
	kick    chan struct{}
	cancel  context.CancelFunc
	done    chan struct{}
}

func newNotifier(s *Store) *notifier {
	ctx, cancel := context.WithCancel(context.Background())
	n := &notifier{s: s, pending: map[int64]bool{}, kick: make(chan struct{}, 1), cancel: cancel, done: make(chan struct{})}
	go n.run(ctx)
	return n
}

// send queues changes and waits, at most a few seconds, until they are sent.
func (n *notifier) send(ctx context.Context, ids []int64) {
	sent := make(chan struct{})
	n.mu.Lock()
	for _, id := range ids {
		n.pending[id] = true
	}
	n.waiters = append(n.waiters, sent)
	n.mu.Unlock()
	select {
	case n.kick <- struct{}{}:
	default:
	}
	select {
	case <-sent:
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
	}
}

func (n *notifier) run(ctx context.Context) {
	defer close(n.done)
	for {
		select {
		case <-ctx.Done():
			return
		case <-n.kick:
		}
		n.mu.Lock()
		ids := make([]string, 0, len(n.pending))
		for id := range n.pending {
			ids = append(ids, strconv.FormatInt(id, 10))
		}
		waiters := n.waiters
		n.pending, n.waiters = map[int64]bool{}, nil
		n.mu.Unlock()
		// A payload holds at most 8,000 bytes; a few hundred IDs fit.
		for len(ids) > 0 {
			chunk := ids[:min(len(ids), 400)]
			ids = ids[len(chunk):]
			_, err := n.s.write.ExecContext(ctx, `SELECT pg_notify($1, $2)`, changesChannel, n.s.node+":"+strings.Join(chunk, ","))
			if err != nil && n.s.log != nil && ctx.Err() == nil {
				n.s.log.Warn("could not tell the other nodes of a change; their caches catch up within a minute", "err", err)
			}
		}
		for _, w := range waiters {
			close(w)
		}
	}
}

func (n *notifier) stop() {
	n.cancel()
	<-n.done
}

// listen hears the other nodes' changes until ctx ends, reconnecting after a
// lost connection. Notifications sent while it was away are lost, so each
// (re)connection announces that anything may have changed.
func (s *Store) listen(ctx context.Context, listening chan<- struct{}) {
	backoff := 100 * time.Millisecond
	var once sync.Once
	for ctx.Err() == nil {
		err := s.listenOnce(ctx, func() { once.Do(func() { close(listening) }) })
		if ctx.Err() != nil {
			return
		}
		if s.log != nil {
			s.log.Warn("lost the connection that hears other nodes' changes; reconnecting", "err", err, "in", backoff)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

func (s *Store) listenOnce(ctx context.Context, heard func()) error {
	conn, err := pgx.ConnectConfig(ctx, s.listenConfig)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+changesChannel); err != nil {
		return err
	}
	s.hear(AllDebates)
	heard()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		node, ids, ok := strings.Cut(n.Payload, ":")
		if !ok || node == s.node {
			continue
		}
		for _, id := range strings.Split(ids, ",") {
			if debateID, err := strconv.ParseInt(id, 10, 64); err == nil {
				s.hear(debateID)
			}
		}
	}
}

// SQLSTATE codes that translatePostgresError knows.
const (
	pgUniqueViolation      = "23505"
	pgForeignKeyViolation  = "23503"
	pgSerializationFailure = "40001"
	pgDeadlockDetected     = "40P01"
	pgLockNotAvailable     = "55P03"
	pgAdminShutdown        = "57P01"
	pgCrashShutdown        = "57P02"
	pgCannotConnectNow     = "57P03"
	pgTooManyConnections   = "53300"
	pgConnectionException  = "08" // the class: 08000, 08003, 08006, …
	pgUntranslatable       = "22021"
)

// pgUnavailable is what a reader sees while the database cannot be reached.
func pgUnavailable() error {
	return parley.Errorf(parley.EUNAVAILABLE, "The database is unavailable. Please try again in a moment.")
}

// translatePostgresError turns PostgreSQL's constraint, contention and
// connection errors into domain errors, and returns any other error unchanged.
func translatePostgresError(err error) error {
	if err == nil {
		return nil
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case pe.Code == pgUniqueViolation:
			return &parley.Error{Code: parley.ECONFLICT, Message: "This already exists.", Fields: pgUniqueField(pe)}
		case pe.Code == pgUntranslatable:
			// Text holding a NUL byte, which PostgreSQL cannot store or compare.
			return parley.Errorf(parley.EINVALID, "This holds a character that is not allowed (a NUL byte).")
		case pe.Code == pgForeignKeyViolation:
			return parley.Errorf(parley.EINVALID, "This refers to something that does not exist.")
		case pe.Code == pgSerializationFailure, pe.Code == pgDeadlockDetected, pe.Code == pgLockNotAvailable:
			return parley.Errorf(parley.EUNAVAILABLE, "The database is busy. Please try again in a moment.")
		case strings.HasPrefix(pe.Code, pgConnectionException),
			pe.Code == pgAdminShutdown, pe.Code == pgCrashShutdown, pe.Code == pgCannotConnectNow,
			pe.Code == pgTooManyConnections:
			return pgUnavailable()
		}
		return err
	}
	// A reader who went away is not an outage.
	if errors.Is(err, context.Canceled) {
		return err
	}
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	switch {
	case pgconn.Timeout(err), errors.Is(err, context.DeadlineExceeded),
		errors.As(err, &connectErr), errors.As(err, &netErr),
		errors.Is(err, driver.ErrBadConn), errors.Is(err, pgconn.ErrConnClosed),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return pgUnavailable()
	}
	return err
}

// pgUniqueField names the column of a unique violation the way SQLite's
// uniqueField does, by the first column of the constraint. PostgreSQL names
// the columns in the error's detail, `Key (debate_id, submission_key)=(…)
// already exists.`; the values after them are never shown. Without a detail
// the constraint's name stands in: debates_slug_key is debates.slug.
func pgUniqueField(pe *pgconn.PgError) map[string]string {
	col := ""
	if open := strings.IndexByte(pe.Detail, '('); open >= 0 {
		if end := strings.Index(pe.Detail[open:], ")="); end > 0 {
			col, _, _ = strings.Cut(pe.Detail[open+1:open+end], ",")
			col = strings.Trim(strings.TrimSpace(col), `"`)
		}
	}
	if col == "" && pe.ConstraintName != "" {
		col = strings.TrimPrefix(pe.ConstraintName, pe.TableName+"_")
		for _, suffix := range []string{"_pkey", "_key"} {
			col = strings.TrimSuffix(col, suffix)
		}
	}
	if col == "" {
		return nil
	}
	return map[string]string{col: "This is already taken."}
}

// pgMigrationLock keys the session-level advisory lock under which one node
// at a time migrates a database ("parley" in ASCII). Advisory locks belong
// to one database, so databases on the same server do not wait for each other.
const pgMigrationLock int64 = 0x7061726c6579

// lockMigrations waits until no other node is migrating this database and
// holds it until unlock is called. The lock lives in a connection taken
// from the pool for the purpose, so the migration itself may use any other
// one; it goes with that connection if Parley dies half-way.
func (s *Store) lockMigrations(ctx context.Context) (unlock func(), err error) {
	conn, err := s.write.Conn(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, pgMigrationLock); err != nil {
		conn.Close()
		return nil, err
	}
	return func() {
		// Not the migration's context, which may be done by now.
		ctx, cancel := context.WithTimeout(context.Background(), pgConnectTimeout)
		defer cancel()
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_unlock($1)`, pgMigrationLock); err != nil {
			// Closing the session is the other way to release its lock.
			conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		conn.Close()
	}, nil
}
