package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/testnote"
)

// This file is in package store, which storetest imports, so it makes its
// own databases. The PostgreSQL tests run only with
// PARLEY_TEST_DATABASE=postgres, like storetest, and fail rather than skip
// when the server cannot be reached.

// TestMigrationsInStep holds every dialect to the same list of migrations:
// a migration added for one database must be written for the other.
func TestMigrationsInStep(t *testing.T) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	var dialects []string
	for _, e := range entries {
		if e.IsDir() {
			dialects = append(dialects, e.Name())
		}
	}
	for _, want := range []string{"sqlite", "postgres"} {
		if !slices.Contains(dialects, want) {
			t.Errorf("no migrations/%s directory; have %v", want, dialects)
		}
	}
	byDialect := map[string]map[int]string{}
	versions := map[int]bool{}
	for _, d := range dialects {
		list, err := migrations(d)
		if err != nil {
			t.Errorf("migrations/%s: %v", d, err)
			continue
		}
		if len(list) == 0 {
			t.Errorf("migrations/%s has no migrations", d)
		}
		byDialect[d] = map[int]string{}
		for _, m := range list {
			byDialect[d][m.version] = m.name
			versions[m.version] = true
		}
	}
	for v := range versions {
		names := map[string][]string{} // file name → dialects that have it
		for _, d := range dialects {
			if byDialect[d] == nil {
				continue
			}
			name, ok := byDialect[d][v]
			if !ok {
				name = "(missing)"
			}
			names[name] = append(names[name], d)
		}
		if len(names) > 1 {
			var parts []string
			for name, ds := range names {
				parts = append(parts, fmt.Sprintf("%s in %s", name, strings.Join(ds, ", ")))
			}
			sort.Strings(parts)
			t.Errorf("migration %04d differs between dialects: %s", v, strings.Join(parts, "; "))
		}
	}
}

// TestSchemasInStep migrates both databases and compares what they built:
// tables, columns, their types and nullability, indexes, foreign keys and
// the number of CHECK constraints.
func TestSchemasInStep(t *testing.T) {
	pgURL := testPostgresURL(t)
	ctx := context.Background()
	lite := openMigrated(t, "sqlite:"+filepath.Join(t.TempDir(), "parley.db"))
	pg := openMigrated(t, pgURL)
	a, err := sqliteSchema(ctx, lite.read)
	if err != nil {
		t.Fatalf("read sqlite schema: %v", err)
	}
	b, err := postgresSchema(ctx, pg.read)
	if err != nil {
		t.Fatalf("read postgres schema: %v", err)
	}
	// schema_migrations is made by Migrate with portable SQL: its version
	// is INTEGER in both, which is 32 bits on PostgreSQL and plenty.
	// Full-text search is each database's own: FTS5 tables in SQLite, GIN
	// indexes in PostgreSQL, all named *_search (0011_search.sql).
	skip := func(line string) bool {
		return strings.HasPrefix(line, "column schema_migrations.version ") || strings.Contains(line, "_search")
	}
	a, b = slices.DeleteFunc(a, skip), slices.DeleteFunc(b, skip)
	for _, line := range a {
		if !slices.Contains(b, line) {
			t.Errorf("only in sqlite:   %s", line)
		}
	}
	for _, line := range b {
		if !slices.Contains(a, line) {
			t.Errorf("only in postgres: %s", line)
		}
	}
}

// TestConcurrentMigrate starts several nodes on one new PostgreSQL database
// at once, as a cluster does after a deploy: every node must come up.
func TestConcurrentMigrate(t *testing.T) {
	requirePostgres(t)
	want, err := migrations("postgres")
	if err != nil {
		t.Fatal(err)
	}
	const nodes, rounds = 4, 5
	for round := range rounds {
		ctx := context.Background()
		u := testPostgresURL(t)
		stores := make([]*Store, nodes)
		for i := range stores {
			s, err := Open(ctx, u)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			stores[i] = s
		}
		var start, done sync.WaitGroup
		start.Add(1)
		errs := make([]error, nodes)
		for i, s := range stores {
			done.Add(1)
			go func() {
				defer done.Done()
				start.Wait()
				errs[i] = s.Migrate(ctx)
			}()
		}
		start.Done()
		done.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("round %d, node %d of %d: %v", round, i+1, nodes, err)
			}
		}
		var n int
		if err := stores[0].read.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != len(want) {
			t.Errorf("round %d: schema_migrations has %d rows, want %d", round, n, len(want))
		}
		if t.Failed() {
			return
		}
	}
}

// TestMigrationLock holds one node to its turn while another migrates.
func TestMigrationLock(t *testing.T) {
	ctx := context.Background()
	u := testPostgresURL(t)
	a, b := openMigrated(t, u), openMigrated(t, u)
	unlockA, err := a.lockMigrations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	go func() {
		unlockB, err := b.lockMigrations(ctx)
		if err == nil {
			unlockB()
		}
		got <- err
	}()
	select {
	case err := <-got:
		t.Fatalf("second node took the lock while the first held it (err %v)", err)
	case <-time.After(200 * time.Millisecond):
	}
	unlockA()
	select {
	case err := <-got:
		if err != nil {
			t.Fatalf("second node: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("second node still waits after the first unlocked")
	}
	// A cancelled wait gives up instead of hanging a start.
	unlockA, err = a.lockMigrations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer unlockA()
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if unlockB, err := b.lockMigrations(short); err == nil {
		unlockB()
		t.Fatal("second node took the lock while the first held it")
	}
}

// TestPostgresErrors checks the domain errors that PostgreSQL's errors
// become, on a real server.
func TestPostgresErrors(t *testing.T) {
	ctx := context.Background()
	s := openMigrated(t, testPostgresURL(t))

	d := &parley.Debate{Slug: "taken", Title: "T", Question: "Q", Status: parley.DebatePublished}
	if _, err := s.SaveDebate(ctx, d); err != nil {
		t.Fatal(err)
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO debates (slug, title, question, status, created_at, updated_at)
			VALUES (?, 'T', 'Q', 'draft', 0, 0)`), "taken")
		return err
	})
	if parley.ErrorCode(err) != parley.ECONFLICT || parley.ErrorFields(err)["slug"] == "" {
		t.Errorf("duplicate slug: got %v %v, want conflict on slug", err, parley.ErrorFields(err))
	}

	// Nodes racing to store the same submission all get the one comment.
	const racers = 8
	var wg sync.WaitGroup
	ids := make([]int64, racers)
	created := make([]bool, racers)
	errs := make([]error, racers)
	for i := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var c *parley.Comment
			c, created[i], errs[i] = s.CreateComment(ctx, CreateComment{DebateID: d.ID, AuthorName: "A", AuthorEmail: "a@example.org",
				BodyMD: "x", BodyHTML: "x", SubmissionKey: "same"})
			if c != nil {
				ids[i] = c.ID
			}
		}()
	}
	wg.Wait()
	nCreated := 0
	for i := range racers {
		if errs[i] != nil {
			t.Errorf("racer %d: %v", i, errs[i])
		}
		if ids[i] != ids[0] {
			t.Errorf("racer %d got comment %d, racer 0 got %d", i, ids[i], ids[0])
		}
		if created[i] {
			nCreated++
		}
	}
	if got, err := s.DebateBySlug(ctx, "taken"); nCreated != 1 || err != nil || got.CommentCount != 1 {
		t.Fatalf("submission race: %d created, debate %+v (%v); want 1 created and counted", nCreated, got, err)
	}

	q := &parley.Question{DebateID: d.ID, CommentID: ids[0]}
	if err := s.AddQuestion(ctx, q); err != nil {
		t.Fatal(err)
	}
	err = s.AddAnswer(ctx, &parley.Answer{QuestionID: q.ID, ExpertID: 12345, BodyMD: "x", Status: parley.AnswerDraft})
	if parley.ErrorCode(err) != parley.EINVALID {
		t.Errorf("answer by a missing expert: got %v, want invalid", err)
	}

	// A connection the server ends, as on a restart or failover.
	conn, err := s.write.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var pid int
	if err := conn.QueryRowContext(ctx, `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
		t.Fatal(err)
	}
	if _, err := s.read.ExecContext(ctx, `SELECT pg_terminate_backend($1)`, pid); err != nil {
		t.Fatal(err)
	}
	_, err = conn.ExecContext(ctx, `SELECT 1`)
	if err == nil || parley.ErrorCode(s.fail(err)) != parley.EUNAVAILABLE {
		t.Errorf("query on a terminated connection: got %v → %v, want unavailable", err, s.fail(err))
	}

	// A server that does not answer.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	down, err := openPostgres("postgres://parley@" + addr + "/parley?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	defer down.Close()
	err = down.Ping(ctx)
	if f := down.fail(err); parley.ErrorCode(f) != parley.EUNAVAILABLE ||
		f.Error() != "The database is unavailable. Please try again in a moment." {
		t.Errorf("server down: got %v → %v, want unavailable", err, f)
	}
	if _, _, err := down.Debates(ctx, parley.DebateFilter{}); parley.ErrorCode(err) != parley.EUNAVAILABLE {
		t.Errorf("listing debates with the server down: got %v, want unavailable", err)
	}
}

// TestTranslatePostgresError covers the mapping without a server.
func TestTranslatePostgresError(t *testing.T) {
	other := errors.New("something else")
	for _, tc := range []struct {
		name  string
		err   error
		code  string
		field string
	}{
		{"unique by detail", &pgconn.PgError{Code: "23505", Detail: "Key (slug)=(car-free) already exists.",
			TableName: "debates", ConstraintName: "debates_slug_key"}, parley.ECONFLICT, "slug"},
		{"unique by detail, first column as on sqlite", &pgconn.PgError{Code: "23505",
			Detail: "Key (debate_id, submission_key)=(1, abc) already exists.", TableName: "comments", ConstraintName: "comments_submission"},
			parley.ECONFLICT, "debate_id"},
		{"unique, localized detail", &pgconn.PgError{Code: "23505", Detail: "Schlüssel »(slug)=(x)« existiert bereits."},
			parley.ECONFLICT, "slug"},
		{"unique by constraint name", &pgconn.PgError{Code: "23505", TableName: "experts", ConstraintName: "experts_slug_key"},
			parley.ECONFLICT, "slug"},
		{"wrapped unique", fmt.Errorf("save: %w", &pgconn.PgError{Code: "23505", Detail: "Key (name)=(x) already exists."}),
			parley.ECONFLICT, "name"},
		{"foreign key", &pgconn.PgError{Code: "23503"}, parley.EINVALID, ""},
		{"serialization", &pgconn.PgError{Code: "40001"}, parley.EUNAVAILABLE, ""},
		{"deadlock", &pgconn.PgError{Code: "40P01"}, parley.EUNAVAILABLE, ""},
		{"admin shutdown", &pgconn.PgError{Code: "57P01"}, parley.EUNAVAILABLE, ""},
		{"cannot connect now", &pgconn.PgError{Code: "57P03"}, parley.EUNAVAILABLE, ""},
		{"connection failure", &pgconn.PgError{Code: "08006"}, parley.EUNAVAILABLE, ""},
		{"bad conn", fmt.Errorf("query: %w", driver.ErrBadConn), parley.EUNAVAILABLE, ""},
		{"net error", &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}, parley.EUNAVAILABLE, ""},
		{"deadline", context.DeadlineExceeded, parley.EUNAVAILABLE, ""},
		{"canceled by the reader", context.Canceled, parley.EINTERNAL, ""},
		{"syntax error", &pgconn.PgError{Code: "42601"}, parley.EINTERNAL, ""},
		{"not a driver error", other, parley.EINTERNAL, ""},
	} {
		got := translatePostgresError(tc.err)
		if parley.ErrorCode(got) != tc.code {
			t.Errorf("%s: got %v (%s), want %s", tc.name, got, parley.ErrorCode(got), tc.code)
		}
		if tc.field != "" && parley.ErrorFields(got)[tc.field] == "" {
			t.Errorf("%s: fields %v, want %q", tc.name, parley.ErrorFields(got), tc.field)
		}
		if tc.code == parley.EINTERNAL && got != tc.err {
			t.Errorf("%s: got %v, want the error unchanged", tc.name, got)
		}
	}
	if translatePostgresError(nil) != nil {
		t.Errorf("nil error translated to non-nil")
	}
}

// testPostgresURL creates an empty PostgreSQL database for the test and
// returns its URL; it skips unless PARLEY_TEST_DATABASE=postgres.
func testPostgresURL(t *testing.T) string {
	t.Helper()
	requirePostgres(t)
	admin := os.Getenv("PARLEY_TEST_POSTGRES_URL")
	if admin == "" {
		admin = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("PARLEY_TEST_POSTGRES_URL: %v", err)
	}
	b := make([]byte, 8)
	rand.Read(b)
	name := "parley_test_" + hex.EncodeToString(b)
	exec := func(stmt string) error {
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, admin)
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		_, err = conn.Exec(ctx, stmt)
		return err
	}
	if err := exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("PARLEY_TEST_DATABASE=postgres, but creating a database through %s failed: %v", u.Redacted(), err)
	}
	t.Cleanup(func() {
		if err := exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
			t.Errorf("drop %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}

func requirePostgres(t *testing.T) {
	t.Helper()
	if os.Getenv("PARLEY_TEST_DATABASE") != "postgres" {
		testnote.Skip(t, "PostgreSQL tests", testnote.NoPostgres)
	}
}

func openMigrated(t *testing.T, u string) *Store {
	t.Helper()
	s, err := Open(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

// The schemas are described as sorted lines in one vocabulary:
//
//	column debates.slug text not null
//	index primary debates(id)
//	index unique questions(debate_id,comment_id)
//	index named debates_listing: debates(status,published_at,id)
//	fk comments(debate_id) -> debates(id) on delete cascade
//	checks debates 1

// sqliteTypes maps SQLite's declared types to the PostgreSQL ones they stand for.
var sqliteTypes = map[string]string{"INTEGER": "bigint", "BIGINT": "bigint", "TEXT": "text", "BOOLEAN": "boolean"}

func sqliteSchema(ctx context.Context, db *sql.DB) ([]string, error) {
	var out []string
	tables, err := queryStrings(ctx, db, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		return nil, err
	}
	for _, tbl := range tables {
		var ddl string
		if err := db.QueryRowContext(ctx, `SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?`, tbl).Scan(&ddl); err != nil {
			return nil, err
		}
		if n := strings.Count(strings.ToUpper(ddl), "CHECK ("); n > 0 {
			out = append(out, fmt.Sprintf("checks %s %d", tbl, n))
		}
		// Columns, and the primary key (an INTEGER PRIMARY KEY is the rowid and has no index).
		rows, err := db.QueryContext(ctx, `SELECT name, type, "notnull", pk FROM pragma_table_info(?)`, tbl)
		if err != nil {
			return nil, err
		}
		pk := map[int]string{}
		for rows.Next() {
			var name, typ string
			var notNull bool
			var pkPos int
			if err := rows.Scan(&name, &typ, &notNull, &pkPos); err != nil {
				rows.Close()
				return nil, err
			}
			if pkPos > 0 {
				pk[pkPos] = name
				notNull = true // PostgreSQL's primary keys are NOT NULL; SQLite's INTEGER PRIMARY KEY is too.
			}
			pgType, ok := sqliteTypes[strings.ToUpper(typ)]
			if !ok {
				pgType = "unknown sqlite type " + typ
			}
			out = append(out, fmt.Sprintf("column %s.%s %s%s", tbl, name, pgType, map[bool]string{true: " not null"}[notNull]))
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		if len(pk) > 0 {
			cols := make([]string, len(pk))
			for i := range cols {
				cols[i] = pk[i+1]
			}
			out = append(out, fmt.Sprintf("index primary %s(%s)", tbl, strings.Join(cols, ",")))
		}
		// Indexes: those written as CREATE INDEX ('c') by name, UNIQUE constraints by columns.
		type index struct {
			name, origin string
			unique       bool
		}
		var indexes []index
		rows, err = db.QueryContext(ctx, `SELECT name, "unique", origin FROM pragma_index_list(?)`, tbl)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var ix index
			if err := rows.Scan(&ix.name, &ix.unique, &ix.origin); err != nil {
				rows.Close()
				return nil, err
			}
			indexes = append(indexes, ix)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		for _, ix := range indexes {
			cols, err := queryStrings(ctx, db, `SELECT name FROM pragma_index_info(?) ORDER BY seqno`, ix.name)
			if err != nil {
				return nil, err
			}
			def := fmt.Sprintf("%s(%s)", tbl, strings.Join(cols, ","))
			switch {
			case ix.origin == "pk":
				// Listed from table_info above.
			case ix.origin == "c":
				out = append(out, fmt.Sprintf("index named %s: %s%s", ix.name, map[bool]string{true: "unique "}[ix.unique], def))
			default:
				out = append(out, "index unique "+def)
			}
		}
		// Foreign keys.
		rows, err = db.QueryContext(ctx, `SELECT "table", "from", "to", on_delete FROM pragma_foreign_key_list(?) ORDER BY id, seq`, tbl)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var ref, from, to, onDelete string
			if err := rows.Scan(&ref, &from, &to, &onDelete); err != nil {
				rows.Close()
				return nil, err
			}
			out = append(out, fmt.Sprintf("fk %s(%s) -> %s(%s) on delete %s", tbl, from, ref, to, strings.ToLower(onDelete)))
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	sort.Strings(out)
	return out, nil
}

func postgresSchema(ctx context.Context, db *sql.DB) ([]string, error) {
	out, err := queryStrings(ctx, db, `
		SELECT format('column %s.%s %s%s', table_name, column_name, data_type, CASE WHEN is_nullable = 'NO' THEN ' not null' ELSE '' END)
		FROM information_schema.columns WHERE table_schema = current_schema()
		UNION ALL
		SELECT format('checks %s %s', t.relname, COUNT(*))
		FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
		WHERE c.contype = 'c' AND t.relnamespace = current_schema()::regnamespace GROUP BY t.relname
		UNION ALL
		SELECT CASE
			WHEN x.indisprimary THEN format('index primary %s(%s)', t.relname, cols)
			WHEN con.oid IS NOT NULL THEN format('index unique %s(%s)', t.relname, cols)
			ELSE format('index named %s: %s%s(%s)', i.relname, CASE WHEN x.indisunique THEN 'unique ' ELSE '' END, t.relname, cols)
		END
		FROM pg_index x
		JOIN pg_class i ON i.oid = x.indexrelid
		JOIN pg_class t ON t.oid = x.indrelid
		LEFT JOIN pg_constraint con ON con.conindid = x.indexrelid AND con.contype IN ('p', 'u')
		CROSS JOIN LATERAL (
			SELECT string_agg(a.attname, ',' ORDER BY k.n) AS cols
			FROM unnest(x.indkey) WITH ORDINALITY AS k(attnum, n)
			JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
		) c
		WHERE t.relnamespace = current_schema()::regnamespace
		UNION ALL
		SELECT format('fk %s(%s) -> %s(%s) on delete %s', t.relname, a.attname, r.relname, ra.attname,
			CASE c.confdeltype WHEN 'c' THEN 'cascade' WHEN 'a' THEN 'no action' WHEN 'r' THEN 'restrict'
				WHEN 'n' THEN 'set null' WHEN 'd' THEN 'set default' END)
		FROM pg_constraint c
		JOIN pg_class t ON t.oid = c.conrelid
		JOIN pg_class r ON r.oid = c.confrelid
		JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
		JOIN pg_attribute ra ON ra.attrelid = c.confrelid AND ra.attnum = c.confkey[1]
		WHERE c.contype = 'f' AND t.relnamespace = current_schema()::regnamespace`)
	if err != nil {
		return nil, err
	}
	sort.Strings(out)
	return out, nil
}

func queryStrings(ctx context.Context, db *sql.DB, query string, args ...any) ([]string, error) {
	return column[string](db.QueryContext(ctx, query, args...))
}
