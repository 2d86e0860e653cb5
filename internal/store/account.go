package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/parley-org/parley"
)

const userCols = `u.id, u.email, u.name, u.role, u.password_hash, u.email_verified_at, u.created_at, u.language`

// scanUser reads a user and the stored password hash.
func scanUser(row interface{ Scan(...any) error }) (*parley.User, string, error) {
	var u parley.User
	var hash string
	var verified sql.NullInt64
	var created int64
	if err := row.Scan(&u.ID, &u.Email, &u.Name, &u.Role, &hash, &verified, &created, &u.Language); err != nil {
		if err == sql.ErrNoRows {
			return nil, "", parley.Errorf(parley.ENOTFOUND, "There is no such account.")
		}
		return nil, "", err
	}
	u.HasPassword = hash != ""
	u.EmailVerifiedAt, u.CreatedAt = fromNullMillis(verified), fromMillis(created)
	return &u, hash, nil
}

// CreateUser stores a new account; passwordHash may be empty for an account
// that signs in by emailed links. An address already taken is ECONFLICT.
func (s *Store) CreateUser(ctx context.Context, u *parley.User, passwordHash string) error {
	now := s.now()
	if !u.Role.Valid() {
		u.Role = parley.RoleParticipant
	}
	u.Email = parley.NormalizeEmail(u.Email)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		// ON CONFLICT rather than a unique violation, which would abort an
		// enclosing PostgreSQL transaction.
		err := tx.QueryRowContext(ctx, s.q(`INSERT INTO users (email, name, password_hash, role, email_verified_at, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (email) DO NOTHING RETURNING id`),
			u.Email, u.Name, passwordHash, u.Role, nullMillis(u.EmailVerifiedAt), millis(now), millis(now)).Scan(&u.ID)
		if err == sql.ErrNoRows {
			return parley.Errorf(parley.ECONFLICT, "There is already an account with this address.")
		}
		return err
	})
	u.CreatedAt, u.HasPassword = now, passwordHash != ""
	return err
}

// UserByEmail returns an account and its password hash.
func (s *Store) UserByEmail(ctx context.Context, email string) (*parley.User, string, error) {
	u, hash, err := scanUser(s.queryRow(ctx, `SELECT `+userCols+` FROM users u WHERE u.email = ?`, parley.NormalizeEmail(email)))
	return u, hash, s.fail(err)
}

// User returns an account.
func (s *Store) User(ctx context.Context, id int64) (*parley.User, error) {
	u, _, err := scanUser(s.queryRow(ctx, `SELECT `+userCols+` FROM users u WHERE u.id = ?`, id))
	return u, s.fail(err)
}

// UserFilter selects accounts for the admins' list.
type UserFilter struct {
	// Query matches the start of an address or a name.
	Query  string
	Offset int
	Limit  int
}

// Users lists accounts, newest first, with the total that match.
func (s *Store) Users(ctx context.Context, f UserFilter) ([]*parley.User, int, error) {
	cond, args := "", []any{}
	if q := strings.ToLower(strings.TrimSpace(f.Query)); q != "" {
		// Escape LIKE's wildcards so that a search for "a_b" finds just that.
		q = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(q)
		cond = ` WHERE u.email LIKE ? ESCAPE '\' OR LOWER(u.name) LIKE ? ESCAPE '\'`
		args = append(args, q+"%", q+"%")
	}
	var total int
	if err := s.read.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM users u`+cond), args...).Scan(&total); err != nil {
		return nil, 0, s.fail(err)
	}
	limit := f.Limit
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	rows, err := s.read.QueryContext(ctx, s.q(`SELECT `+userCols+` FROM users u`+cond+` ORDER BY u.id DESC LIMIT ? OFFSET ?`),
		append(args, limit, max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, s.fail(err)
	}
	defer rows.Close()
	var list []*parley.User
	for rows.Next() {
		u, _, err := scanUser(rows)
		if err != nil {
			return nil, 0, s.fail(err)
		}
		list = append(list, u)
	}
	return list, total, s.fail(rows.Err())
}

// SetRole changes an account's role.
func (s *Store) SetRole(ctx context.Context, userID int64, role parley.Role) error {
	if !role.Valid() {
		return parley.Errorf(parley.EINVALID, "Unknown role \"%s\".", role)
	}
	return s.updateUser(ctx, userID, `role = ?`, role)
}

// SetPassword replaces an account's password hash.
func (s *Store) SetPassword(ctx context.Context, userID int64, hash string) error {
	return s.updateUser(ctx, userID, `password_hash = ?`, hash)
}

// MarkVerified records that the account's owner proved they read its address.
func (s *Store) MarkVerified(ctx context.Context, userID int64) error {
	return s.updateUser(ctx, userID, `email_verified_at = COALESCE(email_verified_at, ?)`, millis(s.now()))
}

// SetUserLanguage remembers the interface language an account chose.
func (s *Store) SetUserLanguage(ctx context.Context, userID int64, code string) error {
	return s.updateUser(ctx, userID, `language = ?`, code)
}

func (s *Store) updateUser(ctx context.Context, userID int64, set string, arg any) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE users SET `+set+`, updated_at = ? WHERE id = ?`), arg, millis(s.now()), userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return parley.Errorf(parley.ENOTFOUND, "There is no such account.")
		}
		return nil
	})
}

// Sessions.

// SessionLifetime is how long a session lasts without use; each use extends it.
const SessionLifetime = 30 * 24 * time.Hour

// sessionTouch is how stale a session's last use may be recorded, so that
// reading pages does not write on every request.
const sessionTouch = time.Hour

// CreateSession starts a session for the holder of the token whose hash is given.
func (s *Store) CreateSession(ctx context.Context, userID int64, tokenHash string) error {
	now := s.now()
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at)
			VALUES (?, ?, ?, ?, ?)`), tokenHash, userID, millis(now), millis(now), millis(now.Add(SessionLifetime)))
		return err
	})
}

// SessionUser returns the account of a live session. A session in use is
// extended (at most once an hour); extended says so, for the cookie to be
// extended with it.
func (s *Store) SessionUser(ctx context.Context, tokenHash string) (u *parley.User, extended bool, err error) {
	var lastSeen, expires int64
	u, _, err = scanUser(rowWith{row: s.queryRow(ctx, `SELECT `+userCols+`, s.last_seen_at, s.expires_at
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?`, tokenHash)}.with(&lastSeen, &expires))
	if err != nil {
		return nil, false, s.fail(err)
	}
	now := s.now()
	if millis(now) >= expires {
		return nil, false, parley.Errorf(parley.ENOTFOUND, "The session has ended.")
	}
	if now.Sub(fromMillis(lastSeen)) <= sessionTouch {
		return u, false, nil
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE token_hash = ?`),
			millis(now), millis(now.Add(SessionLifetime)), tokenHash)
		return err
	})
	return u, err == nil, err
}

// rowWith lets scanUser read a user followed by more columns.
type rowWith struct {
	row   *sql.Row
	extra []any
}

func (r rowWith) with(extra ...any) rowWith { r.extra = extra; return r }

func (r rowWith) Scan(dest ...any) error { return r.row.Scan(append(dest, r.extra...)...) }

// DeleteSession ends one session (signing out).
func (s *Store) DeleteSession(ctx context.Context, tokenHash string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`DELETE FROM sessions WHERE token_hash = ?`), tokenHash)
		return err
	})
}

// DeleteSessions ends every session of an account (sign out everywhere, a
// new password), except the one whose hash is keep, if any.
func (s *Store) DeleteSessions(ctx context.Context, userID int64, keep string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?`), userID, keep)
		return err
	})
}

// Emailed links.

// LinkPurpose is what an emailed link does.
type LinkPurpose string

const (
	LinkVerify LinkPurpose = "verify" // confirms an address
	LinkReset  LinkPurpose = "reset"  // sets a new password
	LinkSignIn LinkPurpose = "signin" // signs in without a password
)

// NewLink is an emailed link to store.
type NewLink struct {
	Purpose   LinkPurpose
	UserID    int64
	TokenHash string
	TTL       time.Duration
	// PasswordHash, for a verification link, becomes the account's password
	// when the link is used.
	PasswordHash string
}

// CreateLink stores the hash of an emailed link's token.
func (s *Store) CreateLink(ctx context.Context, l NewLink) error {
	now := s.now()
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO email_tokens (token_hash, purpose, user_id, password_hash, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?)`), l.TokenHash, l.Purpose, l.UserID, l.PasswordHash, millis(now), millis(now.Add(l.TTL)))
		return err
	})
}

// Why a link does not work.
const (
	LinkUnknown = "unknown" // never issued, mistyped or tampered with
	LinkExpired = "expired"
	LinkUsed    = "used"
)

// LinkError says why an emailed link cannot be used.
type LinkError struct {
	Reason string
}

func (e *LinkError) Error() string {
	switch e.Reason {
	case LinkExpired:
		return "This link has expired."
	case LinkUsed:
		return "This link has already been used."
	}
	return "This link is not valid. It may have been copied incompletely."
}

// CheckLink returns the account an unused, unexpired link is for, without using it up.
func (s *Store) CheckLink(ctx context.Context, purpose LinkPurpose, tokenHash string) (*parley.User, error) {
	return s.link(ctx, nil, purpose, tokenHash)
}

// UseLink uses up a link and returns its account, with the password chosen
// with it if any. Using it also uses up every other link of the same
// purpose sent to the account. A link is used once, however many requests
// race for it.
func (s *Store) UseLink(ctx context.Context, purpose LinkPurpose, tokenHash string) (*parley.User, string, error) {
	var u *parley.User
	var password string
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		now := millis(s.now())
		var userID int64
		err := tx.QueryRowContext(ctx, s.q(`UPDATE email_tokens SET used_at = ?
			WHERE token_hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ? RETURNING user_id, password_hash`),
			now, tokenHash, purpose, now).Scan(&userID, &password)
		if err == sql.ErrNoRows {
			_, err = s.link(ctx, tx, purpose, tokenHash) // says why
			if err == nil {
				err = &LinkError{Reason: LinkUsed}
			}
			return err
		} else if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE email_tokens SET used_at = ? WHERE user_id = ? AND purpose = ? AND used_at IS NULL`),
			now, userID, purpose); err != nil {
			return err
		}
		u, _, err = scanUser(tx.QueryRowContext(ctx, s.q(`SELECT `+userCols+` FROM users u WHERE u.id = ?`), userID))
		return err
	})
	return u, password, err
}

func (s *Store) link(ctx context.Context, tx *sql.Tx, purpose LinkPurpose, tokenHash string) (*parley.User, error) {
	query := `SELECT ` + userCols + `, t.expires_at, t.used_at FROM email_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.token_hash = ? AND t.purpose = ?`
	var row *sql.Row
	if tx != nil {
		row = tx.QueryRowContext(ctx, s.q(query), tokenHash, purpose)
	} else {
		row = s.queryRow(ctx, query, tokenHash, purpose)
	}
	var expires int64
	var used sql.NullInt64
	u, _, err := scanUser(rowWith{row: row}.with(&expires, &used))
	switch {
	case parley.ErrorCode(err) == parley.ENOTFOUND:
		return nil, &LinkError{Reason: LinkUnknown}
	case err != nil:
		return nil, s.fail(err)
	case used.Valid:
		return nil, &LinkError{Reason: LinkUsed}
	case millis(s.now()) >= expires:
		return nil, &LinkError{Reason: LinkExpired}
	}
	return u, nil
}

// RecentLinks counts the links of a purpose sent to an account since a time,
// to bound how much mail one address receives.
func (s *Store) RecentLinks(ctx context.Context, userID int64, purpose LinkPurpose, since time.Time) (int, error) {
	var n int
	err := s.queryRow(ctx, `SELECT COUNT(*) FROM email_tokens WHERE user_id = ? AND purpose = ? AND created_at >= ?`,
		userID, purpose, millis(since)).Scan(&n)
	return n, s.fail(err)
}

// Failed sign-ins.

// SignInFailures returns how often sign-in failed for a key (an address or a
// client network) and when it last did.
func (s *Store) SignInFailures(ctx context.Context, key string) (int, time.Time, error) {
	var n int
	var last int64
	err := s.queryRow(ctx, `SELECT failures, last_at FROM sign_in_failures WHERE key = ?`, key).Scan(&n, &last)
	if err == sql.ErrNoRows {
		return 0, time.Time{}, nil
	}
	return n, fromMillis(last), s.fail(err)
}

// RecordSignInFailure counts a failed sign-in for each key. Failures older
// than a day are forgotten.
func (s *Store) RecordSignInFailure(ctx context.Context, keys ...string) error {
	now := millis(s.now())
	dayAgo := now - int64(24*time.Hour/time.Millisecond)
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for _, k := range keys {
			_, err := tx.ExecContext(ctx, s.q(`INSERT INTO sign_in_failures (key, failures, last_at) VALUES (?, 1, ?)
				ON CONFLICT (key) DO UPDATE SET failures = CASE WHEN sign_in_failures.last_at < ? THEN 1
					ELSE sign_in_failures.failures + 1 END, last_at = excluded.last_at`), k, now, dayAgo)
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// ClearSignInFailures forgets the failures of a key after a good sign-in.
func (s *Store) ClearSignInFailures(ctx context.Context, key string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`DELETE FROM sign_in_failures WHERE key = ?`), key)
		return err
	})
}

// API tokens.

// APIToken is a token an editor made for a program to use the API as them.
type APIToken struct {
	ID         int64
	UserID     int64
	Name       string
	Prefix     string
	CreatedAt  time.Time
	LastUsedAt time.Time
	RevokedAt  time.Time
}

// CreateAPIToken stores the hash of a new API token.
func (s *Store) CreateAPIToken(ctx context.Context, t *APIToken, tokenHash string) error {
	now := s.now()
	t.CreatedAt = now
	return s.inTx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, s.q(`INSERT INTO api_tokens (user_id, name, token_hash, prefix, created_at)
			VALUES (?, ?, ?, ?, ?) RETURNING id`), t.UserID, t.Name, tokenHash, t.Prefix, millis(now)).Scan(&t.ID)
	})
}

// APITokens lists an account's tokens, newest first.
func (s *Store) APITokens(ctx context.Context, userID int64) ([]*APIToken, error) {
	rows, err := s.query(ctx, `SELECT id, user_id, name, prefix, created_at, last_used_at, revoked_at
		FROM api_tokens WHERE user_id = ? ORDER BY id DESC`, userID)
	if err != nil {
		return nil, s.fail(err)
	}
	defer rows.Close()
	var list []*APIToken
	for rows.Next() {
		t := &APIToken{}
		var created int64
		var used, revoked sql.NullInt64
		if err := rows.Scan(&t.ID, &t.UserID, &t.Name, &t.Prefix, &created, &used, &revoked); err != nil {
			return nil, s.fail(err)
		}
		t.CreatedAt, t.LastUsedAt, t.RevokedAt = fromMillis(created), fromNullMillis(used), fromNullMillis(revoked)
		list = append(list, t)
	}
	return list, s.fail(rows.Err())
}

// RevokeAPIToken revokes one of an account's tokens.
func (s *Store) RevokeAPIToken(ctx context.Context, userID, id int64) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ? AND user_id = ?`),
			millis(s.now()), id, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return parley.Errorf(parley.ENOTFOUND, "There is no such token.")
		}
		return nil
	})
}

// APITokenUser returns the account a live API token acts for.
func (s *Store) APITokenUser(ctx context.Context, tokenHash string) (*parley.User, error) {
	var id int64
	var used, revoked sql.NullInt64
	u, _, err := scanUser(rowWith{row: s.queryRow(ctx, `SELECT `+userCols+`, t.id, t.last_used_at, t.revoked_at
		FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?`, tokenHash)}.with(&id, &used, &revoked))
	if err != nil {
		return nil, s.fail(err)
	}
	if revoked.Valid {
		return nil, parley.Errorf(parley.ENOTFOUND, "This token has been revoked.")
	}
	now := s.now()
	if !used.Valid || now.Sub(fromMillis(used.Int64)) > sessionTouch {
		err := s.inTx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, s.q(`UPDATE api_tokens SET last_used_at = ? WHERE id = ?`), millis(now), id)
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	return u, nil
}

// PurgeExpired deletes what no longer serves: ended sessions, links a day
// past their expiry (until then they can still say they expired), failed
// sign-ins a day old and jobs done a month ago. It returns how many rows went.
func (s *Store) PurgeExpired(ctx context.Context) (int64, error) {
	now := millis(s.now())
	dayAgo := now - int64(24*time.Hour/time.Millisecond)
	var n int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for _, q := range []struct {
			sql string
			arg int64
		}{
			{`DELETE FROM sessions WHERE expires_at < ?`, now},
			{`DELETE FROM email_tokens WHERE expires_at < ?`, dayAgo},
			{`DELETE FROM sign_in_failures WHERE last_at < ?`, dayAgo},
			// A stamp is no longer accepted after a day, so its uses need not be kept.
			{`DELETE FROM form_stamp_uses WHERE last_at < ?`, dayAgo - int64(time.Hour/time.Millisecond)},
			// Finished jobs are kept a month, so that a mail or a fan-out queued
			// again soon after (a retried request) still finds its key.
			{`DELETE FROM jobs WHERE done_at < ?`, now - int64(30*24*time.Hour/time.Millisecond)},
		} {
			res, err := tx.ExecContext(ctx, s.q(q.sql), q.arg)
			if err != nil {
				return err
			}
			k, _ := res.RowsAffected()
			n += k
		}
		return nil
	})
	return n, err
}

// UsersWithRole lists the accounts with a role, oldest first.
func (s *Store) UsersWithRole(ctx context.Context, role parley.Role) ([]*parley.User, error) {
	rows, err := s.query(ctx, `SELECT `+userCols+` FROM users u WHERE u.role = ? ORDER BY u.id LIMIT 50`, role)
	if err != nil {
		return nil, s.fail(err)
	}
	defer rows.Close()
	var list []*parley.User
	for rows.Next() {
		u, _, err := scanUser(rows)
		if err != nil {
			return nil, s.fail(err)
		}
		list = append(list, u)
	}
	return list, s.fail(rows.Err())
}
