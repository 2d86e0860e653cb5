package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/parley-org/parley"
)

// RequestView is an answer request with what its page and mails show: the
// question's debate and reader comment, the expert, and the answer sent.
type RequestView struct {
	Request  *parley.AnswerRequest
	Question *parley.Question
	Debate   *parley.Debate
	Comment  *parley.Comment
	Expert   *parley.Expert
	// Answer is the expert's answer to this question, if they sent one.
	Answer *AnswerDraft
	// SentByEmail is the address of the editor who sent it, for replies.
	SentByEmail string
}

// AnswerDraft is an answer with the expert's own words beside the
// editors' version.
type AnswerDraft struct {
	parley.Answer
	SubmittedMD string
	SubmittedAt time.Time
}

const requestCols = `r.id, r.question_id, r.expert_id, r.generation, COALESCE(u.name, ''), COALESCE(u.email, ''), r.sent_at, r.expires_at,
	r.revoked_at, r.reminders, r.reminded_at, r.answered_at, r.renewal_asked_at`

func scanRequest(row interface{ Scan(...any) error }, extra ...any) (*parley.AnswerRequest, string, error) {
	var r parley.AnswerRequest
	var email string
	var sent, expires int64
	var revoked, reminded, answered, renewal sql.NullInt64
	err := row.Scan(append(extra, &r.ID, &r.QuestionID, &r.ExpertID, &r.Generation, &r.SentBy, &email, &sent, &expires, &revoked, &r.Reminders,
		&reminded, &answered, &renewal)...)
	if err != nil {
		return nil, "", err
	}
	r.SentAt, r.ExpiresAt = fromMillis(sent), fromMillis(expires)
	r.RevokedAt, r.RemindedAt, r.AnsweredAt, r.RenewalAskedAt = fromNullMillis(revoked), fromNullMillis(reminded), fromNullMillis(answered), fromNullMillis(renewal)
	return &r, email, nil
}

// SendQuestion records a request to an expert to answer a question, as a
// new generation: links of earlier sends stop working, and the reminders
// start afresh. An expert who has answered is not asked again.
func (s *Store) SendQuestion(ctx context.Context, questionID, expertID int64, expires time.Time, by Actor) (*parley.AnswerRequest, error) {
	var r *parley.AnswerRequest
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var answered bool
		if err := tx.QueryRowContext(ctx, s.q(`SELECT EXISTS (SELECT 1 FROM answers WHERE question_id = ? AND expert_id = ?)`),
			questionID, expertID).Scan(&answered); err != nil {
			return err
		}
		if answered {
			return parley.Errorf(parley.ECONFLICT, "This expert has answered this question already.")
		}
		now := millis(s.now())
		var id int64
		// The WHERE keeps a request answered meanwhile (by a submission
		// that committed after the check above) as it is.
		err := tx.QueryRowContext(ctx, s.q(`INSERT INTO answer_requests (question_id, expert_id, sent_by, sent_at, expires_at)
			VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (question_id, expert_id) DO UPDATE SET generation = answer_requests.generation + 1, sent_by = excluded.sent_by,
				sent_at = excluded.sent_at, expires_at = excluded.expires_at, revoked_at = NULL, reminders = 0, reminded_at = NULL,
				renewal_asked_at = NULL
			WHERE answer_requests.answered_at IS NULL
			RETURNING id`), questionID, expertID, nullID(by.ID), now, millis(expires)).Scan(&id)
		if err == sql.ErrNoRows {
			return parley.Errorf(parley.ECONFLICT, "This expert has answered this question already.")
		} else if err != nil {
			return err
		}
		r, _, err = scanRequest(tx.QueryRowContext(ctx, s.q(`SELECT `+requestCols+` FROM answer_requests r LEFT JOIN users u ON u.id = r.sent_by WHERE r.id = ?`), id))
		return err
	})
	return r, err
}

// RevokeRequest ends a request's link.
func (s *Store) RevokeRequest(ctx context.Context, id int64) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE answer_requests SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL AND answered_at IS NULL`),
			millis(s.now()), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return parley.Errorf(parley.ECONFLICT, "This request is answered or revoked already.")
		}
		return nil
	})
}

// RequestView returns a request with its context.
func (s *Store) RequestView(ctx context.Context, id int64) (*RequestView, error) {
	r, email, err := scanRequest(s.queryRow(ctx, `SELECT `+requestCols+`
		FROM answer_requests r LEFT JOIN users u ON u.id = r.sent_by WHERE r.id = ?`, id))
	if err == sql.ErrNoRows {
		return nil, parley.Errorf(parley.ENOTFOUND, "This link is not valid.")
	} else if err != nil {
		return nil, s.fail(err)
	}
	v, err := s.QuestionFor(ctx, r.QuestionID, r.ExpertID)
	if err != nil {
		return nil, err
	}
	v.Request, v.SentByEmail = r, email
	r.Expert = v.Expert
	return v, nil
}

// QuestionFor returns what a request of a question to an expert shows,
// without the request: the question, its debate and comment, the expert
// and their answer if any.
func (s *Store) QuestionFor(ctx context.Context, questionID, expertID int64) (*RequestView, error) {
	v := &RequestView{Question: &parley.Question{ID: questionID}}
	q := v.Question
	err := s.queryRow(ctx, `SELECT debate_id, comment_id, framing_md, framing_html FROM questions WHERE id = ?`, questionID).
		Scan(&q.DebateID, &q.CommentID, &q.FramingMD, &q.FramingHTML)
	if err == sql.ErrNoRows {
		return nil, parley.Errorf(parley.ENOTFOUND, "There is no such question.")
	} else if err != nil {
		return nil, s.fail(err)
	}
	if v.Debate, err = s.DebateByID(ctx, q.DebateID); err != nil {
		return nil, err
	}
	if v.Comment, err = s.Comment(ctx, q.CommentID); err != nil {
		return nil, err
	}
	if v.Expert, err = s.ExpertByID(ctx, expertID); err != nil {
		return nil, err
	}
	v.Answer, err = s.answerDraft(ctx, `a.question_id = ? AND a.expert_id = ?`, questionID, expertID)
	if parley.ErrorCode(err) == parley.ENOTFOUND {
		err = nil
	}
	return v, err
}

func (s *Store) answerDraft(ctx context.Context, where string, args ...any) (*AnswerDraft, error) {
	var a AnswerDraft
	var published, submitted sql.NullInt64
	err := s.queryRow(ctx, `SELECT a.id, a.question_id, q.comment_id, a.expert_id, a.lead_in, a.body_md, a.body_html, a.position, a.status,
		a.published_at, a.submitted_md, a.submitted_at FROM answers a JOIN questions q ON q.id = a.question_id WHERE `+where, args...).
		Scan(&a.ID, &a.QuestionID, &a.CommentID, &a.ExpertID, &a.LeadIn, &a.BodyMD, &a.BodyHTML, &a.Position, &a.Status,
			&published, &a.SubmittedMD, &submitted)
	if err == sql.ErrNoRows {
		return nil, parley.Errorf(parley.ENOTFOUND, "There is no such answer.")
	} else if err != nil {
		return nil, s.fail(err)
	}
	a.PublishedAt, a.SubmittedAt = fromNullMillis(published), fromNullMillis(submitted)
	return &a, nil
}

// AnswerByID returns an answer, with the expert's own words.
func (s *Store) AnswerByID(ctx context.Context, id int64) (*AnswerDraft, error) {
	return s.answerDraft(ctx, `a.id = ?`, id)
}

// SubmitAnswer stores an expert's answer as a draft for the editors, and
// closes the request: its link shows the answer from then on. A link that
// expired, was revoked or was used meanwhile takes nothing.
func (s *Store) SubmitAnswer(ctx context.Context, requestID int64, bodyMD, bodyHTML string) (*AnswerDraft, error) {
	var id, questionID, expertID, commentID int64
	var position int
	at := s.now()
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		now := millis(at)
		err := tx.QueryRowContext(ctx, s.q(`UPDATE answer_requests SET answered_at = ?
			WHERE id = ? AND answered_at IS NULL AND revoked_at IS NULL AND expires_at > ? RETURNING question_id, expert_id`),
			now, requestID, now).Scan(&questionID, &expertID)
		if err == sql.ErrNoRows {
			return parley.Errorf(parley.ECONFLICT, "This link can no longer take an answer: it was used, has expired or was withdrawn.")
		} else if err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, s.q(`SELECT comment_id, (SELECT COALESCE(MAX(position), 0) + 1 FROM answers WHERE question_id = ?)
			FROM questions WHERE id = ?`), questionID, questionID).Scan(&commentID, &position); err != nil {
			return err
		}
		err = tx.QueryRowContext(ctx, s.q(`INSERT INTO answers (question_id, expert_id, lead_in, body_md, body_html, position, status,
			submitted_md, submitted_at, created_at, updated_at) VALUES (?, ?, '', ?, ?, ?, 'draft', ?, ?, ?, ?)
			ON CONFLICT (question_id, expert_id) DO NOTHING
			RETURNING id`), questionID, expertID, bodyMD, bodyHTML, position, bodyMD, now, now, now).Scan(&id)
		if err == sql.ErrNoRows {
			return parley.Errorf(parley.ECONFLICT, "An answer from you to this question is with the editors already.")
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	// Built rather than read back: inside Atomically the row is not yet
	// visible to reads.
	return &AnswerDraft{Answer: parley.Answer{ID: id, QuestionID: questionID, CommentID: commentID, ExpertID: expertID, BodyMD: bodyMD, BodyHTML: bodyHTML,
		Position: position, Status: parley.AnswerDraft}, SubmittedMD: bodyMD, SubmittedAt: at}, nil
}

// AskRenewal records that an expert with an expired link asked for a
// fresh one. It reports whether the editors should be told: once a day.
func (s *Store) AskRenewal(ctx context.Context, requestID int64) (bool, error) {
	var told bool
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		res, err := tx.ExecContext(ctx, s.q(`UPDATE answer_requests SET renewal_asked_at = ?
			WHERE id = ? AND answered_at IS NULL AND revoked_at IS NULL AND (renewal_asked_at IS NULL OR renewal_asked_at < ?)`),
			millis(now), requestID, millis(now.Add(-24*time.Hour)))
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		told = n == 1
		return nil
	})
	return told, err
}

// SaveAnswer changes an answer as the editors edit it: lead-in, text,
// place among the question's answers, and whether it is published.
func (s *Store) SaveAnswer(ctx context.Context, a *AnswerDraft) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		var debateID int64
		var wasPublished sql.NullInt64
		err := tx.QueryRowContext(ctx, s.q(`SELECT q.debate_id, a.published_at FROM answers a JOIN questions q ON q.id = a.question_id WHERE a.id = ?`), a.ID).
			Scan(&debateID, &wasPublished)
		if err == sql.ErrNoRows {
			return parley.Errorf(parley.ENOTFOUND, "There is no such answer.")
		} else if err != nil {
			return err
		}
		a.PublishedAt = fromNullMillis(wasPublished)
		if a.Status == parley.AnswerPublished && a.PublishedAt.IsZero() {
			a.PublishedAt = now
			// Published at last: the debate's subscribers hear of it, once.
			if err := s.announceAnswer(ctx, tx, a.ID); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE answers SET lead_in = ?, body_md = ?, body_html = ?, position = ?, status = ?,
			published_at = ?, updated_at = ? WHERE id = ?`), a.LeadIn, a.BodyMD, a.BodyHTML, a.Position, a.Status, nullMillis(a.PublishedAt),
			millis(now), a.ID); err != nil {
			return err
		}
		return s.noteChange(ctx, tx, debateID)
	})
}

// DueReminders returns requests still waiting whose last mail (the
// request or a reminder) is older than after, with fewer than max
// reminders sent.
func (s *Store) DueReminders(ctx context.Context, after time.Duration, max int) ([]int64, error) {
	now := s.now()
	ids, err := column[int64](s.query(ctx, `SELECT id FROM answer_requests
		WHERE answered_at IS NULL AND revoked_at IS NULL AND expires_at > ? AND reminders < ?
		AND COALESCE(reminded_at, sent_at) <= ? ORDER BY id LIMIT 100`, millis(now), max, millis(now.Add(-after))))
	return ids, s.fail(err)
}

// ClaimReminder counts a reminder for a request, once however many nodes
// try, and only while it is still due (a new send meanwhile restarts the
// count): it reports false when it is not to be sent.
func (s *Store) ClaimReminder(ctx context.Context, id int64, generation int64, sentBefore int, after time.Duration) (bool, error) {
	var claimed bool
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		res, err := tx.ExecContext(ctx, s.q(`UPDATE answer_requests SET reminders = reminders + 1, reminded_at = ?
			WHERE id = ? AND generation = ? AND reminders = ? AND answered_at IS NULL AND revoked_at IS NULL
				AND expires_at > ? AND COALESCE(reminded_at, sent_at) <= ?`),
			millis(now), id, generation, sentBefore, millis(now), millis(now.Add(-after)))
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		claimed = n == 1
		return nil
	})
	return claimed, err
}

// ExpertRequests returns the requests sent to the experts whose contact
// address is email, newest first: an expert's own page of questions.
func (s *Store) ExpertRequests(ctx context.Context, email string) ([]*RequestView, error) {
	ids, err := column[int64](s.query(ctx, `SELECT r.id FROM answer_requests r JOIN experts e ON e.id = r.expert_id
		WHERE LOWER(e.contact_email) = ? AND r.revoked_at IS NULL ORDER BY r.id DESC LIMIT 200`, parley.NormalizeEmail(email)))
	if err != nil {
		return nil, s.fail(err)
	}
	var out []*RequestView
	for _, id := range ids {
		v, err := s.RequestView(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}
