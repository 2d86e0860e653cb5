// Package sqlitedrivers holds the driver-independent part of Parley's SQLite
// driver benchmark: the schema, the comment-write path, the thread-read path
// and a few conformance checks (pragmas on every pooled connection, immediate
// transactions, UNIQUE-violation detection).
//
// Each driver lives in its own sub-package (modernc, ncruces, mattn) because
// github.com/ncruces/go-sqlite3/driver and github.com/mattn/go-sqlite3 both
// register the database/sql name "sqlite3" in init, so they cannot be linked
// into one test binary. Run everything with
//
//	go test -bench . -benchmem -count 5 ./...
package sqlitedrivers

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// Driver describes one database/sql SQLite driver under test.
type Driver struct {
	// Name is the sub-benchmark name, e.g. "modernc".
	Name string
	// SQLName is the name the driver registers with database/sql.
	SQLName string
	// DSN returns the data source name for the database file at path. It
	// must apply busy_timeout=5000, journal_mode=WAL, synchronous=NORMAL and
	// foreign_keys=ON to every connection, and make transactions started
	// with BeginTx immediate.
	DSN func(path string) string
	// DSNDefaultTx is DSN without the transaction-mode option; used to
	// find out what the driver does by default.
	DSNDefaultTx func(path string) string
	// IsUniqueViolation reports whether err is a UNIQUE constraint failure.
	IsUniqueViolation func(err error) bool
}

// Schema is the comment schema under test.
const Schema = `
CREATE TABLE debates (id INTEGER PRIMARY KEY, slug TEXT NOT NULL UNIQUE, comment_count INTEGER NOT NULL DEFAULT 0, last_comment_at INTEGER);
CREATE TABLE comments (id INTEGER PRIMARY KEY, debate_id INTEGER NOT NULL REFERENCES debates(id), parent_id INTEGER REFERENCES comments(id), root_id INTEGER, reply_to_id INTEGER, depth INTEGER NOT NULL DEFAULT 0, author_name TEXT NOT NULL, author_email TEXT NOT NULL, avatar_key TEXT NOT NULL, body_md TEXT NOT NULL, body_html TEXT NOT NULL, status TEXT NOT NULL, language TEXT NOT NULL DEFAULT '', submission_key TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE UNIQUE INDEX comments_submission ON comments(debate_id, submission_key);
CREATE INDEX comments_toplevel ON comments(debate_id, status, root_id, id);
CREATE INDEX comments_root ON comments(root_id, id);
`

const (
	insertComment = `INSERT INTO comments (debate_id, parent_id, root_id, reply_to_id, depth, author_name, author_email, avatar_key, body_md, body_html, status, language, submission_key, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	bumpDebate    = `UPDATE debates SET comment_count = comment_count + 1, last_comment_at = ? WHERE id = ?`
	selectThread  = `SELECT id, parent_id, root_id, reply_to_id, depth, author_name, avatar_key, body_html, status, language, created_at FROM comments WHERE debate_id = ? ORDER BY id`
)

const (
	// numDebates is how many debates the write benchmarks spread comments over.
	numDebates = 64
	// threadSize is the number of comments in the debate read by ReadThread.
	threadSize = 1000
	// readPoolSize is MaxOpenConns of the read pool.
	readPoolSize = 4
	// writers is the number of goroutines in PostParallel.
	writers = 16
)

// DSNQuery builds "file:<path>?<query>".
func DSNQuery(path, query string) string {
	return "file:" + path + "?" + query
}

// Open opens a pool on a fresh database file in dir and checks it works. It
// skips tb when the driver cannot work in this build (mattn without cgo).
func Open(tb testing.TB, d Driver, dsn string, maxConns int) *sql.DB {
	tb.Helper()
	db, err := sql.Open(d.SQLName, dsn)
	if err != nil {
		tb.Fatal(err)
	}
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(maxConns)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	if err := db.Ping(); err != nil {
		db.Close()
		if strings.Contains(err.Error(), "CGO_ENABLED=0") {
			tb.Skipf("%s: %v", d.Name, err)
		}
		tb.Fatalf("%s: ping: %v", d.Name, err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// NewDB creates a database file in a new temporary directory with the schema
// and numDebates debates, and returns its path and a single-connection write
// pool on it.
func NewDB(tb testing.TB, d Driver) (string, *sql.DB) {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "parley.db")
	w := Open(tb, d, d.DSN(path), 1)
	if _, err := w.Exec(Schema); err != nil {
		tb.Fatalf("schema: %v", err)
	}
	tx, err := w.Begin()
	if err != nil {
		tb.Fatal(err)
	}
	for i := 1; i <= numDebates; i++ {
		if _, err := tx.Exec(`INSERT INTO debates (id, slug) VALUES (?, ?)`, i, "debate-"+strconv.Itoa(i)); err != nil {
			tb.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
	return path, w
}

var (
	bodiesMD   [8]string
	bodiesHTML [8]string
	authors    = [...]string{"Ada Lovelace", "Grace Hopper", "Alan Turing", "Edsger Dijkstra", "Barbara Liskov"}
)

func init() {
	words := strings.Fields("the motion assumes that public debate improves when comments are threaded and moderated; " +
		"however evidence from several forums suggests that **ranking** and _pacing_ matter more than structure, " +
		"see https://example.org/study for details and the follow-up replies below")
	for i := range bodiesMD {
		var md strings.Builder
		for j := 0; md.Len() < 500; j++ {
			if j > 0 {
				md.WriteByte(' ')
			}
			md.WriteString(words[(i+j)%len(words)])
		}
		bodiesMD[i] = md.String()
		html := "<p>" + strings.NewReplacer("**ranking**", "<strong>ranking</strong>", "_pacing_", "<em>pacing</em>").Replace(md.String()) + "</p>"
		bodiesHTML[i] = html[:min(len(html), 520)]
	}
}

// Poster writes comments the way Parley's comment endpoint will: one
// transaction per comment that inserts it and bumps the debate's counters.
type Poster struct {
	db        *sql.DB
	debates   int
	seq       atomic.Int64
	lastTop   []atomic.Int64 // per debate: id of the newest top-level comment
	lastReply []atomic.Int64 // per debate: id<<32 | root_id of the newest reply
}

// NewPoster returns a Poster that spreads comments over debates 1..debates.
func NewPoster(db *sql.DB, debates int) *Poster {
	return &Poster{
		db:        db,
		debates:   debates,
		lastTop:   make([]atomic.Int64, debates),
		lastReply: make([]atomic.Int64, debates),
	}
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// post inserts comment number n and bumps its debate using e. A third of the
// comments are replies: half of those to the newest top-level comment of the
// debate (depth 1), half to the newest reply (depth 2).
func (p *Poster) post(ctx context.Context, e execer, n int64) (debate int, id, root int64, depth int, err error) {
	debate = int(n % int64(p.debates))
	var parent, rootArg, replyTo any // nil binds NULL
	if n%3 == 0 {
		if top := p.lastTop[debate].Load(); top != 0 {
			parent, rootArg, replyTo, depth, root = top, top, top, 1, top
			if lr := p.lastReply[debate].Load(); lr != 0 && n%2 == 0 {
				rid := lr >> 32
				root = lr & 0xffffffff
				parent, rootArg, replyTo, depth = rid, root, rid, 2
			}
		}
	}
	now := time.Now().UnixMilli()
	did := int64(debate + 1)
	author := authors[n%int64(len(authors))]
	res, err := e.ExecContext(ctx, insertComment,
		did, parent, rootArg, replyTo, depth,
		author, "user"+strconv.FormatInt(n%1000, 10)+"@example.org", "avatar/"+strconv.FormatInt(n%1000, 16),
		bodiesMD[n%8], bodiesHTML[n%8], "published", "en",
		"sk-"+strconv.FormatInt(n, 36), now, now)
	if err != nil {
		return 0, 0, 0, 0, fmt.Errorf("insert comment: %w", err)
	}
	if id, err = res.LastInsertId(); err != nil {
		return 0, 0, 0, 0, err
	}
	if _, err = e.ExecContext(ctx, bumpDebate, now, did); err != nil {
		return 0, 0, 0, 0, fmt.Errorf("bump debate: %w", err)
	}
	return debate, id, root, depth, nil
}

func (p *Poster) record(debate int, id, root int64, depth int) {
	switch depth {
	case 0:
		p.lastTop[debate].Store(id)
	default:
		p.lastReply[debate].Store(id<<32 | root)
	}
}

// Post writes one comment in its own (immediate) transaction.
func (p *Poster) Post(ctx context.Context) error {
	n := p.seq.Add(1)
	tx, err := p.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	debate, id, root, depth, err := p.post(ctx, tx, n)
	if err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	p.record(debate, id, root, depth)
	return nil
}

// Fill writes count comments in a single transaction (benchmark setup).
func (p *Poster) Fill(ctx context.Context, count int) error {
	tx, err := p.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for range count {
		debate, id, root, depth, err := p.post(ctx, tx, p.seq.Add(1))
		if err != nil {
			return err
		}
		p.record(debate, id, root, depth)
	}
	return tx.Commit()
}

// reportRate reports b.N per second of wall time as unit, and the process
// CPU time (all threads, GC included) per op since cpu0 as cpu-ns/op. On a
// shared machine cpu-ns/op is less disturbed by other processes than ns/op.
func reportRate(b *testing.B, unit string, cpu0 time.Duration) {
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(b.N)/s, unit)
	}
	if cpu := cpuTime(); cpu0 > 0 && cpu > cpu0 {
		b.ReportMetric(float64(cpu-cpu0)/float64(b.N), "cpu-ns/op")
	}
}

// BenchPost measures one comment-write transaction on a single-connection
// write pool.
func BenchPost(b *testing.B, d Driver) {
	_, w := NewDB(b, d)
	p := NewPoster(w, numDebates)
	ctx := context.Background()
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		if err := p.Post(ctx); err != nil {
			b.Fatal(err)
		}
	}
	reportRate(b, "comments/s", cpu0)
}

// BenchPostParallel is BenchPost with 16 goroutines contending for the
// single-connection write pool.
func BenchPostParallel(b *testing.B, d Driver) {
	_, w := NewDB(b, d)
	p := NewPoster(w, numDebates)
	ctx := context.Background()
	b.ReportAllocs()
	// SetParallelism(p) starts p*GOMAXPROCS goroutines.
	b.SetParallelism(max(1, (writers+runtime.GOMAXPROCS(0)-1)/runtime.GOMAXPROCS(0)))
	b.ResetTimer()
	cpu0 := cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := p.Post(ctx); err != nil {
				b.Error(err)
				return
			}
		}
	})
	reportRate(b, "comments/s", cpu0)
}

// Comment is one row of a thread as the thread page reads it.
type Comment struct {
	ID        int64
	ParentID  sql.NullInt64
	RootID    sql.NullInt64
	ReplyToID sql.NullInt64
	Depth     int
	Author    string
	AvatarKey string
	BodyHTML  string
	Status    string
	Language  string
	CreatedAt int64
}

// ReadThread reads every comment of a debate ordered by id.
func ReadThread(ctx context.Context, db *sql.DB, debateID int64) ([]Comment, error) {
	rows, err := db.QueryContext(ctx, selectThread, debateID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Comment
	for rows.Next() {
		var c Comment
		if err := rows.Scan(&c.ID, &c.ParentID, &c.RootID, &c.ReplyToID, &c.Depth, &c.Author,
			&c.AvatarKey, &c.BodyHTML, &c.Status, &c.Language, &c.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// threadDB returns a read pool on a database in which debate 1 holds
// threadSize comments (and debates 2..5 as many again).
func threadDB(b *testing.B, d Driver) *sql.DB {
	path, w := NewDB(b, d)
	p := NewPoster(w, 5)
	if err := p.Fill(context.Background(), 5*threadSize); err != nil {
		b.Fatal(err)
	}
	r := Open(b, d, d.DSN(path), readPoolSize)
	got, err := ReadThread(context.Background(), r, 1)
	if err != nil {
		b.Fatal(err)
	}
	if len(got) != threadSize {
		b.Fatalf("thread has %d comments, want %d", len(got), threadSize)
	}
	return r
}

// BenchReadThread measures reading a 1,000-comment thread.
func BenchReadThread(b *testing.B, d Driver) {
	r := threadDB(b, d)
	ctx := context.Background()
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		if _, err := ReadThread(ctx, r, 1); err != nil {
			b.Fatal(err)
		}
	}
	reportRate(b, "threads/s", cpu0)
}

// BenchReadThreadParallel is BenchReadThread with 2*GOMAXPROCS goroutines
// on a readPoolSize-connection read pool.
func BenchReadThreadParallel(b *testing.B, d Driver) {
	r := threadDB(b, d)
	ctx := context.Background()
	b.ReportAllocs()
	b.SetParallelism(2)
	b.ResetTimer()
	cpu0 := cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := ReadThread(ctx, r, 1); err != nil {
				b.Error(err)
				return
			}
		}
	})
	reportRate(b, "threads/s", cpu0)
}

// CheckPragmas opens four connections of one pool at once and checks each got
// the pragmas from the DSN.
func CheckPragmas(t *testing.T, d Driver) {
	path := filepath.Join(t.TempDir(), "parley.db")
	db := Open(t, d, d.DSN(path), 4)
	ctx := context.Background()
	var conns []*sql.Conn
	for range 4 {
		c, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conns = append(conns, c)
	}
	if s := db.Stats(); s.OpenConnections != 4 {
		t.Fatalf("open connections = %d, want 4", s.OpenConnections)
	}
	for i, c := range conns {
		var busy, sync, fk int
		var journal string
		for _, q := range []struct {
			pragma string
			dst    any
		}{{"busy_timeout", &busy}, {"journal_mode", &journal}, {"synchronous", &sync}, {"foreign_keys", &fk}} {
			if err := c.QueryRowContext(ctx, "PRAGMA "+q.pragma).Scan(q.dst); err != nil {
				t.Fatalf("conn %d: PRAGMA %s: %v", i, q.pragma, err)
			}
		}
		if busy != 5000 || journal != "wal" || sync != 1 || fk != 1 {
			t.Errorf("conn %d: busy_timeout=%d journal_mode=%s synchronous=%d foreign_keys=%d; want 5000 wal 1 1",
				i, busy, journal, sync, fk)
		}
	}
}

// holdsWriteLock begins a transaction with BeginTx on the dsn's pool and
// reports whether that alone took the write lock, by trying BEGIN IMMEDIATE
// from a second connection with busy_timeout 0.
func holdsWriteLock(t *testing.T, d Driver, path, dsn string) bool {
	ctx := context.Background()
	a := Open(t, d, dsn, 1)
	b := Open(t, d, d.DSN(path), 1)
	tx, err := a.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	c, err := b.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.ExecContext(ctx, "PRAGMA busy_timeout = 0"); err != nil {
		t.Fatal(err)
	}
	_, err = c.ExecContext(ctx, "BEGIN IMMEDIATE")
	if err == nil {
		if _, err := c.ExecContext(ctx, "ROLLBACK"); err != nil {
			t.Fatal(err)
		}
		return false
	}
	if !strings.Contains(strings.ToLower(err.Error()), "locked") && !strings.Contains(strings.ToLower(err.Error()), "busy") {
		t.Fatalf("BEGIN IMMEDIATE: unexpected error %v", err)
	}
	return true
}

// CheckImmediate checks that BeginTx on the DSN starts an immediate
// transaction, and logs what the driver does without the option.
func CheckImmediate(t *testing.T, d Driver) {
	path, _ := NewDB(t, d)
	if !holdsWriteLock(t, d, path, d.DSN(path)) {
		t.Errorf("BeginTx with %q did not take the write lock", d.DSN(path))
	}
	if holdsWriteLock(t, d, path, d.DSNDefaultTx(path)) {
		t.Logf("%s: default BeginTx is IMMEDIATE", d.Name)
	} else {
		t.Logf("%s: default BeginTx is DEFERRED", d.Name)
	}
}

// CheckErrors checks UNIQUE-violation detection, and that a foreign-key
// violation is reported (foreign_keys=ON) but not taken for a UNIQUE one.
func CheckErrors(t *testing.T, d Driver) {
	_, w := NewDB(t, d)
	ins := `INSERT INTO comments (debate_id, author_name, author_email, avatar_key, body_md, body_html, status, submission_key, created_at, updated_at) VALUES (?, 'a', 'a@example.org', 'k', 'b', 'b', 'published', ?, 0, 0)`
	if _, err := w.Exec(ins, 1, "dup"); err != nil {
		t.Fatal(err)
	}
	_, err := w.Exec(ins, 1, "dup")
	if err == nil {
		t.Fatal("duplicate submission_key accepted")
	}
	t.Logf("%s: UNIQUE violation: %T: %v", d.Name, err, err)
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			t.Logf("%s:   joins %T: %v", d.Name, e, e)
		}
	}
	if !d.IsUniqueViolation(err) {
		t.Errorf("IsUniqueViolation(%v) = false", err)
	}
	// The same through a transaction, wrapped as application code would.
	tx, err := w.Begin()
	if err != nil {
		t.Fatal(err)
	}
	_, err = tx.Exec(ins, 1, "dup")
	tx.Rollback()
	if err = fmt.Errorf("post comment: %w", err); !d.IsUniqueViolation(err) {
		t.Errorf("IsUniqueViolation(wrapped %v) = false", err)
	}
	_, err = w.Exec(ins, 999, "fk")
	if err == nil {
		t.Fatal("foreign key violation accepted: foreign_keys is off")
	}
	t.Logf("%s: FK violation: %T: %v", d.Name, err, err)
	if d.IsUniqueViolation(err) {
		t.Errorf("IsUniqueViolation(FK error %v) = true", err)
	}
	if d.IsUniqueViolation(errors.New("UNIQUE constraint failed")) {
		t.Error("IsUniqueViolation matched a plain error")
	}
}

// LogTypes logs how the driver hands back INTEGER columns and what it does
// with a time.Time bound to an INTEGER column.
func LogTypes(t *testing.T, d Driver) {
	_, w := NewDB(t, d)
	var id, count, last any
	if err := w.QueryRow(`SELECT id, comment_count, last_comment_at FROM debates WHERE id = 1`).Scan(&id, &count, &last); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: INTEGER PRIMARY KEY -> %T, INTEGER -> %T, NULL INTEGER -> %T", d.Name, id, count, last)

	var n int64
	err := w.QueryRow(`SELECT last_comment_at FROM debates WHERE id = 1`).Scan(&n)
	t.Logf("%s: NULL into *int64: %v", d.Name, err)

	ts := time.Date(2026, 1, 2, 3, 4, 5, 600_000_000, time.UTC)
	_, err = w.Exec(`UPDATE debates SET last_comment_at = ? WHERE id = 1`, ts)
	if err != nil {
		t.Logf("%s: bind time.Time: %v", d.Name, err)
		return
	}
	var typ, text string
	var raw any
	if err := w.QueryRow(`SELECT typeof(last_comment_at), CAST(last_comment_at AS TEXT), last_comment_at FROM debates WHERE id = 1`).Scan(&typ, &text, &raw); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: time.Time bound to INTEGER column stored as %s %q (scanned into *any as %T)", d.Name, typ, text, raw)
	var back time.Time
	err = w.QueryRow(`SELECT last_comment_at FROM debates WHERE id = 1`).Scan(&back)
	t.Logf("%s: scan it back into *time.Time: %v %v", d.Name, back, err)
}

// LogPlan logs SQLite's query plan for the thread read.
func LogPlan(t *testing.T, d Driver) {
	_, w := NewDB(t, d)
	rows, err := w.Query(`EXPLAIN QUERY PLAN `+selectThread, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, parent, notused int64
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: plan: %s", d.Name, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}

// LogConfig logs the SQLite build and the per-connection defaults that the
// DSN does not set, since they differ between drivers and affect speed.
func LogConfig(t *testing.T, d Driver) {
	path := filepath.Join(t.TempDir(), "parley.db")
	db := Open(t, d, d.DSN(path), 1)
	var version string
	var cacheSize, mmapSize, pageSize, walAuto int64
	for _, q := range []struct {
		query string
		dst   any
	}{
		{"SELECT sqlite_version()", &version},
		{"PRAGMA cache_size", &cacheSize},
		{"PRAGMA mmap_size", &mmapSize},
		{"PRAGMA page_size", &pageSize},
		{"PRAGMA wal_autocheckpoint", &walAuto},
	} {
		if err := db.QueryRow(q.query).Scan(q.dst); err != nil {
			t.Fatalf("%s: %v", q.query, err)
		}
	}
	t.Logf("%s: SQLite %s cache_size=%d mmap_size=%d page_size=%d wal_autocheckpoint=%d",
		d.Name, version, cacheSize, mmapSize, pageSize, walAuto)
	rows, err := db.Query("PRAGMA compile_options")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var opts []string
	for rows.Next() {
		var o string
		if err := rows.Scan(&o); err != nil {
			t.Fatal(err)
		}
		opts = append(opts, o)
	}
	t.Logf("%s: compile_options: %s", d.Name, strings.Join(opts, " "))
}
