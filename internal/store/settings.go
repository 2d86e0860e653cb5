package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
)

// Secret returns the site secret with this name, creating a random one the
// first time. Every node that shares the database shares its secrets, so
// signed cookies and links work on all of them.
func (s *Store) Secret(ctx context.Context, name string) ([]byte, error) {
	var value string
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, s.q(`SELECT value FROM settings WHERE name = ?`), "secret:"+name).Scan(&value)
		if err != sql.ErrNoRows {
			return err
		}
		value = hex.EncodeToString(randomBytes(32))
		_, err = tx.ExecContext(ctx, s.q(`INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`), "secret:"+name, value)
		if err != nil {
			return err
		}
		// Another node may have won the race; read back what is stored.
		return tx.QueryRowContext(ctx, s.q(`SELECT value FROM settings WHERE name = ?`), "secret:"+name).Scan(&value)
	})
	if err != nil {
		return nil, err
	}
	return hex.DecodeString(value)
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b) // never fails on supported platforms
	return b
}
