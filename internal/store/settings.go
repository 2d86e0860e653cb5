package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/parley-org/parley"
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

// The operator's site settings live beside the secrets, one row a field
// under "site:", so a field added later needs no migration and a database
// copy moves them with the rest of the settings table.
const sitePrefix = "site:"

// siteFields names each text field of the site's settings in the table.
func siteFields(st *parley.Site) map[string]*string {
	return map[string]*string{
		"name": &st.Name, "organisation": &st.Organisation, "logo_url": &st.LogoURL,
		"intro_md": &st.IntroMD, "intro_html": &st.IntroHTML,
		"controller_name": &st.ControllerName, "controller_address": &st.ControllerAddress, "controller_email": &st.ControllerEmail,
		"dpo_name": &st.DPOName, "dpo_email": &st.DPOEmail,
		"authority_name": &st.AuthorityName, "authority_url": &st.AuthorityURL,
		"mail_provider": &st.MailProvider,
	}
}

const featuredKey = "featured_debate_id"

// Site returns the operator's site settings; a fresh site has none, and
// gets the zero Site.
func (s *Store) Site(ctx context.Context) (*parley.Site, error) {
	rows, err := s.query(ctx, `SELECT name, value FROM settings WHERE name LIKE 'site:%'`)
	if err != nil {
		return nil, s.fail(err)
	}
	defer rows.Close()
	st := &parley.Site{}
	fields := siteFields(st)
	for rows.Next() {
		var name, value string
		if err := rows.Scan(&name, &value); err != nil {
			return nil, s.fail(err)
		}
		name = strings.TrimPrefix(name, sitePrefix)
		if f, ok := fields[name]; ok {
			*f = value
		} else if name == featuredKey {
			st.FeaturedDebateID, _ = strconv.ParseInt(value, 10, 64)
		}
	}
	return st, s.fail(rows.Err())
}

// SaveSite stores every field of the site's settings. They show on every
// page, so every cached page is dropped.
func (s *Store) SaveSite(ctx context.Context, st *parley.Site) error {
	values := map[string]string{featuredKey: strconv.FormatInt(st.FeaturedDebateID, 10)}
	for name, f := range siteFields(st) {
		values[name] = *f
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		// In one order, so that two saves on PostgreSQL cannot deadlock.
		for _, name := range slices.Sorted(maps.Keys(values)) {
			_, err := tx.ExecContext(ctx, s.q(`INSERT INTO settings (name, value) VALUES (?, ?)
				ON CONFLICT (name) DO UPDATE SET value = excluded.value`), sitePrefix+name, values[name])
			if err != nil {
				return err
			}
		}
		s.announce(tx, AllDebates)
		return nil
	})
}
