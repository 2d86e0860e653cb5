package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/parley-org/parley"
)

// What the editors' console writes: debates by ID, featured comments,
// experts, partners and the image library.

// slugTaken is the error for a slug another row already has: a debate,
// an expert or a partner.
func slugTaken(what string) error {
	var msg string
	switch what {
	case "expert":
		msg = "Another expert already uses this address. Please choose another slug."
	case "partner":
		msg = "Another partner already uses this address. Please choose another slug."
	default:
		msg = "Another debate already uses this address. Please choose another slug."
	}
	return &parley.Error{Code: parley.ECONFLICT, Message: msg, Fields: map[string]string{"slug": msg}}
}

// asSlugConflict turns a unique violation into slugTaken; slugs are the
// only unique columns the console writes.
func asSlugConflict(err error, what string) error {
	if parley.ErrorCode(err) == parley.ECONFLICT {
		return slugTaken(what)
	}
	return err
}

// publication fills in the publication time of a debate that is public and
// drops the schedule of one that no longer waits.
func (s *Store) publication(d *parley.Debate) {
	if d.Status != parley.DebateDraft {
		d.PublishAt = time.Time{}
		if d.PublishedAt.IsZero() {
			d.PublishedAt = s.now()
		}
	}
}

// CreateDebate stores a new debate. A slug already in use is ECONFLICT on
// the field "slug" (SaveDebate would overwrite that debate instead).
func (s *Store) CreateDebate(ctx context.Context, d *parley.Debate) error {
	now := s.now()
	s.publication(d)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, s.q(`INSERT INTO debates (slug, title, question, body_md, body_html, image_url, image_credit,
			status, hold_for_review, accounts_only, publish_at, published_at, created_at, updated_at, language)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
			d.Slug, d.Title, d.Question, d.BodyMD, d.BodyHTML, d.ImageURL, d.ImageCredit, d.Status, d.HoldForReview,
			d.AccountsOnly, nullMillis(d.PublishAt), nullMillis(d.PublishedAt), millis(now), millis(now), d.Language).Scan(&d.ID)
		if err != nil {
			return err
		}
		if err := s.setTopics(ctx, tx, d.ID, d.Topics); err != nil {
			return err
		}
		return s.noteChange(ctx, tx, d.ID)
	})
	if err != nil {
		return asSlugConflict(err, "debate")
	}
	d.CreatedAt, d.UpdatedAt = now, now
	return nil
}

// UpdateDebate saves every field of the debate with d.ID, its slug and
// status included; counters are left alone. Publishing sets PublishedAt
// when the debate never had one; a draft with PublishAt waits for
// PublishDue.
func (s *Store) UpdateDebate(ctx context.Context, d *parley.Debate) error {
	now := s.now()
	s.publication(d)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE debates SET slug = ?, title = ?, question = ?, body_md = ?, body_html = ?,
			image_url = ?, image_credit = ?, status = ?, hold_for_review = ?, accounts_only = ?, publish_at = ?, published_at = ?,
			updated_at = ?, language = ? WHERE id = ?`),
			d.Slug, d.Title, d.Question, d.BodyMD, d.BodyHTML, d.ImageURL, d.ImageCredit, d.Status, d.HoldForReview,
			d.AccountsOnly, nullMillis(d.PublishAt), nullMillis(d.PublishedAt), millis(now), d.Language, d.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return parley.Errorf(parley.ENOTFOUND, "There is no such debate.")
		}
		if err := s.setTopics(ctx, tx, d.ID, d.Topics); err != nil {
			return err
		}
		return s.noteChange(ctx, tx, d.ID)
	})
	if err != nil {
		return asSlugConflict(err, "debate")
	}
	d.UpdatedAt = now
	return nil
}

func (s *Store) setTopics(ctx context.Context, tx *sql.Tx, debateID int64, topics []string) error {
	if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM debate_topics WHERE debate_id = ?`), debateID); err != nil {
		return err
	}
	for _, t := range topics {
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO debate_topics (debate_id, topic) VALUES (?, ?)`), debateID, t); err != nil {
			return err
		}
	}
	return nil
}

// Featured comments.

// RemoveQuestion stops featuring a comment, with the experts' answers to it.
func (s *Store) RemoveQuestion(ctx context.Context, debateID, questionID int64) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM questions WHERE id = ? AND debate_id = ?`), questionID, debateID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return parley.Errorf(parley.ENOTFOUND, "This comment is not featured in this debate.")
		}
		return s.noteChange(ctx, tx, debateID)
	})
}

// MoveQuestion moves a featured comment one place earlier (by < 0) or later
// (by > 0) in the article, and numbers the debate's questions 1, 2, 3 … so
// that equal or missing positions cannot make the move a no-op.
func (s *Store) MoveQuestion(ctx context.Context, debateID, questionID int64, by int) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		// Lock the debate's row so that concurrent moves take turns.
		if err := s.noteChange(ctx, tx, debateID); err != nil {
			return err
		}
		ids, err := column[int64](tx.QueryContext(ctx, s.q(`SELECT id FROM questions WHERE debate_id = ? ORDER BY position, id`), debateID))
		if err != nil {
			return err
		}
		i := -1
		for k, id := range ids {
			if id == questionID {
				i = k
			}
		}
		if i < 0 {
			return parley.Errorf(parley.ENOTFOUND, "This comment is not featured in this debate.")
		}
		j := min(max(i+by, 0), len(ids)-1)
		ids[i], ids[j] = ids[j], ids[i]
		for k, id := range ids {
			if _, err := tx.ExecContext(ctx, s.q(`UPDATE questions SET position = ?, updated_at = ? WHERE id = ?`),
				k+1, millis(s.now()), id); err != nil {
				return err
			}
		}
		return nil
	})
}

// NextQuestionPosition is the position that puts a new featured comment
// after the debate's others.
func (s *Store) NextQuestionPosition(ctx context.Context, debateID int64) (int, error) {
	var n int
	err := s.queryRow(ctx, `SELECT COALESCE(MAX(position), 0) + 1 FROM questions WHERE debate_id = ?`, debateID).Scan(&n)
	return n, s.fail(err)
}

// Experts.

const expertCols = `id, slug, name, title, affiliation, portrait_url, portrait_credit, bio_md, bio_html, contact_email`

func scanExpert(row interface{ Scan(...any) error }) (*parley.Expert, error) {
	e := &parley.Expert{}
	err := row.Scan(&e.ID, &e.Slug, &e.Name, &e.Title, &e.Affiliation, &e.PortraitURL, &e.PortraitCredit, &e.BioMD, &e.BioHTML, &e.ContactEmail)
	return e, err
}

// Experts lists every expert by name, contact addresses included.
func (s *Store) Experts(ctx context.Context) ([]*parley.Expert, error) {
	list, err := scanRows(scanExpert)(s.query(ctx, `SELECT `+expertCols+` FROM experts ORDER BY name, id`))
	return list, s.fail(err)
}

// ExpertByID returns an expert with their private contact address.
func (s *Store) ExpertByID(ctx context.Context, id int64) (*parley.Expert, error) {
	e, err := scanExpert(s.queryRow(ctx, `SELECT `+expertCols+` FROM experts WHERE id = ?`, id))
	if err == sql.ErrNoRows {
		return nil, parley.Errorf(parley.ENOTFOUND, "There is no such expert.")
	}
	return e, s.fail(err)
}

// CreateExpert stores a new expert; a slug in use is ECONFLICT on "slug".
func (s *Store) CreateExpert(ctx context.Context, e *parley.Expert) error {
	now := millis(s.now())
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, s.q(`INSERT INTO experts (slug, name, title, affiliation, portrait_url, portrait_credit,
			bio_md, bio_html, contact_email, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
			e.Slug, e.Name, e.Title, e.Affiliation, e.PortraitURL, e.PortraitCredit, e.BioMD, e.BioHTML, e.ContactEmail, now, now).Scan(&e.ID)
	})
	return asSlugConflict(err, "expert")
}

// UpdateExpert saves every field of the expert with e.ID. Experts appear
// under answers in many debates, so every cached page is dropped.
func (s *Store) UpdateExpert(ctx context.Context, e *parley.Expert) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE experts SET slug = ?, name = ?, title = ?, affiliation = ?, portrait_url = ?,
			portrait_credit = ?, bio_md = ?, bio_html = ?, contact_email = ?, updated_at = ? WHERE id = ?`),
			e.Slug, e.Name, e.Title, e.Affiliation, e.PortraitURL, e.PortraitCredit, e.BioMD, e.BioHTML, e.ContactEmail,
			millis(s.now()), e.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return parley.Errorf(parley.ENOTFOUND, "There is no such expert.")
		}
		s.announce(tx, AllDebates)
		return nil
	})
	return asSlugConflict(err, "expert")
}

// Partners.

const partnerCols = `id, slug, name, url, logo_url`

func scanPartner(row interface{ Scan(...any) error }) (*parley.Partner, error) {
	p := &parley.Partner{}
	err := row.Scan(&p.ID, &p.Slug, &p.Name, &p.URL, &p.LogoURL)
	return p, err
}

// Partners lists the partner organisations by name.
func (s *Store) Partners(ctx context.Context) ([]*parley.Partner, error) {
	list, err := scanRows(scanPartner)(s.query(ctx, `SELECT `+partnerCols+` FROM partners ORDER BY name, id`))
	return list, s.fail(err)
}

// PartnerByID returns a partner organisation.
func (s *Store) PartnerByID(ctx context.Context, id int64) (*parley.Partner, error) {
	p, err := scanPartner(s.queryRow(ctx, `SELECT `+partnerCols+` FROM partners WHERE id = ?`, id))
	if err == sql.ErrNoRows {
		return nil, parley.Errorf(parley.ENOTFOUND, "There is no such partner.")
	}
	return p, s.fail(err)
}

// CreatePartner stores a new partner; a slug in use is ECONFLICT on "slug".
func (s *Store) CreatePartner(ctx context.Context, p *parley.Partner) error {
	now := millis(s.now())
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		s.announce(tx, AllDebates)
		return tx.QueryRowContext(ctx, s.q(`INSERT INTO partners (slug, name, url, logo_url, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`), p.Slug, p.Name, p.URL, p.LogoURL, now, now).Scan(&p.ID)
	})
	return asSlugConflict(err, "partner")
}

// UpdatePartner saves every field of the partner with p.ID.
func (s *Store) UpdatePartner(ctx context.Context, p *parley.Partner) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE partners SET slug = ?, name = ?, url = ?, logo_url = ?, updated_at = ? WHERE id = ?`),
			p.Slug, p.Name, p.URL, p.LogoURL, millis(s.now()), p.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return parley.Errorf(parley.ENOTFOUND, "There is no such partner.")
		}
		s.announce(tx, AllDebates)
		return nil
	})
	return asSlugConflict(err, "partner")
}

// DeletePartner removes a partner organisation.
func (s *Store) DeletePartner(ctx context.Context, id int64) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM partners WHERE id = ?`), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return parley.Errorf(parley.ENOTFOUND, "There is no such partner.")
		}
		s.announce(tx, AllDebates)
		return nil
	})
}

// The image library.

const uploadCols = `name, content_type, bytes, width, height, credit, user_id, created_at`

func scanUpload(row interface{ Scan(...any) error }) (*parley.Upload, error) {
	u := &parley.Upload{}
	var user sql.NullInt64
	var created int64
	if err := row.Scan(&u.Name, &u.ContentType, &u.Bytes, &u.Width, &u.Height, &u.Credit, &user, &created); err != nil {
		return nil, err
	}
	u.UserID, u.CreatedAt = user.Int64, fromMillis(created)
	return u, nil
}

// SaveUpload records an image stored in the media folder. The same file
// uploaded again takes the new credit line and moves to the top of the list.
func (s *Store) SaveUpload(ctx context.Context, u *parley.Upload) error {
	u.CreatedAt = s.now()
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO uploads (`+uploadCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET credit = excluded.credit, created_at = excluded.created_at`),
			u.Name, u.ContentType, u.Bytes, u.Width, u.Height, u.Credit, nullID(u.UserID), millis(u.CreatedAt))
		return err
	})
}

// Uploads lists the image library, newest first, at most limit images.
func (s *Store) Uploads(ctx context.Context, limit int) ([]*parley.Upload, error) {
	if limit <= 0 {
		limit = 200
	}
	list, err := scanRows(scanUpload)(s.query(ctx, `SELECT `+uploadCols+` FROM uploads ORDER BY created_at DESC, name LIMIT ?`, limit))
	return list, s.fail(err)
}

// Upload returns one image of the library by its file name.
func (s *Store) Upload(ctx context.Context, name string) (*parley.Upload, error) {
	u, err := scanUpload(s.queryRow(ctx, `SELECT `+uploadCols+` FROM uploads WHERE name = ?`, name))
	if err == sql.ErrNoRows {
		return nil, parley.Errorf(parley.ENOTFOUND, "There is no such image.")
	}
	return u, s.fail(err)
}
