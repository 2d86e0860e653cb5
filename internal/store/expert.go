package store

import (
	"context"
	"database/sql"

	"github.com/parley-org/parley"
)

// SaveExpert creates the expert, or updates the one with the same slug.
func (s *Store) SaveExpert(ctx context.Context, e *parley.Expert) error {
	now := millis(s.now())
	return s.inTx(ctx, func(tx *sql.Tx) error {
		// An expert shows on every debate they answered in.
		s.announce(tx, AllDebates)
		return tx.QueryRowContext(ctx, s.q(`INSERT INTO experts (slug, name, title, affiliation, portrait_url, portrait_credit,
			bio_md, bio_html, contact_email, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (slug) DO UPDATE SET name = excluded.name, title = excluded.title, affiliation = excluded.affiliation,
			portrait_url = excluded.portrait_url, portrait_credit = excluded.portrait_credit, bio_md = excluded.bio_md,
			bio_html = excluded.bio_html, contact_email = excluded.contact_email, updated_at = excluded.updated_at
			RETURNING id`),
			e.Slug, e.Name, e.Title, e.Affiliation, e.PortraitURL, e.PortraitCredit, e.BioMD, e.BioHTML, e.ContactEmail, now, now).Scan(&e.ID)
	})
}

// AddQuestion features a reader comment in its debate's article.
func (s *Store) AddQuestion(ctx context.Context, q *parley.Question) error {
	now := millis(s.now())
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var debateID int64
		if err := tx.QueryRowContext(ctx, s.q(`SELECT debate_id FROM comments WHERE id = ?`), q.CommentID).Scan(&debateID); err != nil {
			return err
		}
		if debateID != q.DebateID {
			return parley.Errorf(parley.EINVALID, "That comment belongs to another debate.")
		}
		if err := s.noteChange(ctx, tx, q.DebateID); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, s.q(`INSERT INTO questions (debate_id, comment_id, position, framing_md, framing_html, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`), q.DebateID, q.CommentID, q.Position, q.FramingMD, q.FramingHTML, now, now).Scan(&q.ID)
	})
}

// AddAnswer stores an expert's answer to a question.
func (s *Store) AddAnswer(ctx context.Context, a *parley.Answer) error {
	now := s.now()
	if a.Status == parley.AnswerPublished && a.PublishedAt.IsZero() {
		a.PublishedAt = now
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var debateID int64
		if err := tx.QueryRowContext(ctx, s.q(`SELECT debate_id FROM questions WHERE id = ?`), a.QuestionID).Scan(&debateID); err != nil {
			return err
		}
		if err := s.noteChange(ctx, tx, debateID); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, s.q(`INSERT INTO answers (question_id, expert_id, lead_in, body_md, body_html, position, status,
			published_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
			a.QuestionID, a.ExpertID, a.LeadIn, a.BodyMD, a.BodyHTML, a.Position, a.Status, nullMillis(a.PublishedAt),
			millis(now), millis(now)).Scan(&a.ID)
	})
}

// readQuestions reads rows of question columns followed by commentCols,
// and closes them.
func readQuestions(rows *sql.Rows) ([]*parley.Question, error) {
	defer rows.Close()
	var list []*parley.Question
	for rows.Next() {
		q := &parley.Question{}
		c, err := scanComment(rows, &q.ID, &q.DebateID, &q.CommentID, &q.Position, &q.FramingMD, &q.FramingHTML)
		if err != nil {
			return nil, err
		}
		q.Comment = c
		list = append(list, q)
	}
	return list, rows.Err()
}

// Questions returns a debate's featured comments in article order, each with
// its comment and its published answers (with their experts) in editors' order.
func (s *Store) Questions(ctx context.Context, debateID int64) ([]*parley.Question, error) {
	rows, err := s.query(ctx, `SELECT q.id, q.debate_id, q.comment_id, q.position, q.framing_md, q.framing_html, `+commentCols+`
		FROM questions q JOIN comments c ON c.id = q.comment_id
		WHERE q.debate_id = ? AND c.status = 'approved' AND c.deleted_at IS NULL ORDER BY q.position, q.id`, debateID)
	if err != nil {
		return nil, s.fail(err)
	}
	list, err := readQuestions(rows)
	if err != nil || len(list) == 0 {
		return list, s.fail(err)
	}
	byID := map[int64]*parley.Question{}
	for _, q := range list {
		byID[q.ID] = q
	}

	rows, err = s.query(ctx, `SELECT a.id, a.question_id, a.expert_id, a.lead_in, a.body_md, a.body_html, a.position,
		a.status, a.published_at, e.id, e.slug, e.name, e.title, e.affiliation, e.portrait_url, e.portrait_credit, e.bio_md, e.bio_html
		FROM answers a JOIN questions q ON q.id = a.question_id JOIN experts e ON e.id = a.expert_id
		WHERE q.debate_id = ? AND a.status = 'published' ORDER BY a.position, a.id`, debateID)
	if err != nil {
		return nil, s.fail(err)
	}
	defer rows.Close()
	for rows.Next() {
		a := &parley.Answer{Expert: &parley.Expert{}}
		e := a.Expert
		var published sql.NullInt64
		err := rows.Scan(&a.ID, &a.QuestionID, &a.ExpertID, &a.LeadIn, &a.BodyMD, &a.BodyHTML, &a.Position,
			&a.Status, &published, &e.ID, &e.Slug, &e.Name, &e.Title, &e.Affiliation, &e.PortraitURL, &e.PortraitCredit, &e.BioMD, &e.BioHTML)
		if err != nil {
			return nil, s.fail(err)
		}
		a.PublishedAt = fromNullMillis(published)
		if q := byID[a.QuestionID]; q != nil {
			a.CommentID = q.CommentID
			q.Answers = append(q.Answers, a)
		}
	}
	return list, s.fail(rows.Err())
}

// ExpertBySlug returns an expert's public profile.
func (s *Store) ExpertBySlug(ctx context.Context, slug string) (*parley.Expert, error) {
	e := &parley.Expert{}
	err := s.queryRow(ctx, `SELECT id, slug, name, title, affiliation, portrait_url, portrait_credit, bio_md, bio_html, contact_email
		FROM experts WHERE slug = ?`, slug).
		Scan(&e.ID, &e.Slug, &e.Name, &e.Title, &e.Affiliation, &e.PortraitURL, &e.PortraitCredit, &e.BioMD, &e.BioHTML, &e.ContactEmail)
	if err == sql.ErrNoRows {
		return nil, parley.Errorf(parley.ENOTFOUND, "There is no expert at this address.")
	}
	return e, s.fail(err)
}

// ExpertAnswer is a published answer with where it appeared.
type ExpertAnswer struct {
	Answer      *parley.Answer
	DebateSlug  string
	DebateTitle string
	// Comment is the reader's comment the answer answers.
	Comment *parley.Comment
}

// ExpertAnswers returns an expert's published answers in public debates, newest first.
func (s *Store) ExpertAnswers(ctx context.Context, expertID int64, limit int) ([]ExpertAnswer, error) {
	rows, err := s.query(ctx, `SELECT a.id, a.question_id, a.lead_in, a.body_html, a.published_at, d.slug, d.title, c.id, c.author_name, c.body_html, c.language
		FROM answers a JOIN questions q ON q.id = a.question_id JOIN debates d ON d.id = q.debate_id JOIN comments c ON c.id = q.comment_id
		WHERE a.expert_id = ? AND a.status = 'published' AND d.status IN ('published', 'closed') AND c.status = 'approved'
		ORDER BY a.published_at DESC, a.id DESC LIMIT ?`, expertID, limit)
	if err != nil {
		return nil, s.fail(err)
	}
	defer rows.Close()
	var list []ExpertAnswer
	for rows.Next() {
		a := &parley.Answer{ExpertID: expertID, Status: parley.AnswerPublished}
		c := &parley.Comment{Status: parley.CommentApproved}
		var ea ExpertAnswer
		var published sql.NullInt64
		if err := rows.Scan(&a.ID, &a.QuestionID, &a.LeadIn, &a.BodyHTML, &published, &ea.DebateSlug, &ea.DebateTitle, &c.ID, &c.AuthorName, &c.BodyHTML, &c.Language); err != nil {
			return nil, s.fail(err)
		}
		a.PublishedAt, a.CommentID = fromNullMillis(published), c.ID
		ea.Answer, ea.Comment = a, c
		list = append(list, ea)
	}
	return list, s.fail(rows.Err())
}
