package store

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/parley-org/parley"
)

// Searching debates and comments: FTS5 on SQLite, GIN indexes on
// PostgreSQL (migrations 0011_search.sql). A reader's query never reaches
// either database's query syntax as typed: SearchTerms keeps its words
// (letters, digits and marks), and each becomes a quoted term, so no input
// is a syntax error.

// Bounds on a search.
const (
	MaxSearchTerms   = 8
	maxSearchTermLen = 40 // runes
	// prefixFrom is the shortest term that also finds longer words
	// ("bus" finds "buses"); shorter ones match whole words only.
	prefixFrom = 3
)

// SearchTerms returns the words of a reader's query, lower-cased, each
// once, at most MaxSearchTerms of them.
func SearchTerms(q string) []string {
	var terms []string
	for _, w := range strings.FieldsFunc(q, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r)
	}) {
		w = strings.ToLower(w)
		if utf8.RuneCountInString(w) > maxSearchTermLen {
			w = string([]rune(w)[:maxSearchTermLen])
		}
		if !slices.Contains(terms, w) {
			terms = append(terms, w)
		}
		if len(terms) == MaxSearchTerms {
			break
		}
	}
	return terms
}

// IsPrefixTerm reports whether a term also finds the words it begins.
func IsPrefixTerm(term string) bool { return utf8.RuneCountInString(term) >= prefixFrom }

// ftsQuery is the FTS5 expression for terms: every term, quoted.
func ftsQuery(terms []string) string {
	parts := make([]string, len(terms))
	for i, t := range terms {
		parts[i] = `"` + strings.ReplaceAll(t, `"`, `""`) + `"`
		if IsPrefixTerm(t) {
			parts[i] += "*"
		}
	}
	return strings.Join(parts, " ")
}

// tsQuery is the to_tsquery expression for terms. Terms hold only letters,
// digits and marks, none of which is an operator of its syntax.
func tsQuery(terms []string) string {
	parts := make([]string, len(terms))
	for i, t := range terms {
		parts[i] = t
		if IsPrefixTerm(t) {
			parts[i] += ":*"
		}
	}
	return strings.Join(parts, " & ")
}

// SearchDebates returns up to limit public debates that hold every term,
// best match first.
func (s *Store) SearchDebates(ctx context.Context, terms []string, limit int) ([]*parley.Debate, error) {
	if len(terms) == 0 || limit <= 0 {
		return nil, nil
	}
	var rows *sql.Rows
	var err error
	if s.dialect.name == "postgres" {
		const doc = `to_tsvector('simple', d.title || ' ' || d.question || ' ' || d.body_md)`
		q := tsQuery(terms)
		rows, err = s.read.QueryContext(ctx, s.q(`SELECT `+debateCols+` FROM debates d
			WHERE `+doc+` @@ to_tsquery('simple', ?) AND d.status IN ('published', 'closed')
			ORDER BY ts_rank(`+doc+`, to_tsquery('simple', ?)) DESC, d.id DESC LIMIT ?`), q, q, limit)
	} else {
		// A word in the title counts five times one in the article.
		rows, err = s.read.QueryContext(ctx, `SELECT `+debateCols+` FROM debates_search JOIN debates d ON d.id = debates_search.rowid
			WHERE debates_search MATCH ? AND d.status IN ('published', 'closed')
			ORDER BY bm25(debates_search, 5.0, 3.0, 1.0), d.id DESC LIMIT ?`, ftsQuery(terms), limit)
	}
	list, err := scanRows(scanDebate)(rows, err)
	if err != nil {
		return nil, s.fail(err)
	}
	return list, s.loadTopics(ctx, s.read, list)
}

// SearchHit is a comment a search found, with its debate.
type SearchHit struct {
	Comment     *parley.Comment
	DebateSlug  string
	DebateTitle string
}

// SearchComments returns a page of the comments readers can see (approved,
// not deleted, in a thread that shows, in a public debate) that hold every
// term, best match first.
func (s *Store) SearchComments(ctx context.Context, terms []string, offset, limit int) ([]SearchHit, error) {
	if len(terms) == 0 || limit <= 0 {
		return nil, nil
	}
	const cols = `c.id, c.debate_id, c.root_id, c.author_name, c.avatar_key, c.body_html, c.language, c.user_id, c.created_at, d.slug, d.title`
	const visible = ` AND c.status = 'approved' AND c.deleted_at IS NULL AND d.status IN ('published', 'closed') AND r.status = 'approved'`
	var rows *sql.Rows
	var err error
	if s.dialect.name == "postgres" {
		const doc = `to_tsvector('simple', c.body_md)`
		q := tsQuery(terms)
		rows, err = s.read.QueryContext(ctx, s.q(`SELECT `+cols+` FROM comments c
			JOIN debates d ON d.id = c.debate_id JOIN comments r ON r.id = c.root_id
			WHERE `+doc+` @@ to_tsquery('simple', ?)`+visible+`
			ORDER BY ts_rank(`+doc+`, to_tsquery('simple', ?)) DESC, c.id DESC LIMIT ? OFFSET ?`), q, q, limit, max(offset, 0))
	} else {
		rows, err = s.read.QueryContext(ctx, `SELECT `+cols+` FROM comments_search
			JOIN comments c ON c.id = comments_search.rowid
			JOIN debates d ON d.id = c.debate_id JOIN comments r ON r.id = c.root_id
			WHERE comments_search MATCH ?`+visible+`
			ORDER BY bm25(comments_search), c.id DESC LIMIT ? OFFSET ?`, ftsQuery(terms), limit, max(offset, 0))
	}
	if err != nil {
		return nil, s.fail(err)
	}
	defer rows.Close()
	var hits []SearchHit
	for rows.Next() {
		c := &parley.Comment{Status: parley.CommentApproved}
		var user sql.NullInt64
		var created int64
		var h SearchHit
		if err := rows.Scan(&c.ID, &c.DebateID, &c.RootID, &c.AuthorName, &c.AvatarKey, &c.BodyHTML, &c.Language, &user, &created,
			&h.DebateSlug, &h.DebateTitle); err != nil {
			return nil, s.fail(err)
		}
		c.UserID, c.CreatedAt = user.Int64, fromMillis(created)
		h.Comment = c
		hits = append(hits, h)
	}
	return hits, s.fail(rows.Err())
}
