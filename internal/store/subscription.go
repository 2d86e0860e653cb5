package store

import (
	"context"
	"database/sql"
	"slices"
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

// announceComment queues the notification of an approved comment.
func (s *Store) announceComment(ctx context.Context, tx *sql.Tx, commentID int64) error {
	now := millis(s.now())
	return s.txExec(ctx, tx, sqlAnnounceComment, CommentJob, strconv.FormatInt(commentID, 10), now, now)
}

const addressCols = `a.id, a.email, a.language, a.confirmed_at, a.confirm_sent_at, a.suppressed_at, a.suppressed_why`

func scanAddress(row interface{ Scan(...any) error }) (*parley.Address, error) {
	a := &parley.Address{}
	var confirmed, sent, suppressed sql.NullInt64
	if err := row.Scan(&a.ID, &a.Email, &a.Language, &confirmed, &sent, &suppressed, &a.SuppressedWhy); err != nil {
		if err == sql.ErrNoRows {
			return nil, parley.Errorf(parley.ENOTFOUND, "There is no such address.")
		}
		return nil, err
	}
	a.ConfirmedAt, a.ConfirmSentAt, a.SuppressedAt = fromNullMillis(confirmed), fromNullMillis(sent), fromNullMillis(suppressed)
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
	// Proven says the address is already proven (a confirmed account's), so
	// it needs no double opt-in, and is no longer suppressed.
	Proven bool
}

// Subscribe starts (or restarts) a subscription and returns it with its
// address, whose state says whether a confirmation is needed.
func (s *Store) Subscribe(ctx context.Context, n NewSubscription) (*parley.Subscription, *parley.Address, error) {
	now := millis(s.now())
	email := parley.NormalizeEmail(n.Email)
	sub := &parley.Subscription{DebateID: n.DebateID, Scope: n.Scope, CommentID: n.CommentID, Delivery: n.Delivery}
	var addr *parley.Address
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO addresses (email, created_at) VALUES (?, ?) ON CONFLICT (email) DO NOTHING`), email, now); err != nil {
			return err
		}
		if n.Proven {
			if _, err := tx.ExecContext(ctx, s.q(`UPDATE addresses SET confirmed_at = COALESCE(confirmed_at, ?), suppressed_at = NULL,
				suppressed_why = '' WHERE email = ?`), now, email); err != nil {
				return err
			}
		}
		var err error
		if addr, err = scanAddress(tx.QueryRowContext(ctx, s.q(`SELECT `+addressCols+` FROM addresses a WHERE a.email = ?`), email)); err != nil {
			return err
		}
		sub.AddressID = addr.ID
		return tx.QueryRowContext(ctx, s.q(`INSERT INTO subscriptions (address_id, debate_id, scope, comment_id, delivery, created_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (address_id, debate_id, scope, comment_id)
			DO UPDATE SET delivery = excluded.delivery, ended_at = NULL RETURNING id, created_at`),
			addr.ID, n.DebateID, n.Scope, n.CommentID, n.Delivery, now).Scan(&sub.ID, &now)
	})
	if err != nil {
		return nil, nil, err
	}
	sub.CreatedAt = fromMillis(now)
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

// ConfirmAddress records the owner's consent: the address receives the
// mail of its subscriptions, even after it had unsubscribed or bounced.
func (s *Store) ConfirmAddress(ctx context.Context, addressID int64) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE addresses SET confirmed_at = ?, suppressed_at = NULL, suppressed_why = '' WHERE id = ?`),
			millis(s.now()), addressID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return parley.Errorf(parley.ENOTFOUND, "There is no such address.")
		}
		return nil
	})
}

// SuppressAddress stops all mail to an address (why: "unsubscribed" or
// "bounced") until it confirms again. Unsubscribing from everything also
// ends every subscription.
func (s *Store) SuppressAddress(ctx context.Context, email, why string) error {
	now := millis(s.now())
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var id int64
		err := tx.QueryRowContext(ctx, s.q(`UPDATE addresses SET suppressed_at = ?, suppressed_why = ?, confirmed_at = NULL
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

const subscriptionCols = `s.id, s.address_id, s.debate_id, s.scope, s.comment_id, s.delivery, s.created_at, s.ended_at, d.slug, d.title`

func scanSubscription(row interface{ Scan(...any) error }) (*parley.Subscription, error) {
	sub := &parley.Subscription{}
	var created int64
	var ended sql.NullInt64
	if err := row.Scan(&sub.ID, &sub.AddressID, &sub.DebateID, &sub.Scope, &sub.CommentID, &sub.Delivery, &created, &ended,
		&sub.DebateSlug, &sub.DebateTitle); err != nil {
		if err == sql.ErrNoRows {
			return nil, parley.Errorf(parley.ENOTFOUND, "There is no such subscription.")
		}
		return nil, err
	}
	sub.CreatedAt, sub.EndedAt = fromMillis(created), fromNullMillis(ended)
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
	args := []any{c.DebateID, c.RootID, c.ReplyToID}
	mentions := ""
	if len(mentioned) > 0 {
		mentions = ` OR (s.scope = 'replies' AND a.email IN (` + placeholders(len(mentioned)) + `))`
		for _, e := range mentioned {
			args = append(args, parley.NormalizeEmail(e))
		}
	}
	args = append(args, parley.NormalizeEmail(c.AuthorEmail), after, limit)
	rows, err := s.read.QueryContext(ctx, s.q(`SELECT a.id, a.email, a.language, s.id, s.scope, s.comment_id, s.delivery
		FROM subscriptions s JOIN addresses a ON a.id = s.address_id
		WHERE s.ended_at IS NULL AND a.confirmed_at IS NOT NULL AND a.suppressed_at IS NULL AND s.debate_id = ?
			AND ((s.scope = 'debate' AND s.comment_id = 0) OR (s.scope = 'thread' AND s.comment_id = ?)
				OR (s.scope = 'replies' AND s.comment_id = ?)`+mentions+`)
			AND a.email <> ? AND a.id > ?
		ORDER BY a.id, CASE s.scope WHEN 'replies' THEN 0 WHEN 'thread' THEN 1 ELSE 2 END LIMIT ?`), args...)
	if err != nil {
		return nil, s.fail(err)
	}
	defer rows.Close()
	var list []Recipient
	for rows.Next() {
		var r Recipient
		if err := rows.Scan(&r.AddressID, &r.Email, &r.Language, &r.SubscriptionID, &r.Scope, &r.CommentID, &r.Delivery); err != nil {
			return nil, s.fail(err)
		}
		if n := len(list); n > 0 && list[n-1].AddressID == r.AddressID {
			continue // a less specific subscription of the same address
		}
		list = append(list, r)
	}
	return list, s.fail(rows.Err())
}

// AddDigestItem keeps a comment for a digest subscriber's next digest.
func (s *Store) AddDigestItem(ctx context.Context, subscriptionID, commentID int64) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO digest_items (subscription_id, comment_id, created_at) VALUES (?, ?, ?)
			ON CONFLICT (subscription_id, comment_id) DO NOTHING`), subscriptionID, commentID, millis(s.now()))
		return err
	})
}

// DigestItem is a comment waiting in a digest.
type DigestItem struct {
	SubscriptionID int64
	Comment        *parley.Comment
	DebateSlug     string
	DebateTitle    string
}

// TakeDigest removes and returns the comments waiting for an address's
// digests of one delivery, oldest first, leaving out comments that were
// removed meanwhile. Inside Atomically, the removal commits with the mail
// that carries them.
func (s *Store) TakeDigest(ctx context.Context, addressID int64, d parley.Delivery) ([]DigestItem, error) {
	var items []DigestItem
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, s.q(`SELECT i.subscription_id, d.slug, d.title, `+commentCols+`
			FROM digest_items i JOIN subscriptions s ON s.id = i.subscription_id JOIN comments c ON c.id = i.comment_id
			JOIN debates d ON d.id = c.debate_id
			WHERE s.address_id = ? AND s.delivery = ? ORDER BY c.id`), addressID, d)
		if err != nil {
			return err
		}
		var subs []int64
		for rows.Next() {
			var it DigestItem
			if it.Comment, err = scanComment(rows, &it.SubscriptionID, &it.DebateSlug, &it.DebateTitle); err != nil {
				rows.Close()
				return err
			}
			subs = append(subs, it.SubscriptionID)
			if it.Comment.Status == parley.CommentApproved && it.Comment.DeletedAt.IsZero() {
				items = append(items, it)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, id := range slices.Compact(slices.Sorted(slices.Values(subs))) {
			if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM digest_items WHERE subscription_id = ?`), id); err != nil {
				return err
			}
		}
		return nil
	})
	return items, err
}

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
