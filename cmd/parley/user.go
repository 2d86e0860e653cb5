package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/auth"
	"github.com/parley-org/parley/internal/store"
)

// signInLinkTTL is how long the link printed by "user create" works: long
// enough to reach a browser, short enough not to linger in a terminal's
// scrollback as a way in.
const signInLinkTTL = 24 * time.Hour

// createUser creates an account with a role, or gives an existing account
// the role, and prints a one-time sign-in link for it. The first admin of a
// new site is made this way.
func createUser(ctx context.Context, e *env, args []string) error {
	o, fs, err := parse(e, "user create", args)
	if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("user create takes options only, got %q", fs.Args())
	}
	role := parley.Role(o.role)
	if !role.Valid() {
		return fmt.Errorf("--role %q: choose participant, expert, moderator, editor or admin", o.role)
	}
	name := o.name
	if name == "" {
		name, _, _ = strings.Cut(o.email, "@")
	}
	name, email, err := parley.ValidateAccount(name, o.email)
	if err != nil {
		return errors.New(describe(err))
	}
	baseURL := strings.TrimRight(o.baseURL, "/")
	if baseURL == "" {
		// Where serve listens by default, named as serve names it.
		addr := e.getenv("PARLEY_ADDR")
		if addr == "" {
			addr = defaultAddr
		}
		baseURL = "http://" + displayAddr(addr, addr)
	}
	st, err := openStore(ctx, o)
	if err != nil {
		return err
	}
	defer st.Close()

	var u *parley.User
	var created bool
	token, hash := auth.NewToken()
	err = st.Atomically(ctx, func(ctx context.Context) error {
		var err error
		u, _, err = st.UserByEmail(ctx, email)
		switch {
		case parley.ErrorCode(err) == parley.ENOTFOUND:
			// The address is proved by the link: whoever opens it reads its mail
			// or the operator's terminal.
			u = &parley.User{Email: email, Name: name, Role: role, EmailVerifiedAt: time.Now()}
			if err := st.CreateUser(ctx, u, ""); err != nil {
				return err
			}
			created = true
		case err != nil:
			return err
		default:
			if err := st.SetRole(ctx, u.ID, role); err != nil {
				return err
			}
		}
		return st.CreateLink(ctx, store.NewLink{Purpose: store.LinkSignIn, UserID: u.ID, TokenHash: hash, TTL: signInLinkTTL})
	})
	if err != nil {
		return errors.New(describe(err))
	}
	done := "Gave the existing account %s the role %s.\n"
	if created {
		done = "Created the account %s with the role %s.\n"
	}
	fmt.Fprintf(e.stdout, done, email, role)
	fmt.Fprintf(e.stdout, "Sign in once with this link (it works for 24 hours):\n%s/links/signin/%s\n", baseURL, token)
	return nil
}
