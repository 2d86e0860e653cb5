package store

import (
	"context"
	"database/sql"
	"strings"

	"github.com/parley-org/parley"
)

const debateCols = `d.id, d.slug, d.title, d.question, d.body_md, d.body_html, d.image_url, d.image_credit,
	d.status, d.hold_for_review, d.accounts_only, d.publish_at, d.published_at, d.created_at, d.updated_at, d.comment_count,
	d.last_comment_at, d.version, d.hold_first_time, d.max_links, d.hold_words, d.reject_words, d.report_threshold, d.language`

func scanDebate(row interface{ Scan(...any) error }) (*parley.Debate, error) {
	var d parley.Debate
	var publishAt, published, lastComment sql.NullInt64
	var created, updated int64
	err := row.Scan(&d.ID, &d.Slug, &d.Title, &d.Question, &d.BodyMD, &d.BodyHTML, &d.ImageURL, &d.ImageCredit,
		&d.Status, &d.HoldForReview, &d.AccountsOnly, &publishAt, &published, &created, &updated, &d.CommentCount, &lastComment, &d.Version,
		&d.Policy.HoldFirstTime, &d.Policy.MaxLinks, &d.Policy.HoldWords, &d.Policy.RejectWords, &d.Policy.ReportThreshold, &d.Language)
	if err != nil {
		return nil, err
	}
	d.PublishAt = fromNullMillis(publishAt)
	d.PublishedAt = fromNullMillis(published)
	d.LastCommentAt = fromNullMillis(lastComment)
	d.CreatedAt, d.UpdatedAt = fromMillis(created), fromMillis(updated)
	return &d, nil
}

// DebateBySlug returns a debate with its topics.
func (s *Store) DebateBySlug(ctx context.Context, slug string) (*parley.Debate, error) {
	d, err := scanDebate(s.queryRow(ctx, `SELECT `+debateCols+` FROM debates d WHERE d.slug = ?`, slug))
	if err != nil {
		if err == sql.ErrNoRows {
			return nil, parley.Errorf(parley.ENOTFOUND, "There is no debate at this address.")
		}
		return nil, s.fail(err)
	}
	if err := s.loadTopics(ctx, s.read, []*parley.Debate{d}); err != nil {
		return nil, err
	}
	return d, nil
}

// Debates lists debates, newest publication first, with the total that match.
func (s *Store) Debates(ctx context.Context, f parley.DebateFilter) ([]*parley.Debate, int, error) {
	var where []string
	var args []any
	if f.Public {
		where = append(where, `d.status IN ('published', 'closed')`)
	}
	if f.Topic != "" {
		where = append(where, `EXISTS (SELECT 1 FROM debate_topics t WHERE t.debate_id = d.id AND t.topic = ?)`)
		args = append(args, f.Topic)
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := s.read.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM debates d`+cond), args...).Scan(&total); err != nil {
		return nil, 0, s.fail(err)
	}
	limit := f.Limit
	if limit <= 0 || limit > 100 {
		limit = 20
	}
	rows, err := s.read.QueryContext(ctx, s.q(`SELECT `+debateCols+` FROM debates d`+cond+
		` ORDER BY COALESCE(d.published_at, d.created_at) DESC, d.id DESC LIMIT ? OFFSET ?`), append(args, limit, max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, s.fail(err)
	}
	defer rows.Close()
	var list []*parley.Debate
	for rows.Next() {
		d, err := scanDebate(rows)
		if err != nil {
			return nil, 0, s.fail(err)
		}
		list = append(list, d)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, s.fail(err)
	}
	if err := s.loadTopics(ctx, s.read, list); err != nil {
		return nil, 0, err
	}
	return list, total, nil
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func (s *Store) loadTopics(ctx context.Context, db querier, list []*parley.Debate) error {
	if len(list) == 0 {
		return nil
	}
	byID := make(map[int64]*parley.Debate, len(list))
	args := make([]any, len(list))
	for i, d := range list {
		byID[d.ID] = d
		args[i] = d.ID
		d.Topics = nil
	}
	var rows *sql.Rows
	var err error
	if len(list) == 1 {
		rows, err = s.query(ctx, `SELECT debate_id, topic FROM debate_topics WHERE debate_id = ? ORDER BY topic`, args...)
	} else {
		rows, err = db.QueryContext(ctx, s.q(`SELECT debate_id, topic FROM debate_topics WHERE debate_id IN (`+placeholders(len(list))+`) ORDER BY topic`), args...)
	}
	if err != nil {
		return s.fail(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var topic string
		if err := rows.Scan(&id, &topic); err != nil {
			return s.fail(err)
		}
		byID[id].Topics = append(byID[id].Topics, topic)
	}
	return s.fail(rows.Err())
}

// SaveDebate creates the debate, or updates the one with the same slug, and
// reports whether it was created. Counters are left alone on update.
func (s *Store) SaveDebate(ctx context.Context, d *parley.Debate) (created bool, err error) {
	now := s.now()
	if d.Status != parley.DebateDraft && d.PublishedAt.IsZero() {
		d.PublishedAt = now
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		var id int64
		// Insert first: when the slug exists, or a concurrent save is creating
		// it (PostgreSQL waits for that one to commit), no row comes back.
		err := tx.QueryRowContext(ctx, s.q(`INSERT INTO debates (slug, title, question, body_md, body_html, image_url, image_credit,
			status, hold_for_review, accounts_only, publish_at, published_at, created_at, updated_at, language)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (slug) DO NOTHING RETURNING id`),
			d.Slug, d.Title, d.Question, d.BodyMD, d.BodyHTML, d.ImageURL, d.ImageCredit,
			d.Status, d.HoldForReview, d.AccountsOnly, nullMillis(d.PublishAt), nullMillis(d.PublishedAt), millis(now), millis(now), d.Language).Scan(&id)
		switch {
		case err == nil:
			created = true
			d.CreatedAt = now
		case err != sql.ErrNoRows:
			return err
		default:
			if err := tx.QueryRowContext(ctx, s.q(`SELECT id FROM debates WHERE slug = ?`), d.Slug).Scan(&id); err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, s.q(`UPDATE debates SET title = ?, question = ?, body_md = ?, body_html = ?, image_url = ?,
				image_credit = ?, status = ?, hold_for_review = ?, accounts_only = ?, publish_at = ?, published_at = ?, updated_at = ?,
				language = ? WHERE id = ?`),
				d.Title, d.Question, d.BodyMD, d.BodyHTML, d.ImageURL, d.ImageCredit, d.Status, d.HoldForReview, d.AccountsOnly,
				nullMillis(d.PublishAt), nullMillis(d.PublishedAt), millis(now), d.Language, id)
			if err != nil {
				return err
			}
		}
		d.ID, d.UpdatedAt = id, now
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM debate_topics WHERE debate_id = ?`), id); err != nil {
			return err
		}
		for _, t := range d.Topics {
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO debate_topics (debate_id, topic) VALUES (?, ?)`), id, t); err != nil {
				return err
			}
		}
		return s.noteChange(ctx, tx, id)
	})
	return created, err
}

// CountDebates counts all debates, for deciding whether the site is new.
func (s *Store) CountDebates(ctx context.Context) (int, error) {
	var n int
	err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM debates`).Scan(&n)
	return n, s.fail(err)
}

// DebateByID returns a debate with its topics.
func (s *Store) DebateByID(ctx context.Context, id int64) (*parley.Debate, error) {
	d, err := scanDebate(s.queryRow(ctx, `SELECT `+debateCols+` FROM debates d WHERE d.id = ?`, id))
	if err != nil {
		if err == sql.ErrNoRows {
			return nil, parley.Errorf(parley.ENOTFOUND, "There is no such debate.")
		}
		return nil, s.fail(err)
	}
	return d, s.loadTopics(ctx, s.read, []*parley.Debate{d})
}

// PublishDue publishes the scheduled drafts whose time has come and returns
// how many. Every node may run it: a debate publishes once.
func (s *Store) PublishDue(ctx context.Context) (int, error) {
	var n int
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		ids, err := column[int64](tx.QueryContext(ctx, s.q(`UPDATE debates SET status = 'published', published_at = publish_at,
			publish_at = NULL, updated_at = ? WHERE status = 'draft' AND publish_at <= ? RETURNING id`), millis(s.now()), millis(s.now())))
		if err != nil {
			return err
		}
		for _, id := range ids {
			if err := s.noteChange(ctx, tx, id); err != nil {
				return err
			}
		}
		n = len(ids)
		return nil
	})
	return n, err
}
