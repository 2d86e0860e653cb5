package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// copyTables are the tables Copy copies, parents before children, each
// with its primary key. schema_migrations is not copied: both databases
// must already have applied the same migrations.
var copyTables = []struct {
	name string
	key  []string
}{
	{"settings", []string{"name"}},
	// Accounts come before the comments that name them; sessions, links and
	// tokens move too, so nobody is signed out by a move.
	{"users", []string{"id"}},
	{"sessions", []string{"token_hash"}},
	{"email_tokens", []string{"token_hash"}},
	{"api_tokens", []string{"id"}},
	{"sign_in_failures", []string{"key"}},
	{"form_stamp_uses", []string{"key"}},
	{"debates", []string{"id"}},
	{"debate_topics", []string{"debate_id", "topic"}},
	// Comments refer to comments (parent_id, reply_to_id). A parent is
	// always older than its replies and so has a smaller id: copying in id
	// order never inserts a reply before its parent.
	{"comments", []string{"id"}},
	{"experts", []string{"id"}},
	{"questions", []string{"id"}},
	{"answers", []string{"id"}},
	// Queued jobs move with the site, so no mail or reminder is lost; a
	// lease copied with its job runs out as it would have on the source.
	{"jobs", []string{"id"}},
	{"partners", []string{"id"}},
	{"uploads", []string{"name"}},
	{"addresses", []string{"id"}},
	{"subscriptions", []string{"id"}},
	{"digest_items", []string{"subscription_id", "comment_id"}},
	// Moderation: reports, decisions (before the appeals that name them),
	// bans and what the classifier learnt.
	{"reports", []string{"id"}},
	{"moderation_actions", []string{"id"}},
	{"appeals", []string{"id"}},
	{"bans", []string{"id"}},
	{"spam_lessons", []string{"id"}},
	{"answer_requests", []string{"id"}},
	{"digest_answers", []string{"subscription_id", "answer_id"}},
	// Translations: human ones of debates and answers, and the cache of
	// comments' with the day's spending on the provider.
	{"debate_translations", []string{"debate_id", "language"}},
	{"question_translations", []string{"question_id", "language"}},
	{"answer_translations", []string{"answer_id", "language"}},
	{"comment_translations", []string{"comment_id", "language", "provider"}},
	{"translation_usage", []string{"day"}},
}

// copyBatch is how many rows Copy reads, and writes in one transaction, at a time.
const copyBatch = 1000

// maxParams bounds the placeholders of one INSERT: SQLite allows 32766,
// PostgreSQL 65535.
const maxParams = 32000

// CopyReport is what Copy did, table by table in copy order.
type CopyReport struct {
	Tables []CopiedTable
}

// CopiedTable is one table's part of a CopyReport.
type CopiedTable struct {
	Name string
	// Copied counts the rows this run inserted; Present the source's rows
	// the destination already had, which were left as they were.
	Copied, Present int64
	// Rows is how many rows the source has, and after a successful Copy the
	// destination too.
	Rows int64
	// Checksum is the hex SHA-256 of the source's rows in primary-key order
	// (see appendRow); after a successful Copy the destination's is the same.
	Checksum string
}

// Rows is the number of rows in all tables.
func (r *CopyReport) Rows() int64 {
	var n int64
	for _, t := range r.Tables {
		n += t.Rows
	}
	return n
}

// Copy copies every row of a site from one database to another, either
// dialect to either, keeping ids, then verifies that each table holds the
// same rows in both. Both must be migrated to the same set of migrations.
// Rows the destination already has are skipped, never overwritten, so an
// interrupted copy can simply be run again. The source is only read.
//
// progress, if not nil, hears after each batch how many rows of a table
// have been read so far. On a verification failure Copy returns the report
// and an error naming each table that differs; on any other error, no report.
func Copy(ctx context.Context, from, to *Store, progress func(table string, rows int64)) (*CopyReport, error) {
	if from == to {
		return nil, errors.New("copy: the source and the destination are the same database")
	}
	if progress == nil {
		progress = func(string, int64) {}
	}
	if err := sameMigrations(ctx, from, to); err != nil {
		return nil, err
	}
	tables, err := copyPlan(ctx, from, to)
	if err != nil {
		return nil, err
	}

	// Read the source in one snapshot: if the site is still taking comments,
	// the copy is still consistent (no comment without its debate) as of the
	// moment it began; verification then reports what changed since.
	src, err := from.snapshot(ctx)
	if err != nil {
		return nil, fmt.Errorf("copy: read source: %w", err)
	}
	defer src.Rollback()
	report := &CopyReport{}
	for _, t := range tables {
		ct := CopiedTable{Name: t.name}
		cur := &cursor{s: from, tx: src, t: t}
		for {
			batch, err := cur.nextBatch(ctx)
			if err != nil {
				return nil, fmt.Errorf("copy %s: read source: %w", t.name, err)
			}
			if len(batch) > 0 {
				n, err := to.insertRows(ctx, t, batch)
				if err != nil {
					return nil, fmt.Errorf("copy %s: write rows from %s on: %w", t.name, t.describeKey(batch[0]), err)
				}
				ct.Copied += n
				ct.Present += int64(len(batch)) - n
				ct.Rows += int64(len(batch))
			}
			progress(t.name, ct.Rows)
			if cur.done {
				break
			}
		}
		report.Tables = append(report.Tables, ct)
	}
	src.Rollback()

	if to.dialect.name == "postgres" {
		if err := resetSequences(ctx, to, tables); err != nil {
			return nil, err
		}
	}
	return report, verify(ctx, from, to, tables, report)
}

// sameMigrations refuses to copy between databases at different schema versions.
func sameMigrations(ctx context.Context, from, to *Store) error {
	a, err := from.appliedMigrations(ctx)
	if err != nil {
		return fmt.Errorf("copy: source: %w", err)
	}
	b, err := to.appliedMigrations(ctx)
	if err != nil {
		return fmt.Errorf("copy: destination: %w", err)
	}
	if !slices.Equal(a, b) {
		return fmt.Errorf("copy: the databases are at different schema versions: the source has migrations %v, the destination %v; "+
			"migrate both with the same Parley release first", a, b)
	}
	return nil
}

func (s *Store) appliedMigrations(ctx context.Context) ([]int, error) {
	list, err := column[int](s.read.QueryContext(ctx, `SELECT version FROM schema_migrations ORDER BY version`))
	if err != nil {
		return nil, fmt.Errorf("read schema_migrations (is the database migrated?): %w", err)
	}
	return list, nil
}

// colKind is how a column's values are read, written and hashed.
type colKind int

const (
	kindInt colKind = iota + 1
	kindText
	kindBool
)

// kindOf maps a column's declared type, as either driver names it
// (SQLite: INTEGER, BOOLEAN, TEXT; PostgreSQL: INT8, BOOL, TEXT), to a kind.
func kindOf(dbType string) colKind {
	t := strings.ToUpper(dbType)
	switch {
	case strings.Contains(t, "BOOL"):
		return kindBool
	case strings.Contains(t, "INT"):
		return kindInt
	case strings.Contains(t, "TEXT"), strings.Contains(t, "CHAR"):
		return kindText
	}
	return 0
}

// copyTable is a table as Copy reads and writes it.
type copyTable struct {
	name   string
	key    []string
	cols   []string  // every column, in the source's order
	kinds  []colKind // the kind of each of cols
	keyIdx []int     // where each key column is in cols
}

// copyPlan reads the columns of every table from both databases. They must
// agree, and the source must hold no table Copy would leave behind.
func copyPlan(ctx context.Context, from, to *Store) ([]*copyTable, error) {
	names, err := from.tableNames(ctx)
	if err != nil {
		return nil, fmt.Errorf("copy: list source tables: %w", err)
	}
	for _, n := range names {
		known := n == "schema_migrations"
		for _, t := range copyTables {
			known = known || t.name == n
		}
		if !known {
			return nil, fmt.Errorf("copy: the source has a table %s that Copy does not know; add it to copyTables in internal/store/copy.go", n)
		}
	}
	var plan []*copyTable
	for _, spec := range copyTables {
		t := &copyTable{name: spec.name, key: spec.key}
		srcKinds := map[string]colKind{}
		if t.cols, t.kinds, err = from.columns(ctx, t.name); err != nil {
			return nil, fmt.Errorf("copy: source: %w", err)
		}
		for i, c := range t.cols {
			if t.kinds[i] == 0 {
				return nil, fmt.Errorf("copy: column %s.%s has a type Copy does not handle", t.name, c)
			}
			srcKinds[c] = t.kinds[i]
		}
		dstCols, dstKinds, err := to.columns(ctx, t.name)
		if err != nil {
			return nil, fmt.Errorf("copy: destination: %w", err)
		}
		for i, c := range dstCols {
			if k, ok := srcKinds[c]; !ok || k != dstKinds[i] {
				return nil, fmt.Errorf("copy: column %s.%s differs between the source and the destination", t.name, c)
			}
		}
		if len(dstCols) != len(t.cols) {
			return nil, fmt.Errorf("copy: table %s has columns %v in the source but %v in the destination", t.name, t.cols, dstCols)
		}
		for _, k := range t.key {
			i := slices.Index(t.cols, k)
			if i < 0 {
				return nil, fmt.Errorf("copy: table %s has no key column %s", t.name, k)
			}
			t.keyIdx = append(t.keyIdx, i)
		}
		plan = append(plan, t)
	}
	return plan, nil
}

func (s *Store) tableNames(ctx context.Context) ([]string, error) {
	// Ordinary tables only: a full-text index (a virtual table and its
	// shadow tables) is rebuilt on the destination by its triggers.
	query := `SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\'`
	if s.dialect.name == "postgres" {
		query = `SELECT tablename FROM pg_tables WHERE schemaname = current_schema()`
	}
	return column[string](s.read.QueryContext(ctx, query))
}

// columns names a table's columns and their kinds, from the driver's
// description of an empty result.
func (s *Store) columns(ctx context.Context, table string) ([]string, []colKind, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT * FROM `+quoteIdent(table)+` LIMIT 0`)
	if err != nil {
		return nil, nil, fmt.Errorf("table %s: %w", table, err)
	}
	defer rows.Close()
	types, err := rows.ColumnTypes()
	if err != nil {
		return nil, nil, fmt.Errorf("table %s: %w", table, err)
	}
	var cols []string
	var kinds []colKind
	for _, ct := range types {
		cols = append(cols, strings.ToLower(ct.Name()))
		kinds = append(kinds, kindOf(ct.DatabaseTypeName()))
	}
	return cols, kinds, rows.Err()
}

// quoteIdent quotes a table or column name the way both databases accept.
func quoteIdent(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }

// snapshot begins a read-only transaction that sees the database as it was
// at its first read. On SQLite a read-only BeginTx issues a plain (deferred)
// BEGIN rather than the DSN's BEGIN IMMEDIATE, so it takes no write lock.
func (s *Store) snapshot(ctx context.Context) (*sql.Tx, error) {
	opts := &sql.TxOptions{ReadOnly: true}
	if s.dialect.name == "postgres" {
		opts.Isolation = sql.LevelRepeatableRead
	}
	return s.read.BeginTx(ctx, opts)
}

// cursor reads a table in primary-key order, a batch at a time, by keyset:
// each batch starts after the last key of the one before.
type cursor struct {
	s    *Store
	tx   *sql.Tx
	t    *copyTable
	last []any // key of the last row read; nil before the first batch
	done bool

	batch [][]any // for next
	i     int
}

// nextBatch returns the next rows, and sets done once the table is exhausted.
func (c *cursor) nextBatch(ctx context.Context) ([][]any, error) {
	if c.done {
		return nil, nil
	}
	query, args := c.s.batchQuery(c.t, c.last)
	rows, err := c.tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var batch [][]any
	for rows.Next() {
		row, err := c.t.scan(rows)
		if err != nil {
			return nil, err
		}
		batch = append(batch, row)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(batch) < copyBatch {
		c.done = true
	}
	if len(batch) > 0 {
		c.last = c.t.keyOf(batch[len(batch)-1])
	}
	return batch, nil
}

// next returns the next row, or nil after the last.
func (c *cursor) next(ctx context.Context) ([]any, error) {
	if c.i == len(c.batch) {
		if c.done {
			return nil, nil
		}
		b, err := c.nextBatch(ctx)
		if err != nil || len(b) == 0 {
			return nil, err
		}
		c.batch, c.i = b, 0
	}
	c.i++
	return c.batch[c.i-1], nil
}

// batchQuery selects the batch of rows after the key last (all rows from
// the first if last is nil), in key order. Text keys compare by bytes on
// both databases (PostgreSQL's "C" collation is SQLite's default, BINARY),
// so both return rows in the same order and their checksums can agree.
func (s *Store) batchQuery(t *copyTable, last []any) (string, []any) {
	keyCol := func(i int) string {
		c := quoteIdent(t.key[i])
		if s.dialect.name == "postgres" && t.kinds[t.keyIdx[i]] == kindText {
			c += ` COLLATE "C"`
		}
		return c
	}
	var b strings.Builder
	b.WriteString("SELECT ")
	for i, c := range t.cols {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quoteIdent(c))
	}
	b.WriteString(" FROM " + quoteIdent(t.name))
	var args []any
	if last != nil {
		// (k1, k2) > (v1, v2) spelled out: k1 > v1 OR (k1 = v1 AND k2 > v2).
		var or []string
		for i := range t.key {
			var and []string
			for j := 0; j < i; j++ {
				and = append(and, quoteIdent(t.key[j])+" = ?")
				args = append(args, last[j])
			}
			and = append(and, keyCol(i)+" > ?")
			args = append(args, last[i])
			or = append(or, "("+strings.Join(and, " AND ")+")")
		}
		b.WriteString(" WHERE " + strings.Join(or, " OR "))
	}
	b.WriteString(" ORDER BY ")
	for i := range t.key {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(keyCol(i))
	}
	b.WriteString(" LIMIT " + strconv.Itoa(copyBatch))
	return s.q(b.String()), args
}

// scan reads one row as nil, int64, string or bool values: the same Go
// values whichever database they come from. SQLite's BOOLEAN is an integer
// 0 or 1, which database/sql converts to bool.
func (t *copyTable) scan(rows *sql.Rows) ([]any, error) {
	dest := make([]any, len(t.cols))
	for i, k := range t.kinds {
		switch k {
		case kindInt:
			dest[i] = new(sql.NullInt64)
		case kindText:
			dest[i] = new(sql.NullString)
		case kindBool:
			dest[i] = new(sql.NullBool)
		}
	}
	if err := rows.Scan(dest...); err != nil {
		return nil, err
	}
	row := make([]any, len(dest))
	for i, d := range dest {
		switch v := d.(type) {
		case *sql.NullInt64:
			if v.Valid {
				row[i] = v.Int64
			}
		case *sql.NullString:
			if v.Valid {
				row[i] = v.String
			}
		case *sql.NullBool:
			if v.Valid {
				row[i] = v.Bool
			}
		}
	}
	return row, nil
}

func (t *copyTable) keyOf(row []any) []any {
	key := make([]any, len(t.keyIdx))
	for i, j := range t.keyIdx {
		key[i] = row[j]
	}
	return key
}

// describeKey names a row by its key for messages: id=42, or debate_id=1, topic="cities".
func (t *copyTable) describeKey(row []any) string {
	var parts []string
	for i, j := range t.keyIdx {
		if s, ok := row[j].(string); ok {
			parts = append(parts, t.key[i]+"="+strconv.Quote(s))
		} else {
			parts = append(parts, fmt.Sprintf("%s=%v", t.key[i], row[j]))
		}
	}
	return strings.Join(parts, ", ")
}

// keyLess orders rows by key as batchQuery does: numbers by value, text by bytes.
func (t *copyTable) keyLess(a, b []any) bool {
	for _, j := range t.keyIdx {
		switch x := a[j].(type) {
		case int64:
			if y := b[j].(int64); x != y {
				return x < y
			}
		case string:
			if y := b[j].(string); x != y {
				return x < y
			}
		}
	}
	return false
}

// insertRows writes rows in one transaction and returns how many were new.
// ON CONFLICT DO NOTHING skips a row whose key (or any unique column) is
// already there; verification then tells whether what is there is the same.
func (s *Store) insertRows(ctx context.Context, t *copyTable, rows [][]any) (int64, error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	var cols []string
	for _, c := range t.cols {
		cols = append(cols, quoteIdent(c))
	}
	head := "INSERT INTO " + quoteIdent(t.name) + " (" + strings.Join(cols, ", ") + ") VALUES "
	tuple := "(" + placeholders(len(cols)) + ")"
	per := max(1, maxParams/len(cols))
	var inserted int64
	for len(rows) > 0 {
		chunk := rows[:min(per, len(rows))]
		rows = rows[len(chunk):]
		args := make([]any, 0, len(chunk)*len(cols))
		for _, r := range chunk {
			args = append(args, r...)
		}
		query := head + strings.TrimSuffix(strings.Repeat(tuple+", ", len(chunk)), ", ") + " ON CONFLICT DO NOTHING"
		res, err := tx.ExecContext(ctx, s.q(query), args...)
		if err != nil {
			return 0, err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return 0, err
		}
		inserted += n
	}
	return inserted, tx.Commit()
}

// resetSequences moves each PostgreSQL identity past the largest id copied.
// Rows copied with their ids leave the sequences untouched, so without
// this the next insert would be given id 1 and collide.
func resetSequences(ctx context.Context, s *Store, tables []*copyTable) error {
	for _, t := range tables {
		if !slices.Equal(t.key, []string{"id"}) {
			continue
		}
		// setval(…, false): the next id is the one given, max+1 (1 if empty).
		// pg_get_serial_sequence is NULL for a column without a sequence, and setval(NULL, …) does nothing.
		_, err := s.write.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence($1, 'id'), COALESCE(MAX(id), 0) + 1, false) FROM `+quoteIdent(t.name), t.name)
		if err != nil {
			return fmt.Errorf("copy %s: reset its id sequence: %w", t.name, err)
		}
	}
	return nil
}

// verify reads every table from both databases in key order, side by side,
// and compares row counts and checksums. It fills the report's Rows and
// Checksum from the source, and names the first differing key on a mismatch.
func verify(ctx context.Context, from, to *Store, tables []*copyTable, report *CopyReport) error {
	src, err := from.snapshot(ctx)
	if err != nil {
		return fmt.Errorf("verify: read source: %w", err)
	}
	defer src.Rollback()
	dst, err := to.snapshot(ctx)
	if err != nil {
		return fmt.Errorf("verify: read destination: %w", err)
	}
	defer dst.Rollback()
	var errs []error
	for i, t := range tables {
		a, b := &cursor{s: from, tx: src, t: t}, &cursor{s: to, tx: dst, t: t}
		ha, hb := sha256.New(), sha256.New()
		var na, nb int64
		var ea, eb []byte
		diff := ""
		for {
			ra, err := a.next(ctx)
			if err != nil {
				return fmt.Errorf("verify %s: read source: %w", t.name, err)
			}
			rb, err := b.next(ctx)
			if err != nil {
				return fmt.Errorf("verify %s: read destination: %w", t.name, err)
			}
			if ra == nil && rb == nil {
				break
			}
			if ra != nil {
				ea = appendRow(ea[:0], ra)
				ha.Write(ea)
				na++
			}
			if rb != nil {
				eb = appendRow(eb[:0], rb)
				hb.Write(eb)
				nb++
			}
			// Once the two sides have parted, later rows no longer line up.
			if diff == "" && (ra == nil || rb == nil || !bytes.Equal(ea, eb)) {
				diff = t.describeDiff(ra, rb)
			}
		}
		sa, sb := hex.EncodeToString(ha.Sum(nil)), hex.EncodeToString(hb.Sum(nil))
		report.Tables[i].Rows, report.Tables[i].Checksum = na, sa
		switch {
		case nb > na:
			errs = append(errs, fmt.Errorf("verify %s: the destination has %d rows, the source %d: the destination was not empty (%s)", t.name, nb, na, diff))
		case nb < na:
			errs = append(errs, fmt.Errorf("verify %s: the destination has %d rows, the source %d (%s)", t.name, nb, na, diff))
		case sa != sb:
			errs = append(errs, fmt.Errorf("verify %s: checksums differ: source %s, destination %s (%s)", t.name, sa, sb, diff))
		}
	}
	return errors.Join(errs...)
}

// describeDiff explains the first place where the source's row a and the
// destination's row b (either nil when that side has ended) differ.
func (t *copyTable) describeDiff(a, b []any) string {
	switch {
	case b == nil || (a != nil && t.keyLess(a, b)):
		return "first difference: the destination lacks the row " + t.describeKey(a)
	case a == nil || t.keyLess(b, a):
		return "first difference: the destination has a row " + t.describeKey(b) + " that the source lacks"
	}
	return "first difference: the row " + t.describeKey(a) + " is not the same"
}

// appendRow appends the canonical encoding of a row, from which checksums
// are computed. Each value carries its type and is self-delimiting, so no
// two different rows encode alike: NULL is "N"; an integer "I", its decimal
// digits and ";"; a boolean "B0" or "B1"; text "T", its length in bytes in
// decimal, ":" and its bytes. Text "" is thus "T0:", distinct from NULL.
func appendRow(b []byte, row []any) []byte {
	for _, v := range row {
		switch v := v.(type) {
		case nil:
			b = append(b, 'N')
		case int64:
			b = append(b, 'I')
			b = strconv.AppendInt(b, v, 10)
			b = append(b, ';')
		case bool:
			if v {
				b = append(b, 'B', '1')
			} else {
				b = append(b, 'B', '0')
			}
		case string:
			b = append(b, 'T')
			b = strconv.AppendInt(b, int64(len(v)), 10)
			b = append(b, ':')
			b = append(b, v...)
		}
	}
	return b
}
