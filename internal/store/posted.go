package store

import (
	"context"
	"database/sql"
	"strings"

	"github.com/parley-org/parley"
)

// HoldReasons returns why a comment waits for a moderator, as screening
// recorded it: for telling its author, in plain words, what may be told.
func (s *Store) HoldReasons(ctx context.Context, commentID int64) ([]string, error) {
	var reasons string
	err := s.read.QueryRowContext(ctx, s.q(`SELECT hold_reasons FROM comments WHERE id = ?`), commentID).Scan(&reasons)
	if err == sql.ErrNoRows {
		return nil, parley.Errorf(parley.ENOTFOUND, "There is no such comment.")
	}
	if err != nil || reasons == "" {
		return nil, s.fail(err)
	}
	return strings.Split(reasons, "\n"), nil
}
