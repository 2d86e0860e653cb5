package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/parley-org/parley"
)

// Queue is one of the moderation console's lists.
type Queue string

const (
	QueuePending  Queue = "pending"  // held for a moderator
	QueueReported Queue = "reported" // with reports no moderator has answered yet
	QueueSpam     Queue = "spam"
	QueueTrash    Queue = "trash"
	QueueAppeals  Queue = "appeals" // removed comments whose authors appealed
)

// Queues lists them in the console's order.
var Queues = []Queue{QueuePending, QueueReported, QueueSpam, QueueTrash, QueueAppeals}

// Valid reports whether q is a known queue.
func (q Queue) Valid() bool {
	for _, k := range Queues {
		if q == k {
			return true
		}
	}
	return false
}

// where is the queue's condition on comments c.
func (q Queue) where() string {
	switch q {
	case QueueReported:
		return `c.id IN (SELECT comment_id FROM reports WHERE resolved_at IS NULL)`
	case QueueAppeals:
		return `c.id IN (SELECT comment_id FROM appeals WHERE decided_at IS NULL)`
	case QueueSpam:
		return `c.status = 'spam'`
	case QueueTrash:
		// Comments their authors deleted are not the moderators' business.
		return `c.status = 'trash' AND c.deleted_at IS NULL`
	}
	return `c.status = 'pending'`
}

// QueueFilter picks a page of a queue: newest first, before a comment id;
// or, with CommentID, that one comment whatever its queue.
type QueueFilter struct {
	Queue     Queue
	DebateID  int64
	Before    int64
	Limit     int
	CommentID int64
}

// QueueItem is a comment as a moderator sees it: in its context, with its
// author's history and why it is in the queue.
type QueueItem struct {
	Comment     *parley.Comment
	DebateTitle string
	DebateSlug  string
	// Parent is the comment it answers, if any.
	Parent *parley.Comment
	// SpamScore is the classifier's score at posting; Scored is false when none ran.
	SpamScore    float64
	Scored       bool
	SpamFeatures string // JSON
	HoldReasons  []string
	ReportCount  int
	// IP is the poster's address while it is kept.
	IP      string
	Reports []ReportLine
	History AuthorHistory
	Actions []parley.ModerationAction
	Appeal  *parley.Appeal
}

// ReportLine is the open reports of a comment for one reason.
type ReportLine struct {
	Reason  parley.ReportReason
	Count   int
	Details []string
}

// AuthorHistory is what the site knows of a comment's author: their
// comments by status (by account, or by address for a guest), and how many
// comments came from the same network.
type AuthorHistory struct {
	Approved, Pending, Spam, Trash int
	SameNetwork                    int
	FirstSeen                      time.Time
}

// QueueCounts counts each queue's comments, of one debate or all.
func (s *Store) QueueCounts(ctx context.Context, debateID int64) (map[Queue]int, error) {
	counts := map[Queue]int{}
	for _, q := range Queues {
		var n int
		query := `SELECT COUNT(*) FROM comments c WHERE ` + q.where()
		args := []any{}
		if debateID != 0 {
			query += ` AND c.debate_id = ?`
			args = append(args, debateID)
		}
		if err := s.queryRow(ctx, query, args...).Scan(&n); err != nil {
			return nil, s.fail(err)
		}
		counts[q] = n
	}
	return counts, nil
}

// ModerationQueue returns a page of a queue, newest first, each comment
// with what a moderator needs to decide on it.
func (s *Store) ModerationQueue(ctx context.Context, f QueueFilter) ([]*QueueItem, error) {
	where := f.Queue.where()
	if f.CommentID != 0 {
		where = `c.id = ?`
	} else if !f.Queue.Valid() {
		return nil, parley.Errorf(parley.EINVALID, "There is no queue \"%s\".", f.Queue)
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	// scanComment takes extra columns first.
	query := `SELECT d.title, d.slug, c.spam_score, c.spam_features, c.hold_reasons, c.report_count,
		COALESCE(c.ip, ''), COALESCE(c.net_hash, ''), ` + commentCols + `
		FROM comments c JOIN debates d ON d.id = c.debate_id WHERE ` + where
	var args []any
	if f.CommentID != 0 {
		args = append(args, f.CommentID)
	}
	if f.DebateID != 0 {
		query += ` AND c.debate_id = ?`
		args = append(args, f.DebateID)
	}
	if f.Before > 0 {
		query += ` AND c.id < ?`
		args = append(args, f.Before)
	}
	query += ` ORDER BY c.id DESC LIMIT ?`
	args = append(args, f.Limit)
	rows, err := s.query(ctx, query, args...)
	if err != nil {
		return nil, s.fail(err)
	}
	defer rows.Close()
	var items []*QueueItem
	var netHashes []string
	for rows.Next() {
		it := &QueueItem{}
		var score sql.NullInt64
		var reasons, netHash string
		c, err := scanComment(rows, &it.DebateTitle, &it.DebateSlug, &score, &it.SpamFeatures, &reasons, &it.ReportCount, &it.IP, &netHash)
		if err != nil {
			return nil, s.fail(err)
		}
		it.Comment, it.SpamScore, it.Scored = c, float64(score.Int64)/1e6, score.Valid
		if reasons != "" {
			it.HoldReasons = strings.Split(reasons, "\n")
		}
		items = append(items, it)
		netHashes = append(netHashes, netHash)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(err)
	}
	rows.Close()
	for i, it := range items {
		if err := s.fillQueueItem(ctx, it, netHashes[i]); err != nil {
			return nil, err
		}
	}
	return items, nil
}

// fillQueueItem adds a comment's context, reports, history and actions.
func (s *Store) fillQueueItem(ctx context.Context, it *QueueItem, netHash string) error {
	c := it.Comment
	if c.ReplyToID != 0 {
		p, err := s.Comment(ctx, c.ReplyToID)
		if err != nil && parley.ErrorCode(err) != parley.ENOTFOUND {
			return err
		}
		it.Parent = p
	}
	rows, err := s.query(ctx, `SELECT reason, detail FROM reports WHERE comment_id = ? AND resolved_at IS NULL ORDER BY reason, id`, c.ID)
	if err != nil {
		return s.fail(err)
	}
	for rows.Next() {
		var reason parley.ReportReason
		var detail string
		if err := rows.Scan(&reason, &detail); err != nil {
			rows.Close()
			return s.fail(err)
		}
		if n := len(it.Reports); n == 0 || it.Reports[n-1].Reason != reason {
			it.Reports = append(it.Reports, ReportLine{Reason: reason})
		}
		line := &it.Reports[len(it.Reports)-1]
		line.Count++
		if detail != "" && len(line.Details) < 5 {
			line.Details = append(line.Details, detail)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return s.fail(err)
	}
	if it.History, err = s.authorHistory(ctx, c, netHash); err != nil {
		return err
	}
	if it.Actions, err = s.ModerationLog(ctx, LogFilter{CommentID: c.ID, Limit: 20}); err != nil {
		return err
	}
	it.Appeal, err = s.AppealOf(ctx, c.ID)
	return err
}

func (s *Store) authorHistory(ctx context.Context, c *parley.Comment, netHash string) (AuthorHistory, error) {
	var h AuthorHistory
	by, arg := `author_email = ?`, any(c.AuthorEmail)
	if c.UserID != 0 {
		by, arg = `user_id = ?`, c.UserID
	}
	var first sql.NullInt64
	err := s.queryRow(ctx, `SELECT
		COALESCE(SUM(CASE WHEN status = 'approved' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN status = 'spam' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN status = 'trash' THEN 1 ELSE 0 END), 0),
		MIN(created_at) FROM comments WHERE `+by, arg).Scan(&h.Approved, &h.Pending, &h.Spam, &h.Trash, &first)
	if err != nil {
		return h, s.fail(err)
	}
	h.FirstSeen = fromNullMillis(first)
	if netHash != "" {
		if err := s.queryRow(ctx, `SELECT COUNT(*) FROM comments WHERE net_hash = ?`, netHash).Scan(&h.SameNetwork); err != nil {
			return h, s.fail(err)
		}
	}
	return h, nil
}

// LogFilter picks lines of the audit log, newest first.
type LogFilter struct {
	DebateID  int64
	CommentID int64
	Before    int64
	Limit     int
}

// ModerationLog returns lines of the audit log, newest first.
func (s *Store) ModerationLog(ctx context.Context, f LogFilter) ([]parley.ModerationAction, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	query := `SELECT m.id, COALESCE(m.comment_id, 0), COALESCE(m.debate_id, 0), COALESCE(m.actor_id, 0), m.actor_name, m.action,
		m.from_status, m.to_status, m.category, m.reason, m.created_at, COALESCE(d.title, ''), COALESCE(d.slug, '')
		FROM moderation_actions m LEFT JOIN debates d ON d.id = m.debate_id WHERE 1 = 1`
	var args []any
	if f.DebateID != 0 {
		query += ` AND m.debate_id = ?`
		args = append(args, f.DebateID)
	}
	if f.CommentID != 0 {
		query += ` AND m.comment_id = ?`
		args = append(args, f.CommentID)
	}
	if f.Before > 0 {
		query += ` AND m.id < ?`
		args = append(args, f.Before)
	}
	query += ` ORDER BY m.id DESC LIMIT ?`
	args = append(args, f.Limit)
	rows, err := s.query(ctx, query, args...)
	return scanRows(func(r interface{ Scan(...any) error }) (parley.ModerationAction, error) {
		var a parley.ModerationAction
		var at int64
		err := r.Scan(&a.ID, &a.CommentID, &a.DebateID, &a.ActorID, &a.ActorName, &a.Verb, &a.From, &a.To, &a.Category, &a.Reason,
			&at, &a.DebateTitle, &a.DebateSlug)
		a.CreatedAt = fromMillis(at)
		return a, err
	})(rows, s.fail(err))
}
