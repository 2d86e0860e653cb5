package store

import (
	"context"
	"database/sql"
	"strings"

	"github.com/parley-org/parley"
)

// The editors' board reads a page at a time: one stage's questions, a few
// requests and answers of each, and the experts a search finds. A debate
// with hundreds of questions and a site with hundreds of experts cost the
// board no more than a small one.

// Stages of a question on the editors' board, in the order it shows them.
const (
	StageNotSent   = "not-sent"  // no expert has been asked
	StageAwaiting  = "awaiting"  // asked, no answer yet
	StageAnswered  = "answered"  // an answer waits for the editors
	StagePublished = "published" // every answer is published
)

// boardStage is the stage of the question q, in SQL.
const boardStage = `CASE
	WHEN EXISTS (SELECT 1 FROM answers a WHERE a.question_id = q.id AND a.status <> 'published') THEN 'answered'
	WHEN EXISTS (SELECT 1 FROM answers a WHERE a.question_id = q.id) THEN 'published'
	WHEN EXISTS (SELECT 1 FROM answer_requests r WHERE r.question_id = q.id) THEN 'awaiting'
	ELSE 'not-sent' END`

// expertColsE is expertCols for a query that names experts "e".
const expertColsE = `e.id, e.slug, e.name, e.title, e.affiliation, e.portrait_url, e.portrait_credit, e.bio_md, e.bio_html, e.contact_email`

// expertFields are where expertColsE scan to.
func expertFields(e *parley.Expert) []any {
	return []any{&e.ID, &e.Slug, &e.Name, &e.Title, &e.Affiliation, &e.PortraitURL, &e.PortraitCredit, &e.BioMD, &e.BioHTML, &e.ContactEmail}
}

// BoardQuestion is a question on the editors' board with its first
// requests and answers: how many the page asked for, and how many there are.
type BoardQuestion struct {
	*parley.Question
	Stage string
	// Requests come waiting first, then by when they were first sent.
	Requests     []*parley.AnswerRequest
	RequestCount int
	// Answers come drafts first, then in the editors' order.
	Answers     []*AnswerDraft
	AnswerCount int
}

// BoardCounts returns how many of a debate's questions are on each stage.
func (s *Store) BoardCounts(ctx context.Context, debateID int64) (map[string]int, error) {
	rows, err := s.query(ctx, `SELECT stage, COUNT(*) FROM (SELECT `+boardStage+` AS stage FROM questions q WHERE q.debate_id = ?) s
		GROUP BY stage`, debateID)
	if err != nil {
		return nil, s.fail(err)
	}
	defer rows.Close()
	counts := map[string]int{}
	for rows.Next() {
		var stage string
		var n int
		if err := rows.Scan(&stage, &n); err != nil {
			return nil, s.fail(err)
		}
		counts[stage] = n
	}
	return counts, s.fail(rows.Err())
}

// BoardPlace returns the stage of a debate's question and how many
// questions come before it on that stage, so that the board can open the
// page that holds it.
func (s *Store) BoardPlace(ctx context.Context, debateID, questionID int64) (string, int, error) {
	var stage string
	var position, before int
	err := s.queryRow(ctx, `SELECT `+boardStage+`, q.position FROM questions q WHERE q.id = ? AND q.debate_id = ?`, questionID, debateID).
		Scan(&stage, &position)
	if err == sql.ErrNoRows {
		return "", 0, parley.Errorf(parley.ENOTFOUND, "There is no such question in this debate.")
	} else if err != nil {
		return "", 0, s.fail(err)
	}
	err = s.queryRow(ctx, `SELECT COUNT(*) FROM questions q
		WHERE q.debate_id = ? AND (q.position < ? OR (q.position = ? AND q.id < ?)) AND `+boardStage+` = ?`,
		debateID, position, position, questionID, stage).Scan(&before)
	return stage, before, s.fail(err)
}

// BoardQuestions returns limit of the questions on one stage of a debate's
// board from offset, in the order of the debate's page, each with at most
// shown of its requests and of its answers.
func (s *Store) BoardQuestions(ctx context.Context, debateID int64, stage string, offset, limit, shown int) ([]*BoardQuestion, error) {
	rows, err := s.query(ctx, `SELECT q.id, q.debate_id, q.comment_id, q.position, q.framing_md, q.framing_html, `+commentCols+`
		FROM questions q JOIN comments c ON c.id = q.comment_id WHERE q.debate_id = ? AND `+boardStage+` = ?
		ORDER BY q.position, q.id LIMIT ? OFFSET ?`, debateID, stage, limit, max(offset, 0))
	if err != nil {
		return nil, s.fail(err)
	}
	questions, err := readQuestions(rows)
	if err != nil || len(questions) == 0 {
		return nil, s.fail(err)
	}
	list := make([]*BoardQuestion, len(questions))
	byID := map[int64]*BoardQuestion{}
	for i, q := range questions {
		list[i] = &BoardQuestion{Question: q, Stage: stage}
		byID[q.ID] = list[i]
	}
	ids := make([]any, 0, len(list))
	for _, q := range list {
		ids = append(ids, q.ID)
	}
	if err := s.boardRequests(ctx, byID, ids, shown); err != nil {
		return nil, err
	}
	if err := s.boardAnswers(ctx, byID, ids, shown); err != nil {
		return nil, err
	}
	return list, nil
}

// boardRequests reads the first shown requests of each question in ids,
// waiting ones first: those are the ones editors act on.
func (s *Store) boardRequests(ctx context.Context, byID map[int64]*BoardQuestion, ids []any, shown int) error {
	args := append([]any{millis(s.now())}, ids...)
	rows, err := s.read.QueryContext(ctx, s.q(`SELECT r.total, `+expertColsE+`, `+requestCols+`
		FROM (SELECT r.*, COUNT(*) OVER (PARTITION BY r.question_id) AS total,
				ROW_NUMBER() OVER (PARTITION BY r.question_id
					ORDER BY CASE WHEN r.answered_at IS NULL AND r.revoked_at IS NULL AND r.expires_at > ? THEN 0 ELSE 1 END, r.id) AS n
			FROM answer_requests r WHERE r.question_id IN (`+placeholders(len(ids))+`)) r
		JOIN experts e ON e.id = r.expert_id LEFT JOIN users u ON u.id = r.sent_by
		WHERE r.n <= ? ORDER BY r.question_id, r.n`), append(args, shown)...)
	if err != nil {
		return s.fail(err)
	}
	defer rows.Close()
	for rows.Next() {
		var total int
		e := &parley.Expert{}
		r, _, err := scanRequest(rows, append([]any{&total}, expertFields(e)...)...)
		if err != nil {
			return s.fail(err)
		}
		r.Expert = e
		if q := byID[r.QuestionID]; q != nil {
			q.Requests, q.RequestCount = append(q.Requests, r), total
		}
	}
	return s.fail(rows.Err())
}

// boardAnswers reads the first shown answers of each question in ids,
// drafts first: those wait for the editors.
func (s *Store) boardAnswers(ctx context.Context, byID map[int64]*BoardQuestion, ids []any, shown int) error {
	rows, err := s.read.QueryContext(ctx, s.q(`SELECT a.total, `+expertColsE+`, a.id, a.question_id, q.comment_id, a.expert_id, a.lead_in,
			a.body_md, a.body_html, a.position, a.status, a.published_at, a.submitted_md, a.submitted_at
		FROM (SELECT a.*, COUNT(*) OVER (PARTITION BY a.question_id) AS total,
				ROW_NUMBER() OVER (PARTITION BY a.question_id ORDER BY CASE WHEN a.status = 'published' THEN 1 ELSE 0 END, a.position, a.id) AS n
			FROM answers a WHERE a.question_id IN (`+placeholders(len(ids))+`)) a
		JOIN questions q ON q.id = a.question_id JOIN experts e ON e.id = a.expert_id
		WHERE a.n <= ? ORDER BY a.question_id, a.n`), append(append([]any{}, ids...), shown)...)
	if err != nil {
		return s.fail(err)
	}
	defer rows.Close()
	for rows.Next() {
		var total int
		var published, submitted sql.NullInt64
		a := &AnswerDraft{}
		e := &parley.Expert{}
		dest := append([]any{&total}, expertFields(e)...)
		dest = append(dest, &a.ID, &a.QuestionID, &a.CommentID, &a.ExpertID, &a.LeadIn, &a.BodyMD, &a.BodyHTML, &a.Position, &a.Status,
			&published, &a.SubmittedMD, &submitted)
		if err := rows.Scan(dest...); err != nil {
			return s.fail(err)
		}
		a.PublishedAt, a.SubmittedAt, a.Expert = fromNullMillis(published), fromNullMillis(submitted), e
		if q := byID[a.QuestionID]; q != nil {
			q.Answers, q.AnswerCount = append(q.Answers, a), total
		}
	}
	return s.fail(rows.Err())
}

// Question returns a question, without its comment.
func (s *Store) Question(ctx context.Context, id int64) (*parley.Question, error) {
	q := &parley.Question{ID: id}
	err := s.queryRow(ctx, `SELECT debate_id, comment_id, position, framing_md, framing_html FROM questions WHERE id = ?`, id).
		Scan(&q.DebateID, &q.CommentID, &q.Position, &q.FramingMD, &q.FramingHTML)
	if err == sql.ErrNoRows {
		return nil, parley.Errorf(parley.ENOTFOUND, "There is no such question.")
	}
	return q, s.fail(err)
}

// QuestionOfComment returns the ID of the question a comment of a debate
// is, or 0 if it is none.
func (s *Store) QuestionOfComment(ctx context.Context, debateID, commentID int64) (int64, error) {
	var id int64
	err := s.queryRow(ctx, `SELECT id FROM questions WHERE debate_id = ? AND comment_id = ?`, debateID, commentID).Scan(&id)
	if err == sql.ErrNoRows {
		return 0, nil
	}
	return id, s.fail(err)
}

// ExpertChoice is an expert as the form that sends a question offers them.
type ExpertChoice struct {
	*parley.Expert
	// Request is the question's request to the expert, if it was sent to
	// them: its ID and times only, enough for its state.
	Request *parley.AnswerRequest
	// Answered says the expert has answered the question.
	Answered bool
}

// ExpertFilter selects the experts to offer for a question.
type ExpertFilter struct {
	QuestionID int64
	// Query is matched anywhere in the name, title or affiliation,
	// ignoring case (ASCII case only on SQLite).
	Query         string
	Offset, Limit int
}

// ExpertChoices returns a page of the experts that match, by name, each
// with where they stand with the question, and how many match.
func (s *Store) ExpertChoices(ctx context.Context, f ExpertFilter) ([]*ExpertChoice, int, error) {
	cond, args := "", []any{}
	if q := strings.ToLower(strings.TrimSpace(f.Query)); q != "" {
		// Escape LIKE's wildcards so that a search for "a_b" finds just that.
		q = "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(q) + "%"
		cond = ` WHERE LOWER(e.name) LIKE ? ESCAPE '\' OR LOWER(e.title) LIKE ? ESCAPE '\' OR LOWER(e.affiliation) LIKE ? ESCAPE '\'`
		args = append(args, q, q, q)
	}
	var total int
	if err := s.queryRow(ctx, `SELECT COUNT(*) FROM experts e`+cond, args...).Scan(&total); err != nil {
		return nil, 0, s.fail(err)
	}
	limit := f.Limit
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	rows, err := s.query(ctx, `SELECT `+expertColsE+`, r.id, r.sent_at, r.expires_at, r.revoked_at, r.answered_at,
			EXISTS (SELECT 1 FROM answers a WHERE a.question_id = ? AND a.expert_id = e.id)
		FROM experts e LEFT JOIN answer_requests r ON r.question_id = ? AND r.expert_id = e.id`+cond+`
		ORDER BY e.name, e.id LIMIT ? OFFSET ?`, append(append([]any{f.QuestionID, f.QuestionID}, args...), limit, max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, s.fail(err)
	}
	defer rows.Close()
	var list []*ExpertChoice
	for rows.Next() {
		c := &ExpertChoice{Expert: &parley.Expert{}}
		var id, sent, expires, revoked, answered sql.NullInt64
		if err := rows.Scan(append(expertFields(c.Expert), &id, &sent, &expires, &revoked, &answered, &c.Answered)...); err != nil {
			return nil, 0, s.fail(err)
		}
		if id.Valid {
			c.Request = &parley.AnswerRequest{ID: id.Int64, QuestionID: f.QuestionID, ExpertID: c.ID, Expert: c.Expert,
				SentAt: fromNullMillis(sent), ExpiresAt: fromNullMillis(expires), RevokedAt: fromNullMillis(revoked), AnsweredAt: fromNullMillis(answered)}
		}
		list = append(list, c)
	}
	return list, total, s.fail(rows.Err())
}
