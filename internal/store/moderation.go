package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/parley-org/parley"
)

// Actor is who takes a moderation action; the zero Actor is the site itself.
type Actor struct {
	ID   int64
	Name string
}

func (a Actor) name() string {
	if a.ID == 0 && a.Name == "" {
		return "Parley (automatic)"
	}
	return a.Name
}

// SetPolicy changes how a debate screens new comments. holdAll
// pre-moderates every comment (the debate's HoldForReview).
func (s *Store) SetPolicy(ctx context.Context, debateID int64, holdAll bool, p parley.Policy, by Actor) error {
	if err := p.Validate(); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE debates SET hold_for_review = ?, hold_first_time = ?, max_links = ?,
			hold_words = ?, reject_words = ?, report_threshold = ?, updated_at = ? WHERE id = ?`),
			holdAll, p.HoldFirstTime, p.MaxLinks, p.HoldWords, p.RejectWords, p.ReportThreshold, millis(s.now()), debateID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return parley.Errorf(parley.ENOTFOUND, "There is no such debate.")
		}
		mode := "post-moderation"
		switch {
		case holdAll:
			mode = "every comment held"
		case p.HoldFirstTime:
			mode = "first-time commenters held"
		}
		summary := mode + "; more than " + strconv.Itoa(p.MaxLinks) + " links held; " + strconv.Itoa(p.ReportThreshold) +
			" reports hide a comment; " + strconv.Itoa(countTerms(p.HoldWords)) + " terms held, " + strconv.Itoa(countTerms(p.RejectWords)) + " refused"
		if _, err := s.logAction(ctx, tx, parley.ModerationAction{DebateID: debateID, Verb: parley.VerbPolicy, Reason: summary}, by); err != nil {
			return err
		}
		return s.noteChange(ctx, tx, debateID)
	})
}

func countTerms(list string) int {
	n := 0
	for _, line := range strings.Split(list, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			n++
		}
	}
	return n
}

// logAction adds a line to the audit log and returns its id.
func (s *Store) logAction(ctx context.Context, tx *sql.Tx, a parley.ModerationAction, by Actor) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, s.q(`INSERT INTO moderation_actions (comment_id, debate_id, actor_id, actor_name, action,
		from_status, to_status, category, reason, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		nullID(a.CommentID), nullID(a.DebateID), nullID(by.ID), by.name(), a.Verb, a.From, a.To, a.Category, a.Reason,
		millis(s.now())).Scan(&id)
	return id, err
}

// Trusted reports whether an author already has an approved comment: by
// their account, or for a guest (whose address nobody proved) by their
// address from the same network.
func (s *Store) Trusted(ctx context.Context, userID int64, email, netHash string) (bool, error) {
	var ok bool
	var err error
	if userID != 0 {
		err = s.queryRow(ctx, `SELECT EXISTS (SELECT 1 FROM comments WHERE user_id = ? AND status = 'approved')`, userID).Scan(&ok)
	} else {
		err = s.queryRow(ctx, `SELECT EXISTS (SELECT 1 FROM comments WHERE author_email IN (?, ?) AND status = 'approved' AND net_hash = ?)`,
			email, strings.ToLower(email), netHash).Scan(&ok)
	}
	return ok, s.fail(err)
}

// Duplicate is an earlier comment with the same text.
type Duplicate struct {
	CommentID int64
	Status    parley.CommentStatus
	SameEmail bool
}

// Duplicates returns up to five earlier comments with the same text hash
// since a time, newest first, other than the comment except.
func (s *Store) Duplicates(ctx context.Context, bodyHash, email string, since time.Time, except int64) ([]Duplicate, error) {
	rows, err := s.query(ctx, `SELECT id, status, author_email FROM comments WHERE body_hash = ? AND created_at >= ? AND id <> ?
		ORDER BY id DESC LIMIT 5`, bodyHash, millis(since), except)
	if err != nil {
		return nil, s.fail(err)
	}
	defer rows.Close()
	var out []Duplicate
	for rows.Next() {
		var c Duplicate
		var from string
		if err := rows.Scan(&c.CommentID, &c.Status, &from); err != nil {
			return nil, s.fail(err)
		}
		c.SameEmail = strings.EqualFold(from, email)
		out = append(out, c)
	}
	return out, s.fail(rows.Err())
}

// ActiveBan returns the ban, if any, that keeps an account, address or
// network from commenting now. Empty arguments match nothing.
func (s *Store) ActiveBan(ctx context.Context, userID int64, email, netHash string) (*parley.Ban, error) {
	account := ""
	if userID != 0 {
		account = strconv.FormatInt(userID, 10)
	}
	// One probe of the (kind, value) index a kind: posting asks this every time.
	row := s.queryRow(ctx, `SELECT `+banCols+` FROM bans b LEFT JOIN users u ON u.id = b.created_by
		WHERE b.id IN (SELECT id FROM bans WHERE kind = 'account' AND value = ?
			UNION ALL SELECT id FROM bans WHERE kind = 'email' AND value = ?
			UNION ALL SELECT id FROM bans WHERE kind = 'network' AND value = ?)
		AND (b.expires_at IS NULL OR b.expires_at > ?) ORDER BY b.id LIMIT 1`,
		nonEmpty(account), nonEmpty(parley.NormalizeEmail(email)), nonEmpty(netHash), millis(s.now()))
	b, err := scanBan(row)
	if err == sql.ErrNoRows {
		return nil, nil
	}
	return b, s.fail(err)
}

// nonEmpty turns "" into a value no row holds (bans hold account ids,
// addresses and hex hashes).
func nonEmpty(v string) string {
	if v == "" {
		return "!"
	}
	return v
}

const banCols = `b.id, b.kind, b.value, b.label, b.reason, COALESCE(u.name, ''), b.created_at, b.expires_at`

func scanBan(row interface{ Scan(...any) error }) (*parley.Ban, error) {
	var b parley.Ban
	var created int64
	var expires sql.NullInt64
	if err := row.Scan(&b.ID, &b.Kind, &b.Value, &b.Label, &b.Reason, &b.CreatedBy, &created, &expires); err != nil {
		return nil, err
	}
	b.CreatedAt, b.ExpiresAt = fromMillis(created), fromNullMillis(expires)
	return &b, nil
}

// Bans lists the bans in force, newest first.
func (s *Store) Bans(ctx context.Context) ([]*parley.Ban, error) {
	rows, err := s.query(ctx, `SELECT `+banCols+` FROM bans b LEFT JOIN users u ON u.id = b.created_by
		WHERE b.expires_at IS NULL OR b.expires_at > ? ORDER BY b.id DESC`, millis(s.now()))
	return scanRows(func(r interface{ Scan(...any) error }) (*parley.Ban, error) { return scanBan(r) })(rows, s.fail(err))
}

// BanAuthor bans the account, address or network a comment came from.
// Banning again what is banned already replaces the reason and expiry.
func (s *Store) BanAuthor(ctx context.Context, commentID int64, kind parley.BanKind, reason string, expires time.Time, by Actor) (*parley.Ban, error) {
	var b *parley.Ban
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var userID sql.NullInt64
		var debateID int64
		var email, name string
		var netHash sql.NullString
		err := tx.QueryRowContext(ctx, s.q(`SELECT user_id, debate_id, author_email, author_name, net_hash FROM comments WHERE id = ?`), commentID).
			Scan(&userID, &debateID, &email, &name, &netHash)
		if err == sql.ErrNoRows {
			return parley.Errorf(parley.ENOTFOUND, "There is no such comment.")
		} else if err != nil {
			return err
		}
		b = &parley.Ban{Kind: kind, Reason: reason, ExpiresAt: expires, CreatedBy: by.name()}
		switch kind {
		case parley.BanAccount:
			if !userID.Valid {
				return parley.Errorf(parley.EINVALID, "This comment was not written with an account: ban its address or network instead.")
			}
			b.Value, b.Label = strconv.FormatInt(userID.Int64, 10), fmt.Sprintf("account of %[1]s (#%[2]s)", name, strconv.FormatInt(userID.Int64, 10))
		case parley.BanEmail:
			if email == "" {
				return parley.Errorf(parley.EINVALID, "This comment has no address any more.")
			}
			b.Value, b.Label = parley.NormalizeEmail(email), parley.NormalizeEmail(email)
		case parley.BanNetwork:
			if !netHash.Valid {
				return parley.Errorf(parley.EINVALID, "No network was recorded for this comment.")
			}
			b.Value, b.Label = netHash.String, fmt.Sprintf("network of comment #%[1]s by %[2]s", strconv.FormatInt(commentID, 10), name)
		default:
			return parley.Errorf(parley.EINVALID, "Please choose to ban the account, the address or the network.")
		}
		now := s.now()
		err = tx.QueryRowContext(ctx, s.q(`INSERT INTO bans (kind, value, label, reason, created_by, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (kind, value) DO UPDATE SET reason = excluded.reason, expires_at = excluded.expires_at,
				created_by = excluded.created_by, created_at = excluded.created_at
			RETURNING id`), kind, b.Value, b.Label, reason, nullID(by.ID), millis(now), nullMillis(expires)).Scan(&b.ID)
		if err != nil {
			return err
		}
		b.CreatedAt = now
		_, err = s.logAction(ctx, tx, parley.ModerationAction{CommentID: commentID, DebateID: debateID, Verb: parley.VerbBan,
			Reason: "banned the " + b.Label + banUntil(expires) + ": " + reason}, by)
		return err
	})
	return b, err
}

func banUntil(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return " until " + t.UTC().Format("2 January 2006")
}

// LiftBan ends a ban.
func (s *Store) LiftBan(ctx context.Context, id int64, by Actor) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var label string
		err := tx.QueryRowContext(ctx, s.q(`DELETE FROM bans WHERE id = ? RETURNING label`), id).Scan(&label)
		if err == sql.ErrNoRows {
			return parley.Errorf(parley.ENOTFOUND, "There is no such ban.")
		} else if err != nil {
			return err
		}
		_, err = s.logAction(ctx, tx, parley.ModerationAction{Verb: parley.VerbUnban, Reason: "lifted the ban on the " + label}, by)
		return err
	})
}

// ReportComment records a reader's report. reporter is a keyed hash of
// the reader's account or network: one report a reader and comment counts.
// When the open reports from signed-in readers of an approved comment reach
// the debate's threshold, it is hidden until a moderator decides; guests'
// reports reach the moderators but hide nothing (a few networks would
// otherwise silence anyone). hidden says whether this report hid it.
func (s *Store) ReportComment(ctx context.Context, r parley.Report, reporter string, userID int64) (hidden bool, err error) {
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		// Lock the comment first, so that a moderator's decision and the
		// reports that may hide it take their turns.
		var status parley.CommentStatus
		var debateID int64
		var deleted sql.NullInt64
		err := tx.QueryRowContext(ctx, s.q(`UPDATE comments SET report_count = report_count WHERE id = ? RETURNING status, debate_id, deleted_at`),
			r.CommentID).Scan(&status, &debateID, &deleted)
		if err == sql.ErrNoRows || (err == nil && (deleted.Valid || (status != parley.CommentApproved && status != parley.CommentPending))) {
			return parley.Errorf(parley.ENOTFOUND, "This comment is no longer available.")
		} else if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q(`INSERT INTO reports (comment_id, reason, detail, reporter_key, user_id, created_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (comment_id, reporter_key) DO NOTHING`),
			r.CommentID, r.Reason, r.Detail, reporter, nullID(userID), millis(s.now()))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // this reader reported it already
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE comments SET report_count = report_count + 1 WHERE id = ?`), r.CommentID); err != nil {
			return err
		}
		if status != parley.CommentApproved || userID == 0 {
			return nil
		}
		var open, threshold int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT (SELECT COUNT(*) FROM reports WHERE comment_id = ? AND resolved_at IS NULL AND user_id IS NOT NULL),
			report_threshold FROM debates WHERE id = ?`), r.CommentID, debateID).Scan(&open, &threshold); err != nil {
			return err
		}
		if open < threshold {
			return nil
		}
		why := fmt.Sprintf("Hidden after %d reports from readers", open)
		if _, _, err := s.setStatus(ctx, tx, r.CommentID, parley.CommentPending); err != nil {
			return err
		}
		if err := s.addHoldReason(ctx, tx, r.CommentID, why); err != nil {
			return err
		}
		hidden = true
		_, err = s.logAction(ctx, tx, parley.ModerationAction{CommentID: r.CommentID, DebateID: debateID, Verb: parley.VerbHide,
			From: parley.CommentApproved, To: parley.CommentPending, Reason: why}, Actor{})
		return err
	})
	return hidden, err
}

func (s *Store) addHoldReason(ctx context.Context, tx *sql.Tx, id int64, why string) error {
	_, err := tx.ExecContext(ctx, s.q(`UPDATE comments SET hold_reasons = CASE WHEN hold_reasons = '' THEN ? ELSE hold_reasons || ? END WHERE id = ?`),
		why, "\n"+why, id)
	return err
}

// Moderated is what a decision did to one comment.
type Moderated struct {
	Comment  *parley.Comment
	Verb     parley.ModerationVerb
	From, To parley.CommentStatus
	ActionID int64
	// WasPublic says readers could see the comment before: it was
	// approved, or hidden only by readers' reports.
	WasPublic bool
}

// Lesson says what the decision teaches the spam classifier: a spam or
// not-spam decision (ok), or nothing (trash is abuse, not spam; a decision
// that changes nothing about spam says nothing new).
func (m Moderated) Lesson() (isSpam, ok bool) {
	if m.Comment.BodyMD == "" {
		return false, false
	}
	switch m.Verb {
	case parley.VerbSpam:
		return true, m.From != parley.CommentSpam
	case parley.VerbApprove, parley.VerbRestore, parley.VerbAppealReversed:
		return false, m.From == parley.CommentSpam || m.From == parley.CommentPending
	}
	return false, false
}

// Removed reports whether the decision took the comment off the debate.
func (m Moderated) Removed() bool {
	return (m.To == parley.CommentSpam || m.To == parley.CommentTrash) && m.From != m.To
}

// Moderate carries out a moderator's decision on each comment it names, in
// one transaction: the new status, the comment's open reports closed and a
// line in the audit log.
func (s *Store) Moderate(ctx context.Context, d parley.Decision, by Actor) ([]Moderated, error) {
	if err := d.Validate(); err != nil {
		return nil, err
	}
	var out []Moderated
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		out = out[:0]
		for _, id := range d.CommentIDs {
			c, err := scanOne(tx.QueryRowContext(ctx, s.q(`SELECT `+commentCols+` FROM comments c WHERE c.id = ?`), id))
			if err != nil {
				return err
			}
			to, err := s.decisionTarget(ctx, tx, c, d.Verb)
			if err != nil {
				return err
			}
			m, err := s.decide(ctx, tx, c, to, d.Verb, d.Category, d.Reason, by)
			if err != nil {
				return err
			}
			out = append(out, m)
		}
		return nil
	})
	return out, err
}

// decisionTarget is the status a verb moves a comment to. Restore returns
// a removed comment to the status it had before it was removed.
func (s *Store) decisionTarget(ctx context.Context, tx *sql.Tx, c *parley.Comment, verb parley.ModerationVerb) (parley.CommentStatus, error) {
	switch verb {
	case parley.VerbApprove:
		return parley.CommentApproved, nil
	case parley.VerbSpam:
		return parley.CommentSpam, nil
	case parley.VerbTrash:
		return parley.CommentTrash, nil
	}
	if c.Status != parley.CommentSpam && c.Status != parley.CommentTrash {
		return c.Status, nil
	}
	var before parley.CommentStatus
	var removal int64
	err := tx.QueryRowContext(ctx, s.q(`SELECT from_status, id FROM moderation_actions WHERE comment_id = ? AND to_status = ?
		ORDER BY id DESC LIMIT 1`), c.ID, c.Status).Scan(&before, &removal)
	if err == sql.ErrNoRows || (err == nil && before != parley.CommentApproved && before != parley.CommentPending) {
		// Filed there when posted, by the spam defence: a moderator
		// restoring it means it should be read.
		return parley.CommentApproved, nil
	} else if err != nil {
		return "", err
	}
	if before == parley.CommentPending {
		// Hidden by readers' reports, then removed: it was public.
		hidden, err := s.hiddenBefore(ctx, tx, c.ID, removal)
		if err != nil || hidden {
			return parley.CommentApproved, err
		}
	}
	return before, nil
}

// hiddenBefore reports whether the last action on a comment before the
// action at was readers' reports hiding it.
func (s *Store) hiddenBefore(ctx context.Context, tx *sql.Tx, commentID, at int64) (bool, error) {
	var verb parley.ModerationVerb
	err := tx.QueryRowContext(ctx, s.q(`SELECT action FROM moderation_actions WHERE comment_id = ? AND id < ? ORDER BY id DESC LIMIT 1`),
		commentID, at).Scan(&verb)
	if err == sql.ErrNoRows {
		return false, nil
	}
	return verb == parley.VerbHide, err
}

// decide moves one comment and records the decision.
func (s *Store) decide(ctx context.Context, tx *sql.Tx, c *parley.Comment, to parley.CommentStatus, verb parley.ModerationVerb,
	category parley.ReportReason, reason string, by Actor) (Moderated, error) {
	if !c.DeletedAt.IsZero() && to == parley.CommentApproved {
		return Moderated{}, parley.Errorf(parley.ECONFLICT, "Comment #%s was deleted by its author.", strconv.FormatInt(c.ID, 10))
	}
	from, _, err := s.setStatus(ctx, tx, c.ID, to)
	if err != nil {
		return Moderated{}, err
	}
	wasPublic := from == parley.CommentApproved
	if from == parley.CommentPending {
		if wasPublic, err = s.hiddenBefore(ctx, tx, c.ID, 1<<62); err != nil {
			return Moderated{}, err
		}
	}
	if (from == parley.CommentSpam || from == parley.CommentTrash) && (to == parley.CommentApproved || to == parley.CommentPending) &&
		verb != parley.VerbAppealReversed {
		// Restored: an appeal still open has its answer.
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE appeals SET decided_at = ?, decided_by = ?, outcome = 'reversed',
			outcome_reason = 'The comment was restored.' WHERE comment_id = ? AND decided_at IS NULL`), millis(s.now()), nullID(by.ID), c.ID); err != nil {
			return Moderated{}, err
		}
	}
	if _, err := tx.ExecContext(ctx, s.q(`UPDATE reports SET resolved_at = ? WHERE comment_id = ? AND resolved_at IS NULL`),
		millis(s.now()), c.ID); err != nil {
		return Moderated{}, err
	}
	id, err := s.logAction(ctx, tx, parley.ModerationAction{CommentID: c.ID, DebateID: c.DebateID, Verb: verb,
		From: from, To: to, Category: category, Reason: reason}, by)
	if err != nil {
		return Moderated{}, err
	}
	c.Status = to
	return Moderated{Comment: c, Verb: verb, From: from, To: to, ActionID: id, WasPublic: wasPublic}, nil
}

// AddSpamLesson records a moderator's spam or not-spam decision on a
// comment's text, for every node's classifier to learn.
func (s *Store) AddSpamLesson(ctx context.Context, commentID int64, body string, links int, isSpam bool) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO spam_lessons (comment_id, body, links, spam, created_at) VALUES (?, ?, ?, ?, ?)`),
			commentID, body, links, isSpam, millis(s.now()))
		return err
	})
}

// SpamLesson is a moderator's spam or not-spam decision on a text.
type SpamLesson struct {
	ID    int64
	Body  string
	Links int
	Spam  bool
}

// SpamLessons returns up to limit lessons after a lesson id, in order.
func (s *Store) SpamLessons(ctx context.Context, after int64, limit int) ([]SpamLesson, error) {
	rows, err := s.query(ctx, `SELECT id, body, links, spam FROM spam_lessons WHERE id > ? ORDER BY id LIMIT ?`, after, limit)
	return scanRows(func(r interface{ Scan(...any) error }) (SpamLesson, error) {
		var l SpamLesson
		err := r.Scan(&l.ID, &l.Body, &l.Links, &l.Spam)
		return l, err
	})(rows, s.fail(err))
}

// AppealComment records an author's appeal against the removal of their
// comment. There is one appeal a comment.
func (s *Store) AppealComment(ctx context.Context, commentID int64, body string) (*parley.Appeal, error) {
	a := &parley.Appeal{CommentID: commentID, Body: body}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var status parley.CommentStatus
		err := tx.QueryRowContext(ctx, s.q(`SELECT status FROM comments WHERE id = ?`), commentID).Scan(&status)
		if err == sql.ErrNoRows {
			return parley.Errorf(parley.ENOTFOUND, "There is no such comment.")
		} else if err != nil {
			return err
		}
		if status != parley.CommentSpam && status != parley.CommentTrash {
			return parley.Errorf(parley.ECONFLICT, "This comment is not removed, so there is nothing to appeal.")
		}
		var action sql.NullInt64
		if err := tx.QueryRowContext(ctx, s.q(`SELECT MAX(id) FROM moderation_actions WHERE comment_id = ? AND to_status = ?`),
			commentID, status).Scan(&action); err != nil {
			return err
		}
		a.CreatedAt = s.now()
		res, err := tx.ExecContext(ctx, s.q(`INSERT INTO appeals (comment_id, action_id, body, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (comment_id) DO NOTHING`), commentID, action, body, millis(a.CreatedAt))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return parley.Errorf(parley.ECONFLICT, "You have already appealed against this decision; a comment can be appealed once. A moderator will look at it.")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// AppealOf returns a comment's appeal, or nil.
func (s *Store) AppealOf(ctx context.Context, commentID int64) (*parley.Appeal, error) {
	a, err := scanAppeal(s.queryRow(ctx, `SELECT `+appealCols+` FROM appeals a LEFT JOIN users u ON u.id = a.decided_by WHERE a.comment_id = ?`, commentID))
	if err == sql.ErrNoRows {
		return nil, nil
	}
	return a, s.fail(err)
}

const appealCols = `a.id, a.comment_id, a.body, a.created_at, a.decided_at, COALESCE(u.name, ''), a.outcome, a.outcome_reason`

func scanAppeal(row interface{ Scan(...any) error }) (*parley.Appeal, error) {
	var a parley.Appeal
	var created int64
	var decided sql.NullInt64
	if err := row.Scan(&a.ID, &a.CommentID, &a.Body, &created, &decided, &a.DecidedBy, &a.Outcome, &a.OutcomeReason); err != nil {
		return nil, err
	}
	a.CreatedAt, a.DecidedAt = fromMillis(created), fromNullMillis(decided)
	return &a, nil
}

// DecideAppeal settles an open appeal: reversing the decision restores the
// comment (as Restore does), upholding it leaves it removed.
func (s *Store) DecideAppeal(ctx context.Context, commentID int64, reverse bool, reason string, by Actor) (Moderated, error) {
	var m Moderated
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE appeals SET decided_at = ?, decided_by = ?, outcome = ?, outcome_reason = ?
			WHERE comment_id = ? AND decided_at IS NULL`), millis(s.now()), nullID(by.ID), map[bool]string{true: "reversed", false: "upheld"}[reverse],
			reason, commentID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return parley.Errorf(parley.ECONFLICT, "This appeal has been decided already.")
		}
		c, err := scanOne(tx.QueryRowContext(ctx, s.q(`SELECT `+commentCols+` FROM comments c WHERE c.id = ?`), commentID))
		if err != nil {
			return err
		}
		to, verb := c.Status, parley.VerbAppealUpheld
		if reverse {
			verb = parley.VerbAppealReversed
			if to, err = s.decisionTarget(ctx, tx, c, parley.VerbRestore); err != nil {
				return err
			}
		}
		m, err = s.decide(ctx, tx, c, to, verb, "", reason, by)
		return err
	})
	return m, err
}

// ForgetAddresses clears the IP addresses of comments posted before a time;
// their keyed hashes stay. It returns how many it cleared.
func (s *Store) ForgetAddresses(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.write.ExecContext(ctx, s.q(`UPDATE comments SET ip = NULL WHERE ip IS NOT NULL AND created_at < ?`), millis(before))
	if err != nil {
		return 0, s.fail(err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// ReportCount is how many readers have reported a comment.
func (s *Store) ReportCount(ctx context.Context, commentID int64) (int, error) {
	var n int
	err := s.queryRow(ctx, `SELECT COUNT(*) FROM reports WHERE comment_id = ?`, commentID).Scan(&n)
	return n, s.fail(err)
}

// CommentIP returns the address a comment was sent from, while it is kept.
func (s *Store) CommentIP(ctx context.Context, id int64) (string, error) {
	var ip sql.NullString
	err := s.queryRow(ctx, `SELECT ip FROM comments WHERE id = ?`, id).Scan(&ip)
	if err == sql.ErrNoRows {
		return "", nil
	}
	return ip.String, s.fail(err)
}
