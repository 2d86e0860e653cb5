package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/auth"
	"github.com/parley-org/parley/internal/store"
)

// How long each kind of emailed link works.
var linkTTL = map[store.LinkPurpose]time.Duration{
	store.LinkVerify: 48 * time.Hour,
	store.LinkReset:  time.Hour,
	store.LinkSignIn: 20 * time.Minute,
}

// maxLinksPerHour bounds the links of one kind mailed to one address in an
// hour, whoever asks for them, on every node.
const maxLinksPerHour = 3

// accountForm is a sign-up, sign-in or reset form with what was typed
// (never the password) and what is wrong with it.
type accountForm struct {
	Name     string
	Email    string
	Next     string
	Problems map[string]string
	Message  string
}

type accountPage struct {
	pageMeta
	Form accountForm
}

func (s *Server) renderAccountForm(w http.ResponseWriter, r *http.Request, page, title string, form accountForm, err error) {
	code := http.StatusOK
	if err != nil {
		code = status(err)
		if code >= 500 && code != http.StatusServiceUnavailable {
			s.log.Error("account form", "path", r.URL.Path, "err", err)
		}
		setRetryAfter(w, err)
		form.Problems = parley.ErrorFields(err)
		if len(form.Problems) == 0 {
			form.Message = parley.ErrorMessage(err)
		}
	}
	s.render(w, r, code, page, accountPage{pageMeta: s.meta(r, title), Form: form})
}

// notice shows a short page after a form did its work; title and message
// are in the reader's language already.
func (s *Server) notice(w http.ResponseWriter, r *http.Request, title, message string) {
	s.render(w, r, http.StatusOK, "notice", noticePage{pageMeta: s.meta(r, title), Message: message})
}

type noticePage struct {
	pageMeta
	Message string
}

// The answer to every request for a mailed link, whether or not the
// address has an account: the page must not tell who has one.
const linkSentMessage = "If there is an account for that address, a message with a link is on its way. It can take a minute or two to arrive; please check your spam folder too."

func (s *Server) handleSignUpForm(w http.ResponseWriter, r *http.Request) {
	s.renderAccountForm(w, r, "signup", lang(r).T("Create an account"), accountForm{Next: safeNext(r.URL.Query().Get("next"))}, nil)
}

func (s *Server) handleSignUp(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	form := accountForm{Name: r.PostForm.Get("name"), Email: r.PostForm.Get("email"), Next: safeNext(r.PostForm.Get("next"))}
	err := s.signUp(r, form.Name, form.Email, r.PostForm.Get("password"), form.Next)
	if err != nil {
		s.renderAccountForm(w, r, "signup", lang(r).T("Create an account"), form, err)
		return
	}
	s.notice(w, r, lang(r).T("Check your email"), lang(r).T("We have sent a message to %s. Open the link in it to confirm your address and finish creating your account. If you already have an account, the message says how to sign in.",
		parley.NormalizeEmail(form.Email)))
}

// signUp creates an account and mails its verification link. For an address
// that has an account already it mails that person instead, so that the
// answer is the same either way.
func (s *Server) signUp(r *http.Request, name, email, password, next string) error {
	name, email, err := parley.ValidateAccount(name, email)
	problems := parley.Problems{}
	if e, ok := err.(*parley.Error); ok {
		for f, m := range e.Fields {
			problems.Add(f, m)
		}
	}
	if err := auth.CheckNewPassword(password, email, name); err != nil {
		for f, m := range parley.ErrorFields(err) {
			problems.Add(f, m)
		}
	}
	if err := problems.Err(); err != nil {
		return err
	}
	// Only a valid sign-up counts: typing mistakes do not use up the limit.
	if ok, wait := s.limits.signUp.allow(s.clientNet(r), time.Now()); !ok {
		return rateLimited(wait, "creating accounts")
	}
	// Hash before looking the address up, so both answers take as long.
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	ctx := r.Context()
	err = s.store.Atomically(ctx, func(ctx context.Context) error {
		u := &parley.User{Email: email, Name: name, Role: parley.RoleParticipant}
		if err := s.store.CreateUser(ctx, u, hash); err != nil {
			return err
		}
		return s.mailLink(ctx, u, store.LinkVerify, next, "")
	})
	if parley.ErrorCode(err) != parley.ECONFLICT {
		return err
	}
	existing, _, err := s.store.UserByEmail(ctx, email)
	if err != nil {
		return err
	}
	return s.mailExistingAccount(ctx, existing, hash, next)
}

// mailExistingAccount answers a sign-up for an address that has an account.
// If the account is not confirmed, the password just chosen travels with the
// confirmation link: it replaces the stored one only when whoever reads the
// address's mail uses the link. Someone who signed up with another person's
// address first cannot keep the account that way.
func (s *Server) mailExistingAccount(ctx context.Context, u *parley.User, passwordHash, next string) error {
	if !u.Verified() {
		return s.mailLinkLimited(ctx, u, store.LinkVerify, next, passwordHash)
	}
	return s.mailLinkLimited(ctx, u, store.LinkSignIn, next, "")
}

// mailLinkLimited mails a link unless the address had enough of them this hour.
func (s *Server) mailLinkLimited(ctx context.Context, u *parley.User, purpose store.LinkPurpose, next, passwordHash string) error {
	n, err := s.store.RecentLinks(ctx, u.ID, purpose, time.Now().Add(-time.Hour))
	if err != nil {
		return err
	}
	if n >= maxLinksPerHour {
		s.log.Info("link not mailed: hourly limit for the address", "purpose", purpose, "user", u.ID)
		return nil
	}
	return s.store.Atomically(ctx, func(ctx context.Context) error { return s.mailLink(ctx, u, purpose, next, passwordHash) })
}

// mailLink creates a link and queues the mail that carries it, in the
// caller's transaction when there is one.
func (s *Server) mailLink(ctx context.Context, u *parley.User, purpose store.LinkPurpose, next, passwordHash string) error {
	token, hash := auth.NewToken()
	link := store.NewLink{Purpose: purpose, UserID: u.ID, TokenHash: hash, TTL: linkTTL[purpose], PasswordHash: passwordHash}
	if err := s.store.CreateLink(ctx, link); err != nil {
		return err
	}
	address := s.cfg.BaseURL + "/links/" + string(purpose) + "/" + token
	if next != "" && next != "/" {
		address += "?next=" + url.QueryEscape(next)
	}
	msg, err := s.linkMessage(requesterLang(ctx, u), u, purpose, address)
	if err != nil {
		return err
	}
	return s.outbox.Queue(ctx, "link-"+hash[:24], msg)
}

func (s *Server) handleSignInForm(w http.ResponseWriter, r *http.Request) {
	if currentUser(r) != nil {
		redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	s.renderAccountForm(w, r, "signin", lang(r).T("Sign in"), accountForm{Next: safeNext(r.URL.Query().Get("next"))}, nil)
}

func (s *Server) handleSignIn(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	form := accountForm{Email: r.PostForm.Get("email"), Next: safeNext(r.PostForm.Get("next"))}
	u, err := s.signIn(r, form.Email, r.PostForm.Get("password"))
	if err == nil {
		err = s.startSession(w, r, u)
	}
	if err != nil {
		s.renderAccountForm(w, r, "signin", lang(r).T("Sign in"), form, err)
		return
	}
	redirect(w, r, form.Next, http.StatusSeeOther)
}

// errBadCredentials is the one answer for an unknown address and a wrong
// password alike.
func errBadCredentials() error {
	return parley.Errorf(parley.EUNAUTHORIZED, "That email address and password do not match an account. Check them and try again, or ask for a sign-in link below.")
}

// signIn checks an address and password. Failures are counted per address
// and per client network, and each counts towards a growing wait.
func (s *Server) signIn(r *http.Request, email, password string) (*parley.User, error) {
	net := s.clientNet(r)
	if ok, wait := s.limits.signIn.allow(net, time.Now()); !ok {
		return nil, rateLimited(wait, "trying to sign in")
	}
	email = parley.NormalizeEmail(email)
	if email == "" || password == "" {
		return nil, &parley.Error{Code: parley.EINVALID, Message: "Please give your email address and your password.",
			Fields: map[string]string{"email": "Please give your email address and your password."}}
	}
	ctx := r.Context()
	// Failures count against the address, except from a browser that has
	// signed in to it before: its failures count against that browser
	// alone, so that someone guessing elsewhere cannot lock the owner out.
	first := "email:" + email
	device, known := s.knownDevice(r, email)
	if known {
		first = "device:" + device
	}
	keys := []string{first, "net:" + net}
	// A network holds many people (a school, an office behind one address):
	// its failures start to count later than one address's.
	for i, free := range []int{addressFailuresFree, networkFailuresFree} {
		n, last, err := s.store.SignInFailures(ctx, keys[i])
		if err != nil {
			return nil, err
		}
		if wait := time.Until(last.Add(failureDelay(n, free))); wait > 0 {
			return nil, rateLimited(wait, "trying to sign in after failed attempts")
		}
	}
	u, hash, err := s.store.UserByEmail(ctx, email)
	if err != nil && parley.ErrorCode(err) != parley.ENOTFOUND {
		return nil, err
	}
	if u == nil || hash == "" {
		auth.DummyCheck(password)
		return nil, s.failedSignIn(ctx, keys)
	}
	ok, err := auth.CheckPassword(hash, password)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, s.failedSignIn(ctx, keys)
	}
	if err := s.store.ClearSignInFailures(ctx, keys[0]); err != nil {
		return nil, err
	}
	if !u.Verified() {
		// Until the address is confirmed, its password may be anyone's.
		return nil, parley.Errorf(parley.EFORBIDDEN, "Please confirm your email address first: open the link we sent you, or ask below for a sign-in link, which confirms it too.")
	}
	if auth.NeedsRehash(hash) {
		if newHash, err := auth.HashPassword(password); err == nil {
			s.store.SetPassword(ctx, u.ID, newHash)
		}
	}
	return u, nil
}

func (s *Server) failedSignIn(ctx context.Context, keys []string) error {
	if err := s.store.RecordSignInFailure(ctx, keys...); err != nil {
		return err
	}
	return errBadCredentials()
}

// Failed sign-ins that cost no wait, for one address and for one network.
const (
	addressFailuresFree = 5
	networkFailuresFree = 20
)

// failureDelay is how long sign-in waits after n failures: nothing for the
// first free ones, then two seconds doubling to at most fifteen minutes.
func failureDelay(n, free int) time.Duration {
	if n < free {
		return 0
	}
	d := 2 * time.Second
	for i := free; i < n && d < 15*time.Minute; i++ {
		d *= 2
	}
	return min(d, 15*time.Minute)
}

// handleRequestLink mails a sign-in, reset or verification link on request.
func (s *Server) handleRequestLink(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	purpose := store.LinkPurpose(r.PathValue("purpose"))
	form := accountForm{Email: r.PostForm.Get("email"), Next: safeNext(r.PostForm.Get("next"))}
	page, title := "signin", lang(r).T("Sign in")
	if purpose == store.LinkReset {
		page, title = "reset", lang(r).T("Reset your password")
	}
	if err := s.requestLink(r, purpose, form.Email, form.Next); err != nil {
		s.renderAccountForm(w, r, page, title, form, err)
		return
	}
	s.notice(w, r, lang(r).T("Check your email"), lang(r).T(linkSentMessage))
}

func (s *Server) requestLink(r *http.Request, purpose store.LinkPurpose, email, next string) error {
	if _, ok := linkTTL[purpose]; !ok {
		return parley.Errorf(parley.ENOTFOUND, "There is no such kind of link.")
	}
	email = parley.NormalizeEmail(email)
	if !parley.ValidEmail(email) {
		return &parley.Error{Code: parley.EINVALID, Message: "Please give a valid email address.",
			Fields: map[string]string{"email": "This does not look like an email address."}}
	}
	if ok, wait := s.limits.links.allow(s.clientNet(r), time.Now()); !ok {
		return rateLimited(wait, "asking for emailed links")
	}
	return s.queueLinkRequest(r.Context(), linkRequest{Purpose: purpose, Email: email, Next: next})
}

func (s *Server) handleResetForm(w http.ResponseWriter, r *http.Request) {
	s.renderAccountForm(w, r, "reset", lang(r).T("Reset your password"), accountForm{}, nil)
}

func (s *Server) handleSignOut(w http.ResponseWriter, r *http.Request) {
	if v := currentViewer(r); v != nil && v.sessionHash != "" {
		if err := s.store.DeleteSession(r.Context(), v.sessionHash); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.clearSessionCookie(w)
	redirect(w, r, "/", http.StatusSeeOther)
}

func (s *Server) handleSignOutEverywhere(w http.ResponseWriter, r *http.Request) {
	if err := s.store.DeleteSessions(r.Context(), currentUser(r).ID, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	s.clearSessionCookie(w)
	s.notice(w, r, lang(r).T("Signed out everywhere"), lang(r).T("You are signed out on every device and browser. Sign in again where you want to use your account."))
}

// linkPage shows what an emailed link does, with a button to do it: mail
// scanners open links, and a GET that signed in or used up the link would
// spend it before the person clicked.
type linkPage struct {
	pageMeta
	Purpose  string
	Action   string
	Next     string
	Problem  string
	Problems map[string]string
}

func (s *Server) handleLink(w http.ResponseWriter, r *http.Request) {
	purpose := store.LinkPurpose(r.PathValue("purpose"))
	p := linkPage{pageMeta: s.meta(r, lang(r).T(linkTitle(purpose))), Purpose: string(purpose), Action: r.URL.Path, Next: safeNext(r.URL.Query().Get("next"))}
	p.Canonical = s.cfg.BaseURL + "/links/" + string(purpose) // never the token
	if _, err := s.store.CheckLink(r.Context(), purpose, auth.HashToken(r.PathValue("token"))); err != nil {
		s.linkFailed(w, r, p, err)
		return
	}
	s.render(w, r, http.StatusOK, "link", p)
}

// linkTitle is the English title of a link's page, a catalogue key.
func linkTitle(p store.LinkPurpose) string {
	switch p {
	case store.LinkVerify:
		return "Confirm your email address"
	case store.LinkReset:
		return "Choose a new password"
	}
	return "Sign in"
}

// linkFailed says why a link does not work, and offers a fresh one.
func (s *Server) linkFailed(w http.ResponseWriter, r *http.Request, p linkPage, err error) {
	var le *store.LinkError
	if !errors.As(err, &le) {
		s.fail(w, r, err)
		return
	}
	if _, ok := linkTTL[store.LinkPurpose(p.Purpose)]; !ok {
		s.fail(w, r, parley.Errorf(parley.ENOTFOUND, "There is no such link."))
		return
	}
	p.Problem = le.Error()
	p.Title = lang(r).T(linkProblemTitle(le.Reason))
	code := http.StatusGone
	if le.Reason == store.LinkUnknown {
		code = http.StatusNotFound
	}
	s.render(w, r, code, "link", p)
}

// linkProblemTitle is the English title of the page of a link that does
// not work, a catalogue key.
func linkProblemTitle(reason string) string {
	switch reason {
	case store.LinkExpired:
		return "This link has expired"
	case store.LinkUsed:
		return "This link was already used"
	}
	return "This link does not work"
}

// handleUseLink does what the link is for.
func (s *Server) handleUseLink(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	purpose := store.LinkPurpose(r.PathValue("purpose"))
	hash := auth.HashToken(r.PathValue("token"))
	p := linkPage{pageMeta: s.meta(r, lang(r).T(linkTitle(purpose))), Purpose: string(purpose), Action: r.URL.Path, Next: safeNext(r.PostForm.Get("next"))}
	p.Canonical = s.cfg.BaseURL + "/links/" + string(purpose)
	u, err := s.completeLink(r.Context(), purpose, hash, r.PostForm.Get("password"))
	if err == nil {
		err = s.startSession(w, r, u)
	}
	if _, invalid := err.(*parley.Error); invalid && parley.ErrorCode(err) == parley.EINVALID {
		p.Problems = parley.ErrorFields(err)
		s.render(w, r, http.StatusUnprocessableEntity, "link", p)
		return
	}
	if err != nil {
		s.linkFailed(w, r, p, err)
		return
	}
	next := p.Next
	if next == "/" {
		next = "/account?done=" + string(purpose)
	}
	redirect(w, r, next, http.StatusSeeOther)
}

// completeLink does what an emailed link is for and returns the account it
// signs in; a reset link takes the new password.
func (s *Server) completeLink(ctx context.Context, purpose store.LinkPurpose, tokenHash, password string) (*parley.User, error) {
	var newHash string
	if purpose == store.LinkReset {
		u, err := s.store.CheckLink(ctx, purpose, tokenHash)
		if err != nil {
			return nil, err
		}
		if err := auth.CheckNewPassword(password, u.Email, u.Name); err != nil {
			return nil, err
		}
		if newHash, err = auth.HashPassword(password); err != nil {
			return nil, err
		}
	}
	return s.useLink(ctx, purpose, tokenHash, newHash)
}

// useLink uses up an emailed link and returns the account it signs in.
// newPassword is the hash of the password chosen on a reset link.
func (s *Server) useLink(ctx context.Context, purpose store.LinkPurpose, tokenHash, newPassword string) (*parley.User, error) {
	var u *parley.User
	err := s.store.Atomically(ctx, func(ctx context.Context) error {
		var pending string
		var err error
		if u, pending, err = s.store.UseLink(ctx, purpose, tokenHash); err != nil {
			return err
		}
		if newPassword == "" {
			newPassword = pending // chosen with a sign-up, sent with this link
		}
		// Every link arrived by mail, so it proves the address. Sessions
		// from before are ended when the address is first proved, or the
		// password changes: whoever held them may not be its owner.
		if !u.Verified() || newPassword != "" {
			if err := s.store.DeleteSessions(ctx, u.ID, ""); err != nil {
				return err
			}
		}
		if err := s.store.MarkVerified(ctx, u.ID); err != nil {
			return err
		}
		if newPassword != "" {
			return s.store.SetPassword(ctx, u.ID, newPassword)
		}
		return nil
	})
	return u, err
}

type accountHome struct {
	pageMeta
	Account *parley.User
	Done    string
	// Subscriptions is the page of the account's email subscriptions, if any.
	Subscriptions string
}

func (s *Server) handleAccount(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r)
	p := accountHome{pageMeta: s.meta(r, lang(r).T("Your account")), Account: u, Done: r.URL.Query().Get("done")}
	if a, err := s.store.AddressByEmail(r.Context(), u.Email); err == nil && u.Verified() {
		p.Subscriptions = "/subscriptions/" + s.notify.ManageToken(a.ID)
	}
	s.render(w, r, http.StatusOK, "account", p)
}

// handleResendVerification mails a fresh verification link to the signed-in account.
func (s *Server) handleResendVerification(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r)
	if u.Verified() {
		redirect(w, r, "/account", http.StatusSeeOther)
		return
	}
	if ok, wait := s.limits.links.allow(s.clientNet(r), time.Now()); !ok {
		s.fail(w, r, rateLimited(wait, "asking for emailed links"))
		return
	}
	if err := s.mailLinkLimited(r.Context(), u, store.LinkVerify, safeNext(r.PostFormValue("next")), ""); err != nil {
		s.fail(w, r, err)
		return
	}
	s.notice(w, r, lang(r).T("Check your email"), lang(r).T("We have sent a new confirmation link to %s. It works for 48 hours.", u.Email))
}
