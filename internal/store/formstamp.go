package store

import (
	"context"
	"database/sql"
)

// UseFormStamp counts one more comment posted with a form stamp from a
// network (key is a keyed hash of both) and returns how many that makes.
func (s *Store) UseFormStamp(ctx context.Context, key string) (int, error) {
	var uses int
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, s.q(`INSERT INTO form_stamp_uses (key, uses, last_at) VALUES (?, 1, ?)
			ON CONFLICT (key) DO UPDATE SET uses = form_stamp_uses.uses + 1, last_at = excluded.last_at
			RETURNING uses`), key, millis(s.now())).Scan(&uses)
	})
	return uses, s.fail(err)
}
