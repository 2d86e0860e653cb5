package store

import (
	"context"
	"database/sql"
	"strings"

	"github.com/parley-org/parley"
)

// DebateTranslations returns a debate's human translations, by language.
func (s *Store) DebateTranslations(ctx context.Context, debateID int64) ([]*parley.DebateTranslation, error) {
	rows, err := s.query(ctx, `SELECT debate_id, language, title, question, body_md, body_html, image_credit, updated_at
		FROM debate_translations WHERE debate_id = ? ORDER BY language`, debateID)
	if err != nil {
		return nil, s.fail(err)
	}
	defer rows.Close()
	var out []*parley.DebateTranslation
	for rows.Next() {
		var t parley.DebateTranslation
		var updated int64
		if err := rows.Scan(&t.DebateID, &t.Language, &t.Title, &t.Question, &t.BodyMD, &t.BodyHTML, &t.ImageCredit, &updated); err != nil {
			return nil, s.fail(err)
		}
		t.UpdatedAt = fromMillis(updated)
		t.Framing, t.FramingHTML = map[int64]string{}, map[int64]string{}
		out = append(out, &t)
	}
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, s.fail(err)
	}
	rows, err = s.query(ctx, `SELECT t.question_id, t.language, t.framing_md, t.framing_html
		FROM question_translations t JOIN questions q ON q.id = t.question_id WHERE q.debate_id = ?`, debateID)
	if err != nil {
		return nil, s.fail(err)
	}
	defer rows.Close()
	for rows.Next() {
		var qid int64
		var language, md, html string
		if err := rows.Scan(&qid, &language, &md, &html); err != nil {
			return nil, s.fail(err)
		}
		for _, t := range out {
			if t.Language == language {
				t.Framing[qid], t.FramingHTML[qid] = md, html
			}
		}
	}
	return out, s.fail(rows.Err())
}

// SaveDebateTranslation adds or replaces a debate's translation into one
// language; the debate's pages change with it.
func (s *Store) SaveDebateTranslation(ctx context.Context, t *parley.DebateTranslation) error {
	t.UpdatedAt = s.now()
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`INSERT INTO debate_translations (debate_id, language, title, question, body_md, body_html, image_credit, updated_at)
			SELECT id, ?, ?, ?, ?, ?, ?, ? FROM debates WHERE id = ?
			ON CONFLICT (debate_id, language) DO UPDATE SET title = excluded.title, question = excluded.question,
			body_md = excluded.body_md, body_html = excluded.body_html, image_credit = excluded.image_credit, updated_at = excluded.updated_at`),
			t.Language, t.Title, t.Question, t.BodyMD, t.BodyHTML, t.ImageCredit, millis(t.UpdatedAt), t.DebateID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return parley.Errorf(parley.ENOTFOUND, "There is no such debate.")
		}
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM question_translations WHERE language = ?
			AND question_id IN (SELECT id FROM questions WHERE debate_id = ?)`), t.Language, t.DebateID); err != nil {
			return err
		}
		for qid, md := range t.Framing {
			if md == "" {
				continue
			}
			// Only the debate's own questions take its framing lines.
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO question_translations (question_id, language, framing_md, framing_html)
				SELECT id, ?, ?, ? FROM questions WHERE id = ? AND debate_id = ?`), t.Language, md, t.FramingHTML[qid], qid, t.DebateID); err != nil {
				return err
			}
		}
		return s.noteChange(ctx, tx, t.DebateID)
	})
}

// DeleteDebateTranslation removes a debate's translation into one language.
func (s *Store) DeleteDebateTranslation(ctx context.Context, debateID int64, language string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM debate_translations WHERE debate_id = ? AND language = ?`), debateID, language); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM question_translations WHERE language = ?
			AND question_id IN (SELECT id FROM questions WHERE debate_id = ?)`), language, debateID); err != nil {
			return err
		}
		return s.noteChange(ctx, tx, debateID)
	})
}

// AnswerTranslations returns the human translations of a debate's answers,
// by answer and language.
func (s *Store) AnswerTranslations(ctx context.Context, debateID int64) (map[int64]map[string]*parley.AnswerTranslation, error) {
	rows, err := s.query(ctx, `SELECT t.answer_id, t.language, t.lead_in, t.body_md, t.body_html, t.updated_at
		FROM answer_translations t JOIN answers a ON a.id = t.answer_id JOIN questions q ON q.id = a.question_id
		WHERE q.debate_id = ?`, debateID)
	if err != nil {
		return nil, s.fail(err)
	}
	defer rows.Close()
	out := map[int64]map[string]*parley.AnswerTranslation{}
	for rows.Next() {
		var t parley.AnswerTranslation
		var updated int64
		if err := rows.Scan(&t.AnswerID, &t.Language, &t.LeadIn, &t.BodyMD, &t.BodyHTML, &updated); err != nil {
			return nil, s.fail(err)
		}
		t.UpdatedAt = fromMillis(updated)
		if out[t.AnswerID] == nil {
			out[t.AnswerID] = map[string]*parley.AnswerTranslation{}
		}
		out[t.AnswerID][t.Language] = &t
	}
	return out, s.fail(rows.Err())
}

// SaveAnswerTranslation adds or replaces the translation into one language
// of an answer in the debate (ENOTFOUND for another debate's); the debate's
// pages change with it.
func (s *Store) SaveAnswerTranslation(ctx context.Context, debateID int64, t *parley.AnswerTranslation) error {
	t.UpdatedAt = s.now()
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var found int64
		err := tx.QueryRowContext(ctx, s.q(`SELECT a.id FROM answers a JOIN questions q ON q.id = a.question_id
			WHERE a.id = ? AND q.debate_id = ?`), t.AnswerID, debateID).Scan(&found)
		if err == sql.ErrNoRows {
			return parley.Errorf(parley.ENOTFOUND, "There is no such answer.")
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO answer_translations (answer_id, language, lead_in, body_md, body_html, updated_at)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (answer_id, language) DO UPDATE SET lead_in = excluded.lead_in, body_md = excluded.body_md,
			body_html = excluded.body_html, updated_at = excluded.updated_at`),
			t.AnswerID, t.Language, t.LeadIn, t.BodyMD, t.BodyHTML, millis(t.UpdatedAt)); err != nil {
			return err
		}
		return s.noteChange(ctx, tx, debateID)
	})
}

// DeleteAnswerTranslation removes an answer's translation into one language.
func (s *Store) DeleteAnswerTranslation(ctx context.Context, answerID int64, language string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var debateID int64
		err := tx.QueryRowContext(ctx, s.q(`SELECT q.debate_id FROM answers a JOIN questions q ON q.id = a.question_id WHERE a.id = ?`), answerID).Scan(&debateID)
		if err == sql.ErrNoRows {
			return parley.Errorf(parley.ENOTFOUND, "There is no such answer.")
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM answer_translations WHERE answer_id = ? AND language = ?`), answerID, language); err != nil {
			return err
		}
		return s.noteChange(ctx, tx, debateID)
	})
}

// CommentTranslation returns a comment's translation into a language: the
// editors' when there is one, else the named provider's; ENOTFOUND when
// neither is stored.
func (s *Store) CommentTranslation(ctx context.Context, commentID int64, language, provider string) (*parley.CommentTranslation, error) {
	var t parley.CommentTranslation
	var created int64
	err := s.queryRow(ctx, `SELECT comment_id, language, provider, body_html, created_at FROM comment_translations
		WHERE comment_id = ? AND language = ? AND provider IN (?, ?)
		ORDER BY CASE WHEN provider = ? THEN 0 ELSE 1 END LIMIT 1`,
		commentID, language, parley.HumanTranslation, provider, parley.HumanTranslation).
		Scan(&t.CommentID, &t.Language, &t.Provider, &t.BodyHTML, &created)
	if err == sql.ErrNoRows {
		return nil, parley.Errorf(parley.ENOTFOUND, "This comment has not been translated into this language.")
	}
	if err != nil {
		return nil, s.fail(err)
	}
	t.CreatedAt = fromMillis(created)
	return &t, nil
}

// SaveCommentTranslation stores a comment's translation; an edit of the
// comment drops it (a trigger does, whichever code edits).
func (s *Store) SaveCommentTranslation(ctx context.Context, t *parley.CommentTranslation) error {
	t.CreatedAt = s.now()
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var debateID int64
		err := tx.QueryRowContext(ctx, s.q(`SELECT debate_id FROM comments WHERE id = ?`), t.CommentID).Scan(&debateID)
		if err == sql.ErrNoRows {
			return parley.Errorf(parley.ENOTFOUND, "There is no such comment.")
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.q(`INSERT INTO comment_translations (comment_id, language, provider, body_html, created_at)
			VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (comment_id, language, provider) DO UPDATE SET body_html = excluded.body_html, created_at = excluded.created_at`),
			t.CommentID, t.Language, t.Provider, t.BodyHTML, millis(t.CreatedAt))
		if err != nil || !t.Human() {
			return err
		}
		// An editor's translation shows on the debate's pages.
		return s.noteChange(ctx, tx, debateID)
	})
}

// SpendTranslation counts characters sent to the translation provider on a
// day ("2026-12-07"), unless that would pass the day's budget: then it
// counts nothing and reports false. Every node shares the count.
func (s *Store) SpendTranslation(ctx context.Context, day string, characters, budget int) (bool, error) {
	if characters > budget {
		return false, nil
	}
	var spent bool
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`INSERT INTO translation_usage (day, characters) VALUES (?, ?)
			ON CONFLICT (day) DO UPDATE SET characters = translation_usage.characters + excluded.characters
			WHERE translation_usage.characters + excluded.characters <= ?`), day, characters, budget)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		spent = n > 0
		return nil
	})
	return spent, err
}

// TranslationSpent returns the characters sent to the provider on a day.
func (s *Store) TranslationSpent(ctx context.Context, day string) (int, error) {
	var n int
	err := s.queryRow(ctx, `SELECT characters FROM translation_usage WHERE day = ?`, day).Scan(&n)
	if err == sql.ErrNoRows {
		return 0, nil
	}
	return n, s.fail(err)
}

// SetCommentLanguage corrects the language detected for a comment.
func (s *Store) SetCommentLanguage(ctx context.Context, commentID int64, language string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var debateID int64
		err := tx.QueryRowContext(ctx, s.q(`UPDATE comments SET language = ? WHERE id = ? RETURNING debate_id`), language, commentID).Scan(&debateID)
		if err == sql.ErrNoRows {
			return parley.Errorf(parley.ENOTFOUND, "There is no such comment.")
		}
		if err != nil {
			return err
		}
		return s.noteChange(ctx, tx, debateID)
	})
}

// HumanTranslated returns which of the comments the editors translated into
// a language: a page shows them a link to it even when machine translation
// is off.
func (s *Store) HumanTranslated(ctx context.Context, commentIDs []int64, language string) (map[int64]bool, error) {
	out := map[int64]bool{}
	if len(commentIDs) == 0 {
		return out, nil
	}
	query := `SELECT comment_id FROM comment_translations WHERE language = ? AND provider = ? AND comment_id IN (?` +
		strings.Repeat(", ?", len(commentIDs)-1) + `)`
	args := []any{language, parley.HumanTranslation}
	for _, id := range commentIDs {
		args = append(args, id)
	}
	rows, err := s.read.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, s.fail(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, s.fail(err)
		}
		out[id] = true
	}
	return out, s.fail(rows.Err())
}

// DebateTitlesIn returns the translated titles and questions of debates in
// a language, by debate, for lists of debates.
func (s *Store) DebateTitlesIn(ctx context.Context, debateIDs []int64, language string) (map[int64]*parley.DebateTranslation, error) {
	out := map[int64]*parley.DebateTranslation{}
	if len(debateIDs) == 0 {
		return out, nil
	}
	query := `SELECT debate_id, title, question FROM debate_translations WHERE language = ? AND debate_id IN (?` +
		strings.Repeat(", ?", len(debateIDs)-1) + `)`
	args := []any{language}
	for _, id := range debateIDs {
		args = append(args, id)
	}
	rows, err := s.read.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, s.fail(err)
	}
	defer rows.Close()
	for rows.Next() {
		t := &parley.DebateTranslation{Language: language}
		if err := rows.Scan(&t.DebateID, &t.Title, &t.Question); err != nil {
			return nil, s.fail(err)
		}
		out[t.DebateID] = t
	}
	return out, s.fail(rows.Err())
}
