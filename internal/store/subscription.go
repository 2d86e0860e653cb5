package store

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	"github.com/parley-org/parley"
)

// CommentJob is the kind of job queued, in the same transaction, when a
// comment becomes visible: its subscribers are told by the job's worker.
// Its key is the comment's ID, so a comment is announced once.
const CommentJob = "comment-approved"

const sqlAnnounceComment = `INSERT INTO jobs (kind, key, payload, run_at, created_at) VALUES (?, ?, '', ?, ?)
	ON CONFLICT (kind, key) DO NOTHING`

// AnswerJob is the kind of job queued when an expert's answer is first
// published: the debate's and the conversation's subscribers hear of it.
// Its key is the answer's ID.
const AnswerJob = "answer-published"

// announceAnswer queues the notification of a published answer.
func (s *Store) announceAnswer(ctx context.Context, tx *sql.Tx, answerID int64) error {
	now := millis(s.now())
	return s.txExec(ctx, tx, sqlAnnounceComment, AnswerJob, strconv.FormatInt(answerID, 10), now, now)
}

// announceComment queues the notification of an approved comment.
func (s *Store) announceComment(ctx context.Context, tx *sql.Tx, commentID int64) error {
	now := millis(s.now())
	return s.txExec(ctx, tx, sqlAnnounceComment, CommentJob, strconv.FormatInt(commentID, 10), now, now)
}

const addressCols = `a.id, a.email, a.language, a.confirm_sent_at, a.suppressed_at, a.suppressed_why`

func scanAddress(row interface{ Scan(...any) error }) (*parley.Address, error) {
	a := &parley.Address{}
	var sent, suppressed sql.NullInt64
	if err := row.Scan(&a.ID, &a.Email, &a.Language, &sent, &suppressed, &a.SuppressedWhy); err != nil {
		if err == sql.ErrNoRows {
			return nil, parley.Errorf(parley.ENOTFOUND, "There is no such address.")
		}
		return nil, err
	}
	a.ConfirmSentAt, a.SuppressedAt = fromNullMillis(sent), fromNullMillis(suppressed)
	return a, nil
}

// Address returns an address by its ID.
func (s *Store) Address(ctx context.Context, id int64) (*parley.Address, error) {
	a, err := scanAddress(s.queryRow(ctx, `SELECT `+addressCols+` FROM addresses a WHERE a.id = ?`, id))
	return a, s.fail(err)
}

// AddressByEmail returns the address record of an email address.
func (s *Store) AddressByEmail(ctx context.Context, email string) (*parley.Address, error) {
	a, err := scanAddress(s.queryRow(ctx, `SELECT `+addressCols+` FROM addresses a WHERE a.email = ?`, parley.NormalizeEmail(email)))
	return a, s.fail(err)
}

// NewSubscription is a request to follow something.
type NewSubscription struct {
	Email     string
	DebateID  int64
	Scope     parley.Scope
	CommentID int64
	Delivery  parley.Delivery
	// Proven says the request comes from the address's owner (their
	// confirmed account): the subscription needs no double opt-in, and an
	// address they had stopped all mail to may be mailed again.
	Proven bool
	// Language is the language of the page the request came from: mail to
	// the address is written in it. Only its owner changes it once set.
	Language string
}

// Subscribe records a request to follow something and returns the
// subscription with its address. Consent is per subscription: a request
// that is not proven leaves a live subscription as it is and makes any
// other one pending until its owner confirms, so that nobody can start,
// restart or change someone else's mail by typing their address.
func (s *Store) Subscribe(ctx context.Context, n NewSubscription) (*parley.Subscription, *parley.Address, error) {
	now := millis(s.now())
	email := parley.NormalizeEmail(n.Email)
	var sub *parley.Subscription
	var addr *parley.Address
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO addresses (email, language, created_at) VALUES (?, ?, ?) ON CONFLICT (email) DO NOTHING`), email, n.Language, now); err != nil {
			return err
		}
		if n.Language != "" {
			// Someone typing another's address does not change their language.
			cond := ` AND language = ''`
			if n.Proven {
				cond = ``
			}
			if _, err := tx.ExecContext(ctx, s.q(`UPDATE addresses SET language = ? WHERE email = ?`+cond), n.Language, email); err != nil {
				return err
			}
		}
		if n.Proven {
			// Their own request lifts "stop all mail"; a bounce waits for a
			// confirmation link, which proves mail arrives again.
			if _, err := tx.ExecContext(ctx, s.q(`UPDATE addresses SET suppressed_at = NULL, suppressed_why = ''
				WHERE email = ? AND suppressed_why = 'unsubscribed'`), email); err != nil {
				return err
			}
		}
		var err error
		if addr, err = scanAddress(tx.QueryRowContext(ctx, s.q(`SELECT `+addressCols+` FROM addresses a WHERE a.email = ?`), email)); err != nil {
			return err
		}
		confirmed := sql.NullInt64{}
		if n.Proven {
			confirmed = sql.NullInt64{Int64: now, Valid: true}
		}
		var id int64
		err = tx.QueryRowContext(ctx, s.q(`INSERT INTO subscriptions (address_id, debate_id, scope, comment_id, delivery, confirmed_at, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (address_id, debate_id, scope, comment_id) DO NOTHING RETURNING id`),
			addr.ID, n.DebateID, n.Scope, n.CommentID, n.Delivery, confirmed, now).Scan(&id)
		if err == sql.ErrNoRows {
			// It exists: the owner may change it; anyone else may only ask
			// again for one that is not live.
			set := `delivery = ?, ended_at = NULL, confirmed_at = COALESCE(confirmed_at, ?), created_at = ?`
			where := ``
			if !n.Proven {
				set = `delivery = ?, ended_at = NULL, confirmed_at = NULL, created_at = ?`
				where = ` AND (ended_at IS NOT NULL OR confirmed_at IS NULL)`
			}
			args := []any{n.Delivery}
			if n.Proven {
				args = append(args, now)
			}
			args = append(args, now, addr.ID, n.DebateID, n.Scope, n.CommentID)
			_, err = tx.ExecContext(ctx, s.q(`UPDATE subscriptions SET `+set+`
				WHERE address_id = ? AND debate_id = ? AND scope = ? AND comment_id = ?`+where), args...)
		}
		if err != nil {
			return err
		}
		sub, err = scanSubscription(tx.QueryRowContext(ctx, s.q(`SELECT `+subscriptionCols+` FROM subscriptions s
			JOIN debates d ON d.id = s.debate_id WHERE s.address_id = ? AND s.debate_id = ? AND s.scope = ? AND s.comment_id = ?`),
			addr.ID, n.DebateID, n.Scope, n.CommentID))
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return sub, addr, nil
}

// ClaimConfirmation records that a confirmation mail goes to the address
// now, unless one went in the last day: then it reports false and nothing
// may be sent. Every node shares the answer.
func (s *Store) ClaimConfirmation(ctx context.Context, addressID int64) (time.Time, bool, error) {
	now := s.now()
	var claimed bool
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE addresses SET confirm_sent_at = ?
			WHERE id = ? AND (confirm_sent_at IS NULL OR confirm_sent_at <= ?)`), millis(now), addressID, millis(now.Add(-24*time.Hour)))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		claimed = n == 1
		return err
	})
	return now, claimed, err
}

// ConfirmSubscriptions records the owner's consent to the subscriptions
// of an address that were waiting for it when the confirmation mail went
// out (asked for at or before sentAt), and lifts any suppression: the link
// came by mail, so mail arrives. It returns how many it confirmed.
func (s *Store) ConfirmSubscriptions(ctx context.Context, addressID int64, sentAt time.Time) (int64, error) {
	now := millis(s.now())
	var n int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE addresses SET suppressed_at = NULL, suppressed_why = '' WHERE id = ?`), addressID)
		if err != nil {
			return err
		}
		if k, _ := res.RowsAffected(); k == 0 {
			return parley.Errorf(parley.ENOTFOUND, "There is no such address.")
		}
		res, err = tx.ExecContext(ctx, s.q(`UPDATE subscriptions SET confirmed_at = ?
			WHERE address_id = ? AND confirmed_at IS NULL AND ended_at IS NULL AND created_at <= ?`), now, addressID, millis(sentAt))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

// ConfirmSubscription confirms one waiting subscription of an address, from
// the address's own subscriptions page.
func (s *Store) ConfirmSubscription(ctx context.Context, addressID, id int64) error {
	return s.updateSubscription(ctx, addressID, id, `confirmed_at = COALESCE(confirmed_at, ?)`, millis(s.now()))
}

// SuppressAddress stops all mail to an address (why: "unsubscribed" or
// "bounced") until it confirms again. Unsubscribing from everything also
// ends every subscription.
func (s *Store) SuppressAddress(ctx context.Context, email, why string) error {
	now := millis(s.now())
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var id int64
		err := tx.QueryRowContext(ctx, s.q(`UPDATE addresses SET suppressed_at = ?, suppressed_why = ?
			WHERE email = ? RETURNING id`), now, why, parley.NormalizeEmail(email)).Scan(&id)
		if err == sql.ErrNoRows {
			return nil // never subscribed: nothing to stop
		} else if err != nil {
			return err
		}
		if why == "unsubscribed" {
			_, err = tx.ExecContext(ctx, s.q(`UPDATE subscriptions SET ended_at = ? WHERE address_id = ? AND ended_at IS NULL`), now, id)
		}
		return err
	})
}

const subscriptionCols = `s.id, s.address_id, s.debate_id, s.scope, s.comment_id, s.delivery, s.confirmed_at, s.created_at, s.ended_at,
	d.slug, d.title`

func scanSubscription(row interface{ Scan(...any) error }) (*parley.Subscription, error) {
	sub := &parley.Subscription{}
	var created int64
	var confirmed, ended sql.NullInt64
	if err := row.Scan(&sub.ID, &sub.AddressID, &sub.DebateID, &sub.Scope, &sub.CommentID, &sub.Delivery, &confirmed, &created, &ended,
		&sub.DebateSlug, &sub.DebateTitle); err != nil {
		if err == sql.ErrNoRows {
			return nil, parley.Errorf(parley.ENOTFOUND, "There is no such subscription.")
		}
		return nil, err
	}
	sub.ConfirmedAt, sub.CreatedAt, sub.EndedAt = fromNullMillis(confirmed), fromMillis(created), fromNullMillis(ended)
	return sub, nil
}

// Subscription returns one subscription.
func (s *Store) Subscription(ctx context.Context, id int64) (*parley.Subscription, error) {
	sub, err := scanSubscription(s.queryRow(ctx, `SELECT `+subscriptionCols+` FROM subscriptions s JOIN debates d ON d.id = s.debate_id
		WHERE s.id = ?`, id))
	return sub, s.fail(err)
}

// Subscriptions lists an address's live subscriptions, newest first.
func (s *Store) Subscriptions(ctx context.Context, addressID int64) ([]*parley.Subscription, error) {
	list, err := scanRows(scanSubscription)(s.query(ctx, `SELECT `+subscriptionCols+` FROM subscriptions s
		JOIN debates d ON d.id = s.debate_id WHERE s.address_id = ? AND s.ended_at IS NULL ORDER BY s.id DESC`, addressID))
	return list, s.fail(err)
}

// EndSubscription stops one subscription of an address.
func (s *Store) EndSubscription(ctx context.Context, addressID, id int64) error {
	return s.updateSubscription(ctx, addressID, id, `ended_at = COALESCE(ended_at, ?)`, millis(s.now()))
}

// SetDelivery changes how often one subscription of an address is delivered.
func (s *Store) SetDelivery(ctx context.Context, addressID, id int64, d parley.Delivery) error {
	if !d.Valid() {
		return parley.Errorf(parley.EINVALID, "Choose immediately, daily or weekly.")
	}
	return s.updateSubscription(ctx, addressID, id, `delivery = ?`, d)
}

func (s *Store) updateSubscription(ctx context.Context, addressID, id int64, set string, arg any) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE subscriptions SET `+set+` WHERE id = ? AND address_id = ?`), arg, id, addressID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return parley.Errorf(parley.ENOTFOUND, "There is no such subscription.")
		}
		return nil
	})
}

// Recipient is one address to tell of a comment, through its most
// specific subscription.
type Recipient struct {
	AddressID      int64
	Email          string
	Language       string
	SubscriptionID int64
	Scope          parley.Scope
	// CommentID is the comment the subscription follows (ScopeThread, ScopeReplies).
	CommentID int64
	Delivery  parley.Delivery
}

// Recipients returns, a batch at a time, the mailable addresses that follow
// the comment: its debate, its thread, or replies to the comment it
// answers. An author it mentions (by address) hears of it through any of
// their reply subscriptions in the debate. Each address comes once, through
// its most specific subscription; the comment's own author never. after is
// the last AddressID of the previous batch.
func (s *Store) Recipients(ctx context.Context, c *parley.Comment, mentioned []string, after int64, limit int) ([]Recipient, error) {
	args := []any{c.ReplyToID, c.DebateID, c.RootID, c.ReplyToID}
	mentions := ""
	if len(mentioned) > 0 {
		mentions = ` OR (s.scope = 'replies' AND a.email IN (` + placeholders(len(mentioned)) + `))`
		for _, e := range mentioned {
			args = append(args, parley.NormalizeEmail(e))
		}
	}
	args = append(args, parley.NormalizeEmail(c.AuthorEmail), after, limit)
	// Ordered so that an address's first row is its most specific
	// subscription: replies to the comment answered, then a mention, then
	// the thread, then the debate.
	rows, err := s.read.QueryContext(ctx, s.q(`SELECT a.id, a.email, a.language, s.id, s.scope, s.comment_id, s.delivery,
			CASE WHEN s.scope = 'replies' AND s.comment_id = ? THEN 0 WHEN s.scope = 'replies' THEN 1 WHEN s.scope = 'thread' THEN 2 ELSE 3 END AS rank
		FROM subscriptions s JOIN addresses a ON a.id = s.address_id
		WHERE s.ended_at IS NULL AND s.confirmed_at IS NOT NULL AND a.suppressed_at IS NULL AND s.debate_id = ?
			AND ((s.scope = 'debate' AND s.comment_id = 0) OR (s.scope = 'thread' AND s.comment_id = ?)
				OR (s.scope = 'replies' AND s.comment_id = ?)`+mentions+`)
			AND a.email <> ? AND a.id > ?
		ORDER BY a.id, rank LIMIT ?`), args...)
	if err != nil {
		return nil, s.fail(err)
	}
	defer rows.Close()
	var list []Recipient
	for rows.Next() {
		var r Recipient
		var rank int
		if err := rows.Scan(&r.AddressID, &r.Email, &r.Language, &r.SubscriptionID, &r.Scope, &r.CommentID, &r.Delivery, &rank); err != nil {
			return nil, s.fail(err)
		}
		if n := len(list); n > 0 && list[n-1].AddressID == r.AddressID {
			continue // a less specific subscription of the same address
		}
		list = append(list, r)
	}
	return list, s.fail(rows.Err())
}

// AddDigestItem keeps a comment for the digest of a delivery that is due at dueAt.
func (s *Store) AddDigestItem(ctx context.Context, r Recipient, commentID int64, dueAt time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO digest_items (subscription_id, comment_id, address_id, delivery, due_at, created_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (subscription_id, comment_id) DO NOTHING`),
			r.SubscriptionID, commentID, r.AddressID, r.Delivery, millis(dueAt), millis(s.now()))
		return err
	})
}

// DueDigest is an address whose digest of one delivery is due.
type DueDigest struct {
	AddressID int64
	Delivery  parley.Delivery
}

// DueDigests lists the digests that are due: only addresses with something
// pending are ever looked at.
func (s *Store) DueDigests(ctx context.Context, limit int) ([]DueDigest, error) {
	now := millis(s.now())
	rows, err := s.query(ctx, `SELECT address_id, delivery FROM digest_items WHERE due_at <= ?
		UNION SELECT address_id, delivery FROM digest_answers WHERE due_at <= ? ORDER BY 1 LIMIT ?`, now, now, limit)
	if err != nil {
		return nil, s.fail(err)
	}
	defer rows.Close()
	var list []DueDigest
	for rows.Next() {
		var d DueDigest
		if err := rows.Scan(&d.AddressID, &d.Delivery); err != nil {
			return nil, s.fail(err)
		}
		list = append(list, d)
	}
	return list, s.fail(rows.Err())
}

// DigestItem is a comment, or an expert's answer, waiting in a digest.
type DigestItem struct {
	SubscriptionID int64
	Comment        *parley.Comment
	DebateSlug     string
	DebateTitle    string
	// Answer, when set, is the item: an answer to Comment.
	Answer *parley.Answer
}

// AddDigestAnswer keeps a published answer for the digest of a delivery
// that is due at dueAt.
func (s *Store) AddDigestAnswer(ctx context.Context, r Recipient, answerID int64, dueAt time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO digest_answers (subscription_id, answer_id, address_id, delivery, due_at, created_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (subscription_id, answer_id) DO NOTHING`),
			r.SubscriptionID, answerID, r.AddressID, r.Delivery, millis(dueAt), millis(s.now()))
		return err
	})
}

// takeDigestAnswers removes the due answers of an address's digest and
// returns those still published, of live subscriptions.
func (s *Store) takeDigestAnswers(ctx context.Context, tx *sql.Tx, addressID int64, d parley.Delivery) ([]DigestItem, error) {
	rows, err := tx.QueryContext(ctx, s.q(`DELETE FROM digest_answers WHERE address_id = ? AND delivery = ? AND due_at <= ?
		RETURNING subscription_id, answer_id`), addressID, d, millis(s.now()))
	if err != nil {
		return nil, err
	}
	type taken struct{ sub, answer int64 }
	var list []taken
	for rows.Next() {
		var t taken
		if err := rows.Scan(&t.sub, &t.answer); err != nil {
			rows.Close()
			return nil, err
		}
		list = append(list, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var items []DigestItem
	for _, t := range list {
		it := DigestItem{SubscriptionID: t.sub, Answer: &parley.Answer{Expert: &parley.Expert{}}}
		a, e := it.Answer, it.Answer.Expert
		var live int
		c, err := scanComment(tx.QueryRowContext(ctx, s.q(`SELECT a.id, a.question_id, a.expert_id, a.lead_in, a.body_md, a.body_html,
			e.name, e.title, d.slug, d.title,
			(SELECT COUNT(*) FROM subscriptions s WHERE s.id = ? AND s.ended_at IS NULL AND s.confirmed_at IS NOT NULL), `+commentCols+`
			FROM answers a JOIN experts e ON e.id = a.expert_id JOIN questions q ON q.id = a.question_id
			JOIN comments c ON c.id = q.comment_id JOIN debates d ON d.id = c.debate_id
			WHERE a.id = ? AND a.status = 'published' AND c.status = 'approved' AND c.deleted_at IS NULL`), t.sub, t.answer),
			&a.ID, &a.QuestionID, &a.ExpertID, &a.LeadIn, &a.BodyMD, &a.BodyHTML, &e.Name, &e.Title, &it.DebateSlug, &it.DebateTitle, &live)
		if err == sql.ErrNoRows {
			continue // unpublished since
		} else if err != nil {
			return nil, err
		}
		if live == 1 {
			it.Comment, a.CommentID = c, c.ID
			items = append(items, it)
		}
	}
	return items, nil
}

// TakeDigest removes the due items of an address's digest of one delivery
// in one statement (so two takers never both get an item, and an item
// added meanwhile waits for the next digest) and returns those still worth
// sending: of live subscriptions, about comments still shown, oldest first.
// Inside Atomically, the removal commits with the mail that carries them.
func (s *Store) TakeDigest(ctx context.Context, addressID int64, d parley.Delivery) ([]DigestItem, error) {
	var items []DigestItem
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, s.q(`DELETE FROM digest_items WHERE address_id = ? AND delivery = ? AND due_at <= ?
			RETURNING subscription_id, comment_id`), addressID, d, millis(s.now()))
		if err != nil {
			return err
		}
		taken := map[int64]int64{} // comment → subscription
		for rows.Next() {
			var sub, comment int64
			if err := rows.Scan(&sub, &comment); err != nil {
				rows.Close()
				return err
			}
			taken[comment] = sub
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		answers, err := s.takeDigestAnswers(ctx, tx, addressID, d)
		if err != nil {
			return err
		}
		defer func() { items = append(items, answers...) }()
		if len(taken) == 0 {
			return nil
		}
		args := make([]any, 0, len(taken))
		for comment := range taken {
			args = append(args, comment)
		}
		rows, err = tx.QueryContext(ctx, s.q(`SELECT s.id, d.slug, d.title, `+commentCols+`
			FROM comments c JOIN debates d ON d.id = c.debate_id
			JOIN subscriptions s ON s.address_id = ? AND s.ended_at IS NULL AND s.confirmed_at IS NOT NULL
			WHERE c.id IN (`+placeholders(len(args))+`) AND c.status = 'approved' AND c.deleted_at IS NULL ORDER BY c.id`),
			append([]any{addressID}, args...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var it DigestItem
			if it.Comment, err = scanComment(rows, &it.SubscriptionID, &it.DebateSlug, &it.DebateTitle); err != nil {
				return err
			}
			if taken[it.Comment.ID] == it.SubscriptionID {
				items = append(items, it)
			}
		}
		return rows.Err()
	})
	return items, err
}

// AnswerNotificationWanted is NotificationWanted for a published answer.
func (s *Store) AnswerNotificationWanted(ctx context.Context, subscriptionID, answerID int64) (bool, error) {
	var n int
	err := s.queryRow(ctx, `SELECT COUNT(*) FROM subscriptions s JOIN addresses a ON a.id = s.address_id, answers x
		WHERE s.id = ? AND s.ended_at IS NULL AND s.confirmed_at IS NOT NULL AND a.suppressed_at IS NULL
			AND x.id = ? AND x.status = 'published'`, subscriptionID, answerID).Scan(&n)
	return n == 1, s.fail(err)
}

// NotificationWanted reports whether a notification queued earlier should
// still go out: its subscription live and confirmed, its address not
// stopped, its comment still shown.
func (s *Store) NotificationWanted(ctx context.Context, subscriptionID, commentID int64) (bool, error) {
	var n int
	err := s.queryRow(ctx, `SELECT COUNT(*) FROM subscriptions s JOIN addresses a ON a.id = s.address_id, comments c
		WHERE s.id = ? AND s.ended_at IS NULL AND s.confirmed_at IS NOT NULL AND a.suppressed_at IS NULL
			AND c.id = ? AND c.status = 'approved' AND c.deleted_at IS NULL`, subscriptionID, commentID).Scan(&n)
	return n == 1, s.fail(err)
}

// Clock is the store's time, which tests may move.
func (s *Store) Clock() time.Time { return s.now() }

// DebateAuthors maps each name that signs an approved comment in the debate
// to the latest such comment, for finding "@Name" mentions.
func (s *Store) DebateAuthors(ctx context.Context, debateID int64) (map[string]int64, error) {
	rows, err := s.query(ctx, `SELECT author_name, MAX(id) FROM comments
		WHERE debate_id = ? AND status = 'approved' AND deleted_at IS NULL GROUP BY author_name`, debateID)
	if err != nil {
		return nil, s.fail(err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var name string
		var id int64
		if err := rows.Scan(&name, &id); err != nil {
			return nil, s.fail(err)
		}
		out[name] = id
	}
	return out, s.fail(rows.Err())
}

// SuppressedAddresses lists the addresses that get no mail for a reason
// ("bounced" or "unsubscribed"), most recent first.
func (s *Store) SuppressedAddresses(ctx context.Context, why string, limit int) ([]*parley.Address, error) {
	list, err := scanRows(scanAddress)(s.query(ctx, `SELECT `+addressCols+` FROM addresses a
		WHERE a.suppressed_why = ? ORDER BY a.suppressed_at DESC, a.id DESC LIMIT ?`, why, limit))
	return list, s.fail(err)
}
