package store

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/parley-org/parley"
)

const commentCols = `c.id, c.debate_id, c.parent_id, c.root_id, c.reply_to_id, c.depth, c.author_name, c.author_email,
	c.avatar_key, c.body_md, c.body_html, c.status, c.language, c.source, c.user_id, c.edited_at, c.deleted_at, c.created_at, c.updated_at,
	c.reply_to_answer_id`

// threadCols are what a page of threads shows: not the Markdown source and
// not the email address, which a reader never sees.
const threadCols = `c.id, c.debate_id, c.parent_id, c.root_id, c.reply_to_id, c.depth, c.author_name,
	c.avatar_key, c.body_html, c.status, c.language, c.source, c.user_id, c.edited_at, c.deleted_at, c.created_at, c.updated_at,
	c.reply_to_answer_id`

func scanThreadComment(rows *sql.Rows) (*parley.Comment, error) {
	var c parley.Comment
	var parent, replyTo, user, edited, deleted, answer sql.NullInt64
	var created, updated int64
	err := rows.Scan(&c.ID, &c.DebateID, &parent, &c.RootID, &replyTo, &c.Depth, &c.AuthorName,
		&c.AvatarKey, &c.BodyHTML, &c.Status, &c.Language, &c.Source, &user, &edited, &deleted, &created, &updated, &answer)
	if err != nil {
		return nil, err
	}
	c.ParentID, c.ReplyToID, c.UserID, c.ReplyToAnswerID = parent.Int64, replyTo.Int64, user.Int64, answer.Int64
	c.EditedAt, c.DeletedAt = fromNullMillis(edited), fromNullMillis(deleted)
	c.CreatedAt, c.UpdatedAt = fromMillis(created), fromMillis(updated)
	return &c, nil
}

func scanComment(row interface{ Scan(...any) error }, extra ...any) (*parley.Comment, error) {
	var c parley.Comment
	var parent, replyTo, user, edited, deleted, answer sql.NullInt64
	var created, updated int64
	err := row.Scan(append(extra, &c.ID, &c.DebateID, &parent, &c.RootID, &replyTo, &c.Depth, &c.AuthorName, &c.AuthorEmail,
		&c.AvatarKey, &c.BodyMD, &c.BodyHTML, &c.Status, &c.Language, &c.Source, &user, &edited, &deleted, &created, &updated, &answer)...)
	if err != nil {
		return nil, err
	}
	c.ParentID, c.ReplyToID, c.UserID, c.ReplyToAnswerID = parent.Int64, replyTo.Int64, user.Int64, answer.Int64
	c.EditedAt, c.DeletedAt = fromNullMillis(edited), fromNullMillis(deleted)
	c.CreatedAt, c.UpdatedAt = fromMillis(created), fromMillis(updated)
	return &c, nil
}

// The statements of posting a comment, prepared once (see hotWrites).
const (
	sqlDebatePolicy  = `SELECT status, hold_for_review FROM debates WHERE id = ?`
	sqlParent        = `SELECT debate_id, parent_id, root_id, depth, status FROM comments WHERE id = ?`
	sqlInsertComment = `INSERT INTO comments (debate_id, parent_id, root_id, reply_to_id, depth, author_name,
		author_email, avatar_key, body_md, body_html, status, language, source, submission_key, user_id, created_at, updated_at,
		spam_score, spam_features, hold_reasons, ip, ip_hash, net_hash, body_hash, reply_to_answer_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`
	sqlBySubmission = `SELECT ` + commentCols + ` FROM comments c WHERE c.debate_id = ? AND c.submission_key = ?`
	sqlSetRoot      = `UPDATE comments SET root_id = id WHERE id = ?`
	sqlBumpVersion  = `UPDATE debates SET version = version + 1 WHERE id = ?`
	sqlCountComment = `UPDATE debates SET comment_count = comment_count + ?, version = version + 1,
		last_comment_at = CASE WHEN last_comment_at IS NULL OR last_comment_at < ? THEN ? ELSE last_comment_at END
		WHERE id = ?`
)

var hotWrites = []string{sqlDebatePolicy, sqlBySubmission, sqlParent, sqlInsertComment, sqlSetRoot, sqlCountComment, sqlBumpVersion,
	sqlAnnounceComment}

// CreateComment is a validated comment, rendered and ready to store.
type CreateComment struct {
	DebateID    int64
	ParentID    int64
	AuthorName  string
	AuthorEmail string
	// UserID is the signed-in author's account, 0 for a guest.
	UserID    int64
	AvatarKey string
	BodyMD    string
	BodyHTML  string
	Language  string
	Source    string
	// SubmissionKey makes the post idempotent within the debate.
	SubmissionKey string
	// MaxDepth is how deep replies nest; a reply below it is placed beside its parent.
	MaxDepth int
	// Status overrides the debate's policy; "" lets the debate decide.
	Status parley.CommentStatus
	// CreatedAt is set by imports; zero means now.
	CreatedAt time.Time
	// IgnoreClosed lets imports add comments to a closed debate.
	IgnoreClosed bool
	// Quiet tells no subscriber of the comment (imports, demo content).
	Quiet bool
	// Screening is what the spam defence found, kept for moderators.
	Screening Screening
	// AnswerID, with ParentID, replies to an expert's published answer to
	// the parent comment.
	AnswerID int64
}

// Screening is what the spam defence found about a new comment.
type Screening struct {
	// SpamScore is the classifier's score; Scored is false when none ran.
	SpamScore float64
	Scored    bool
	// SpamFeatures names what drove the score (JSON, for moderators).
	SpamFeatures string
	// HoldReasons say why the comment waits for a moderator, one a line.
	HoldReasons []string
	// IP is the poster's address, kept for the retention period only;
	// IPHash and NetHash are keyed hashes of it and of its network, kept.
	IP, IPHash, NetHash string
	// BodyHash is a keyed hash of the normalised text, for duplicates.
	BodyHash string
}

// CreateComment stores a new comment, places it in its thread and updates the
// debate's counters, all in one transaction. When a comment with the same
// submission key exists it returns that one with created false.
func (s *Store) CreateComment(ctx context.Context, p CreateComment) (c *parley.Comment, created bool, err error) {
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		c, created, err = s.createComment(ctx, tx, p)
		return err
	})
	if parley.ErrorCode(err) == parley.ECONFLICT && p.SubmissionKey != "" {
		// Two nodes raced on the same submission: the other one's comment stands.
		c, err = scanOne(s.queryRow(ctx, sqlBySubmission, p.DebateID, p.SubmissionKey))
		return c, false, err
	}
	return c, created, err
}

func (s *Store) createComment(ctx context.Context, tx *sql.Tx, p CreateComment) (*parley.Comment, bool, error) {
	var status parley.DebateStatus
	var hold bool
	err := s.txQueryRow(ctx, tx, sqlDebatePolicy, p.DebateID).Scan(&status, &hold)
	if err == sql.ErrNoRows {
		return nil, false, parley.Errorf(parley.ENOTFOUND, "There is no debate at this address.")
	} else if err != nil {
		return nil, false, err
	}
	switch {
	case status == parley.DebateDraft:
		return nil, false, parley.Errorf(parley.ENOTFOUND, "There is no debate at this address.")
	case status == parley.DebateClosed && !p.IgnoreClosed:
		return nil, false, parley.Errorf(parley.ECLOSED, "This debate is closed and no longer takes comments.")
	}
	if p.SubmissionKey != "" {
		c, err := scanOne(s.txQueryRow(ctx, tx, sqlBySubmission, p.DebateID, p.SubmissionKey))
		if err == nil {
			return c, false, nil
		}
		if parley.ErrorCode(err) != parley.ENOTFOUND {
			return nil, false, err
		}
	}

	now := s.now()
	created := p.CreatedAt
	if created.IsZero() {
		created = now
	}
	c := &parley.Comment{
		DebateID: p.DebateID, AuthorName: p.AuthorName, AuthorEmail: p.AuthorEmail, AvatarKey: p.AvatarKey,
		BodyMD: p.BodyMD, BodyHTML: p.BodyHTML, Language: p.Language, Source: p.Source, UserID: p.UserID,
		Status: p.Status, CreatedAt: created, UpdatedAt: created,
	}
	if c.Status == "" {
		c.Status = parley.CommentApproved
		if hold {
			c.Status = parley.CommentPending
		}
	}
	if p.ParentID != 0 {
		if err := s.placeReply(ctx, tx, c, p.ParentID, p.MaxDepth); err != nil {
			return nil, false, err
		}
	}
	if p.AnswerID != 0 {
		var ok bool
		err := tx.QueryRowContext(ctx, s.q(`SELECT EXISTS (SELECT 1 FROM answers a JOIN questions q ON q.id = a.question_id
			WHERE a.id = ? AND a.status = 'published' AND q.comment_id = ?)`), p.AnswerID, p.ParentID).Scan(&ok)
		if err != nil {
			return nil, false, err
		}
		if !ok {
			const msg = "The answer you are replying to is no longer available."
			return nil, false, &parley.Error{Code: parley.EINVALID, Message: msg, Fields: map[string]string{"parent_id": msg}}
		}
		c.ReplyToAnswerID = p.AnswerID
	}
	sc := p.Screening
	err = s.txQueryRow(ctx, tx, sqlInsertComment,
		c.DebateID, nullID(c.ParentID), c.RootID, nullID(c.ReplyToID), c.Depth, c.AuthorName,
		c.AuthorEmail, c.AvatarKey, c.BodyMD, c.BodyHTML, c.Status, c.Language, c.Source, nullString(p.SubmissionKey),
		nullID(c.UserID), millis(c.CreatedAt), millis(c.UpdatedAt),
		sql.NullInt64{Int64: int64(math.Round(sc.SpamScore * 1e6)), Valid: sc.Scored}, sc.SpamFeatures, strings.Join(sc.HoldReasons, "\n"),
		nullString(sc.IP), nullString(sc.IPHash), nullString(sc.NetHash), nullString(sc.BodyHash), nullID(c.ReplyToAnswerID)).Scan(&c.ID)
	if err != nil {
		return nil, false, err
	}
	if c.ParentID == 0 {
		// A top-level comment is the root of its own thread.
		c.RootID = c.ID
		if err := s.txExec(ctx, tx, sqlSetRoot, c.ID); err != nil {
			return nil, false, err
		}
	}
	if c.Status == parley.CommentApproved {
		// Counting the comment bumps the debate's version too: one update of
		// the debate's row, which every comment on it takes its turn on.
		if err := s.countComment(ctx, tx, c.DebateID, +1, c.CreatedAt); err != nil {
			return nil, false, err
		}
		s.announce(tx, c.DebateID)
		if !p.Quiet {
			if err := s.announceComment(ctx, tx, c.ID); err != nil {
				return nil, false, err
			}
		}
	}
	return c, true, nil
}

// placeReply sets where a reply sits in the tree. Below the deepest level it
// goes beside its parent, remembering which comment it answers.
func (s *Store) placeReply(ctx context.Context, tx *sql.Tx, c *parley.Comment, parentID int64, maxDepth int) error {
	var debateID, grandparent sql.NullInt64
	var rootID int64
	var depth int
	var status parley.CommentStatus
	err := s.txQueryRow(ctx, tx, sqlParent, parentID).
		Scan(&debateID, &grandparent, &rootID, &depth, &status)
	if err == sql.ErrNoRows || (err == nil && (debateID.Int64 != c.DebateID || (status != parley.CommentApproved && status != parley.CommentPending))) {
		return &parley.Error{Code: parley.EINVALID, Message: "The comment you are replying to is no longer available.",
			Fields: map[string]string{"parent_id": "The comment you are replying to is no longer available."}}
	} else if err != nil {
		return err
	}
	if maxDepth < 1 {
		maxDepth = parley.DefaultMaxDepth
	}
	c.ReplyToID, c.RootID = parentID, rootID
	if depth+1 < maxDepth {
		c.ParentID, c.Depth = parentID, depth+1
		return nil
	}
	// At the deepest level already: become the parent's sibling.
	c.ParentID, c.Depth = grandparent.Int64, depth
	if c.ParentID == 0 {
		c.RootID = 0 // a new top-level thread; set to its own ID after insert
	}
	return nil
}

// countComment adjusts a debate's approved-comment counter and bumps its version.
func (s *Store) countComment(ctx context.Context, tx *sql.Tx, debateID int64, delta int, at time.Time) error {
	return s.txExec(ctx, tx, sqlCountComment, delta, millis(at), millis(at), debateID)
}

// scanOne scans a single comment; no row is not found.
func scanOne(row *sql.Row) (*parley.Comment, error) {
	c, err := scanComment(row)
	if err == sql.ErrNoRows {
		return nil, parley.Errorf(parley.ENOTFOUND, "There is no such comment.")
	}
	return c, err
}

// Comment returns a comment whatever its status; callers decide who may see it.
func (s *Store) Comment(ctx context.Context, id int64) (*parley.Comment, error) {
	c, err := scanComment(s.queryRow(ctx, `SELECT `+commentCols+` FROM comments c WHERE c.id = ?`, id))
	if err == sql.ErrNoRows {
		return nil, parley.Errorf(parley.ENOTFOUND, "There is no such comment.")
	}
	return c, s.fail(err)
}

// SetCommentStatus moves a comment to a new status, keeping the debate's count
// of approved comments true.
func (s *Store) SetCommentStatus(ctx context.Context, id int64, status parley.CommentStatus) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, _, err := s.setStatus(ctx, tx, id, status)
		return err
	})
}

// setStatus moves a comment to a new status in tx and returns the status it
// had and its debate. It keeps the debate's count of approved comments true
// and announces a comment approved at last.
func (s *Store) setStatus(ctx context.Context, tx *sql.Tx, id int64, status parley.CommentStatus) (old parley.CommentStatus, debateID int64, err error) {
	if !status.Valid() {
		return "", 0, parley.Errorf(parley.EINVALID, "Unknown comment status \"%s\".", status)
	}
	var created int64
	err = tx.QueryRowContext(ctx, s.q(`UPDATE comments SET status = status WHERE id = ? RETURNING debate_id, status, created_at`), id).Scan(&debateID, &old, &created)
	if err == sql.ErrNoRows {
		return "", 0, parley.Errorf(parley.ENOTFOUND, "There is no such comment.")
	} else if err != nil {
		return "", 0, err
	}
	if old == status {
		return old, debateID, nil
	}
	// A removed comment no longer answers for its submission: posting the
	// same text again makes a new comment rather than finding this one.
	if _, err := tx.ExecContext(ctx, s.q(`UPDATE comments SET status = ?, updated_at = ?,
		submission_key = CASE WHEN ? IN ('spam', 'trash') THEN NULL ELSE submission_key END WHERE id = ?`),
		status, millis(s.now()), status, id); err != nil {
		return "", 0, err
	}
	s.announce(tx, debateID)
	switch {
	case status == parley.CommentApproved:
		// Approved at last: now its subscribers may hear of it.
		if err := s.announceComment(ctx, tx, id); err != nil {
			return "", 0, err
		}
		err = s.countComment(ctx, tx, debateID, +1, fromMillis(created))
	case old == parley.CommentApproved:
		err = s.countComment(ctx, tx, debateID, -1, time.Time{})
	default:
		err = s.txExec(ctx, tx, sqlBumpVersion, debateID)
	}
	return old, debateID, err
}

// Threads returns one page of a debate's approved comments: whole top-level
// threads, Limit of them, after the cursor. It reads only those threads.
func (s *Store) Threads(ctx context.Context, f parley.CommentFilter) (*parley.ThreadPage, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	var rootsQuery string
	args := []any{f.DebateID}
	switch {
	case f.NewestFirst && f.After > 0:
		rootsQuery = ` AND id < ? ORDER BY id DESC`
		args = append(args, f.After)
	case f.NewestFirst:
		rootsQuery = ` ORDER BY id DESC`
	default:
		rootsQuery = ` AND id > ? ORDER BY id`
		args = append(args, f.After)
	}
	rows, err := s.query(ctx, `SELECT id FROM comments WHERE debate_id = ? AND depth = 0 AND status = 'approved'`+rootsQuery+` LIMIT ?`, append(args, limit+1)...)
	if err != nil {
		return nil, s.fail(err)
	}
	roots := make([]int64, 0, limit+1)
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, s.fail(err)
		}
		roots = append(roots, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, s.fail(err)
	}
	page := &parley.ThreadPage{}
	if len(roots) > limit {
		roots = roots[:limit]
		page.Next = roots[limit-1]
	}
	if len(roots) == 0 {
		return page, nil
	}
	lo, hi := roots[0], roots[len(roots)-1]
	if lo > hi {
		lo, hi = hi, lo
	}
	// The page's roots are consecutive among the debate's approved roots, so
	// one range scan over root_id finds every comment of those threads.
	rows, err = s.query(ctx, `SELECT `+threadCols+` FROM comments c
		WHERE c.debate_id = ? AND c.root_id BETWEEN ? AND ? AND c.status = 'approved' ORDER BY c.root_id, c.id`, f.DebateID, lo, hi)
	if err != nil {
		return nil, s.fail(err)
	}
	defer rows.Close()
	byRoot := make(map[int64][]*parley.Comment, len(roots))
	for _, id := range roots {
		byRoot[id] = nil
	}
	n := 0
	for rows.Next() {
		c, err := scanThreadComment(rows)
		if err != nil {
			return nil, s.fail(err)
		}
		if list, ok := byRoot[c.RootID]; ok {
			byRoot[c.RootID] = append(list, c)
			n++
		}
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(err)
	}
	page.Comments = make([]*parley.Comment, 0, n)
	for _, id := range roots {
		page.Comments = append(page.Comments, byRoot[id]...)
	}
	nameReplyTargets(page.Comments)
	return page, nil
}

// nameReplyTargets fills ReplyToName for replies placed beside the comment
// they answer. That comment is always in the same thread.
func nameReplyTargets(list []*parley.Comment) {
	byID := make(map[int64]*parley.Comment, len(list))
	for _, c := range list {
		byID[c.ID] = c
	}
	for _, c := range list {
		if c.ReplyToID != 0 && c.ReplyToID != c.ParentID {
			if t := byID[c.ReplyToID]; t != nil {
				c.ReplyToName = t.AuthorName
			}
		}
	}
}

// PendingComments returns those of the given comments that are still
// pending in the debate, so their author can see them.
func (s *Store) PendingComments(ctx context.Context, debateID int64, ids []int64) ([]*parley.Comment, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := []any{debateID}
	for _, id := range ids {
		args = append(args, id)
	}
	rows, err := s.read.QueryContext(ctx, s.q(`SELECT `+commentCols+` FROM comments c
		WHERE c.debate_id = ? AND c.status = 'pending' AND c.id IN (`+placeholders(len(ids))+`) ORDER BY c.id`), args...)
	if err != nil {
		return nil, s.fail(err)
	}
	return s.collectComments(rows)
}

// StillPending returns those of the given comment IDs that await moderation.
func (s *Store) StillPending(ctx context.Context, ids []int64) ([]int64, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	still, err := column[int64](s.read.QueryContext(ctx, s.q(`SELECT id FROM comments WHERE status = 'pending' AND id IN (`+placeholders(len(ids))+`) ORDER BY id`), args...))
	return still, s.fail(err)
}

// RecentComments returns a debate's newest approved comments, newest first.
func (s *Store) RecentComments(ctx context.Context, debateID int64, limit int) ([]*parley.Comment, error) {
	rows, err := s.query(ctx, `SELECT `+commentCols+` FROM comments c
		WHERE c.debate_id = ? AND c.status = 'approved' ORDER BY c.id DESC LIMIT ?`, debateID, limit)
	if err != nil {
		return nil, s.fail(err)
	}
	return s.collectComments(rows)
}

func (s *Store) collectComments(rows *sql.Rows) ([]*parley.Comment, error) {
	defer rows.Close()
	var list []*parley.Comment
	for rows.Next() {
		c, err := scanComment(rows)
		if err != nil {
			return nil, s.fail(err)
		}
		list = append(list, c)
	}
	return list, s.fail(rows.Err())
}

// ThreadCursor returns the cursor of the oldest-first page that holds the
// thread with this root, perPage threads a page; 0 is the first page.
func (s *Store) ThreadCursor(ctx context.Context, debateID, rootID int64, perPage int) (int64, error) {
	var before int
	err := s.read.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM comments
		WHERE debate_id = ? AND depth = 0 AND status = 'approved' AND id < ?`), debateID, rootID).Scan(&before)
	if err != nil || before < perPage {
		return 0, s.fail(err)
	}
	var after int64
	err = s.read.QueryRowContext(ctx, s.q(`SELECT id FROM comments WHERE debate_id = ? AND depth = 0 AND status = 'approved'
		ORDER BY id LIMIT 1 OFFSET ?`), debateID, before/perPage*perPage-1).Scan(&after)
	return after, s.fail(err)
}

// EditComment replaces the text of a comment its author wrote under their
// account, within the edit window after posting. A comment a moderator
// approved in a debate that holds comments for review, or one the editors
// quote in the article, keeps the text they saw.
// hold, when pending or spam, is what screening the new text decided: the
// comment is held again (or filed) with sc's reasons; sc's score and text
// hash replace the old ones.
func (s *Store) EditComment(ctx context.Context, id, userID int64, bodyMD, bodyHTML string, hold parley.CommentStatus, sc Screening) (*parley.Comment, error) {
	var c *parley.Comment
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if c, err = s.lockOwnComment(ctx, tx, id, userID); err != nil {
			return err
		}
		now := s.now()
		if now.Sub(c.CreatedAt) > parley.EditWindow {
			return parley.Errorf(parley.ECONFLICT, "A comment can be edited for 15 minutes after it is posted; that time has passed.")
		}
		var held, featured bool
		if err := tx.QueryRowContext(ctx, s.q(`SELECT d.hold_for_review, EXISTS (SELECT 1 FROM questions q WHERE q.comment_id = ?)
			FROM debates d WHERE d.id = ?`), id, c.DebateID).Scan(&held, &featured); err != nil {
			return err
		}
		switch {
		case featured:
			return parley.Errorf(parley.ECONFLICT, "The editors quote this comment in the article, so it can no longer be edited. Please write to them if something in it needs correcting.")
		case held && c.Status == parley.CommentApproved:
			return parley.Errorf(parley.ECONFLICT, "A moderator has approved this comment as it stands, so it can no longer be edited. You can post a reply to add to it.")
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE comments SET body_md = ?, body_html = ?, edited_at = ?, updated_at = ? WHERE id = ?`),
			bodyMD, bodyHTML, millis(now), millis(now), id); err != nil {
			return err
		}
		c.BodyMD, c.BodyHTML, c.EditedAt, c.UpdatedAt = bodyMD, bodyHTML, now, now
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE comments SET spam_score = ?, spam_features = ?, body_hash = ? WHERE id = ?`),
			sql.NullInt64{Int64: int64(math.Round(sc.SpamScore * 1e6)), Valid: sc.Scored}, sc.SpamFeatures, nullString(sc.BodyHash), id); err != nil {
			return err
		}
		if (hold == parley.CommentPending || hold == parley.CommentSpam) && c.Status != hold && c.Status != parley.CommentSpam {
			if _, _, err := s.setStatus(ctx, tx, id, hold); err != nil {
				return err
			}
			for _, why := range sc.HoldReasons {
				if err := s.addHoldReason(ctx, tx, id, fmt.Sprintf("After an edit: %s", why)); err != nil {
					return err
				}
			}
			c.Status = hold
		}
		return s.noteChange(ctx, tx, c.DebateID)
	})
	return c, err
}

// DeleteComment deletes a comment at its author's request. Nothing of what
// they wrote stays: not the text, not the name or address, not the link to
// their profile. While it has replies it stays in the thread as "comment
// deleted", so the conversation still reads; otherwise it leaves the thread.
func (s *Store) DeleteComment(ctx context.Context, id, userID int64) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		c, err := s.lockOwnComment(ctx, tx, id, userID)
		if err != nil {
			return err
		}
		var replies int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM comments WHERE (parent_id = ? OR reply_to_id = ?)
			AND status IN ('approved', 'pending')`), id, id).Scan(&replies); err != nil {
			return err
		}
		now := millis(s.now())
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE comments SET body_md = '', body_html = '', author_name = '', author_email = '',
			avatar_key = 'deleted', user_id = NULL, deleted_at = ?, updated_at = ?, submission_key = NULL,
			ip = NULL, hold_reasons = '', spam_features = '', body_hash = NULL WHERE id = ?`), now, now, id); err != nil {
			return err
		}
		// What moderators taught the classifier with this text goes too;
		// each node's model forgets it when it next starts.
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM spam_lessons WHERE comment_id = ?`), id); err != nil {
			return err
		}
		if replies == 0 {
			if _, err := tx.ExecContext(ctx, s.q(`UPDATE comments SET status = 'trash' WHERE id = ?`), id); err != nil {
				return err
			}
			if c.Status == parley.CommentApproved {
				s.announce(tx, c.DebateID)
				return s.countComment(ctx, tx, c.DebateID, -1, time.Time{})
			}
		}
		return s.noteChange(ctx, tx, c.DebateID)
	})
}

// OwnComment returns a live comment the account wrote, for showing it to
// its author to edit or delete.
func (s *Store) OwnComment(ctx context.Context, id, userID int64) (*parley.Comment, error) {
	c, err := s.Comment(ctx, id)
	if err != nil {
		return nil, err
	}
	return c, checkOwn(c, userID)
}

// lockOwnComment is OwnComment for changing the comment: it locks the row,
// so that two deletions of one comment cannot both count it off.
func (s *Store) lockOwnComment(ctx context.Context, tx *sql.Tx, id, userID int64) (*parley.Comment, error) {
	if _, err := tx.ExecContext(ctx, s.q(`UPDATE comments SET updated_at = updated_at WHERE id = ?`), id); err != nil {
		return nil, err
	}
	c, err := scanOne(tx.QueryRowContext(ctx, s.q(`SELECT `+commentCols+` FROM comments c WHERE c.id = ?`), id))
	if err != nil {
		return nil, err
	}
	return c, checkOwn(c, userID)
}

func checkOwn(c *parley.Comment, userID int64) error {
	if !c.DeletedAt.IsZero() || (c.Status != parley.CommentApproved && c.Status != parley.CommentPending) {
		return parley.Errorf(parley.ENOTFOUND, "There is no such comment. It may have been removed.")
	}
	if c.UserID == 0 || c.UserID != userID {
		return parley.Errorf(parley.EFORBIDDEN, "Only its author can change a comment.")
	}
	return nil
}

// ProfileComment is an approved comment on a person's public profile.
type ProfileComment struct {
	Comment     *parley.Comment
	DebateSlug  string
	DebateTitle string
}

// UserComments returns an account's approved comments in public debates,
// newest first, before the cursor (0 for the newest).
func (s *Store) UserComments(ctx context.Context, userID, before int64, limit int) ([]ProfileComment, error) {
	if before <= 0 {
		before = 1<<63 - 1
	}
	rows, err := s.query(ctx, `SELECT d.slug, d.title, `+commentCols+` FROM comments c JOIN debates d ON d.id = c.debate_id
		WHERE c.user_id = ? AND c.id < ? AND c.status = 'approved' AND c.deleted_at IS NULL AND d.status IN ('published', 'closed')
		ORDER BY c.id DESC LIMIT ?`, userID, before, limit)
	if err != nil {
		return nil, s.fail(err)
	}
	defer rows.Close()
	var list []ProfileComment
	for rows.Next() {
		var pc ProfileComment
		if pc.Comment, err = scanComment(rows, &pc.DebateSlug, &pc.DebateTitle); err != nil {
			return nil, s.fail(err)
		}
		list = append(list, pc)
	}
	return list, s.fail(rows.Err())
}
