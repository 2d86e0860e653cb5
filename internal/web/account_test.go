package web

import (
	"context"
	"net/http"
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/auth"
	"github.com/parley-org/parley/internal/mail"
	"github.com/parley-org/parley/internal/mail/mailtest"
)

// mailSite is a site that sends its mail to a real SMTP server in the test.
func mailSite(t *testing.T) (*site, *mailtest.Server) {
	t.Helper()
	smtp := mailtest.New(t, mailtest.Options{})
	sender, err := mail.NewSMTP(smtp.URL(), "Parley <noreply@example.org>")
	if err != nil {
		t.Fatal(err)
	}
	return newSite(t, Config{Mail: sender}), smtp
}

var linkPattern = regexp.MustCompile(`https?://[^\s]+/links/[a-z]+/[A-Za-z0-9_-]+(\?[^\s]*)?`)

// nextMail waits for the n-th message (counting from 1) and returns it with the link it carries.
func nextMail(t *testing.T, smtp *mailtest.Server, n int) (mailtest.Received, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	got := smtp.Wait(ctx, n)
	if len(got) < n {
		t.Fatalf("got %d mails, want %d", len(got), n)
	}
	m := got[n-1]
	return m, linkPattern.FindString(m.Text)
}

// linkPath is the path and query of a link in a mail.
func linkPath(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	return u.RequestURI()
}

func signUpForm(name, email, password string) url.Values {
	return url.Values{"name": {name}, "email": {email}, "password": {password}, "next": {"/"}}
}

func TestSignUpVerifySignInAndOut(t *testing.T) {
	s, smtp := mailSite(t)
	b := newBrowser()

	r := s.getAs(b, "/signup")
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r.body, `name="password"`, `autocomplete="new-password"`)

	// Bad input: every field explained, name and address kept, never the password.
	r = s.postForm(b, "/signup", signUpForm("Ada Lovelace", "not-an-address", "short"))
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r.body, `value="Ada Lovelace"`, `value="not-an-address"`, "does not look like an email address", "at least 10")
	wantLacks(t, r.body, `value="short"`)
	r = s.postForm(b, "/signup", signUpForm("Ada Lovelace", "ada@example.org", "password1234"))
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r.body, "list of passwords")
	r = s.postForm(b, "/signup", signUpForm("Ada Lovelace", "ada@example.org", "AdaLovelace-2026"))
	wantStatus(t, r, http.StatusUnprocessableEntity)

	const password = "analytical engine notes"
	r = s.postForm(b, "/signup", signUpForm("Ada Lovelace", "Ada@Example.org", password))
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r.body, "Check your email")
	m, link := nextMail(t, smtp, 1)
	if m.To[0] != "ada@example.org" || !strings.Contains(m.Subject, "Confirm your email address") || link == "" || m.HTML == "" {
		t.Fatalf("verification mail to %v, subject %q, link %q, html %d bytes", m.To, m.Subject, link, len(m.HTML))
	}

	// Not confirmed yet.
	u, _, err := s.store.UserByEmail(context.Background(), "ada@example.org")
	if err != nil || u.Verified() || u.Role != parley.RoleParticipant {
		t.Fatalf("new account %+v, %v; want an unverified participant", u, err)
	}

	// Opening the link shows a button; a GET alone (a mail scanner) changes nothing.
	r = s.getAs(b, linkPath(t, link))
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r.body, "Confirm my address")
	if u, _, _ := s.store.UserByEmail(context.Background(), "ada@example.org"); u.Verified() {
		t.Fatal("a GET of the link verified the address")
	}
	r = s.postForm(b, linkPath(t, link), url.Values{})
	wantStatus(t, r, http.StatusSeeOther)
	if loc := r.header.Get("Location"); loc != "/account?done=verify" {
		t.Errorf("after verifying, sent to %q", loc)
	}
	r = s.getAs(b, "/account?done=verify")
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r.body, "your address is confirmed", "ada@example.org", "Ada Lovelace", `<span class="badge">confirmed`)

	// The link works once.
	r = s.postForm(newBrowser(), linkPath(t, link), url.Values{})
	wantStatus(t, r, http.StatusGone)
	wantContains(t, r.body, "already been used", "Send me a new link")

	// Signing up again with the address answers the same and mails the owner a sign-in link.
	r = s.postForm(newBrowser(), "/signup", signUpForm("Someone Else", "ada@example.org", "another good passphrase"))
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r.body, "Check your email")
	m, link = nextMail(t, smtp, 2)
	if !strings.Contains(m.Subject, "sign-in link") || !strings.Contains(link, "/links/signin/") {
		t.Errorf("second sign-up mailed %q with link %q; want a sign-in link", m.Subject, link)
	}

	// Sign out, then in.
	r = s.postForm(b, "/signout", url.Values{})
	wantStatus(t, r, http.StatusSeeOther)
	r = s.getAs(b, "/account")
	wantStatus(t, r, http.StatusSeeOther)
	if loc := r.header.Get("Location"); !strings.HasPrefix(loc, "/signin?next=") {
		t.Errorf("signed out, /account redirects to %q", loc)
	}
	r = s.postForm(b, "/signin", url.Values{"email": {"ada@example.org"}, "password": {"wrong password here"}, "next": {"/account"}})
	wantStatus(t, r, http.StatusUnauthorized)
	wantContains(t, r.body, "do not match an account", `value="ada@example.org"`)
	wrong := r.body
	r = s.postForm(b, "/signin", url.Values{"email": {"nobody@example.org"}, "password": {"wrong password here"}, "next": {"/account"}})
	wantStatus(t, r, http.StatusUnauthorized)
	if strings.ReplaceAll(r.body, "nobody@example.org", "ada@example.org") != wrong {
		t.Error("sign-in answers differently for an unknown address than for a wrong password")
	}
	r = s.postForm(b, "/signin", url.Values{"email": {"ADA@example.org"}, "password": {password}, "next": {"/account"}})
	wantStatus(t, r, http.StatusSeeOther)
	if loc := r.header.Get("Location"); loc != "/account" {
		t.Errorf("signed in, sent to %q", loc)
	}
	wantStatus(t, s.getAs(b, "/account"), http.StatusOK)

	// An open redirect is refused.
	r = s.postForm(newBrowser(), "/signin", url.Values{"email": {"ada@example.org"}, "password": {password}, "next": {"//evil.example/"}})
	if loc := r.header.Get("Location"); loc != "/" {
		t.Errorf("next=//evil.example/ sent the reader to %q", loc)
	}
}

func TestSessionCookieIsHardened(t *testing.T) {
	s := newSite(t, Config{BaseURL: "https://debate.example.org"})
	u := &parley.User{Email: "kim@example.org", Name: "Kim", EmailVerifiedAt: time.Now()}
	if err := s.store.CreateUser(context.Background(), u, ""); err != nil {
		t.Fatal(err)
	}
	w := &responseCapture{header: http.Header{}}
	req, _ := http.NewRequest(http.MethodPost, "/signin", nil)
	if err := s.srv.startSession(w, req, u); err != nil {
		t.Fatal(err)
	}
	c := w.header.Get("Set-Cookie")
	for _, want := range []string{"parley_session=", "HttpOnly", "SameSite=Lax", "Secure", "Path=/"} {
		if !strings.Contains(c, want) {
			t.Errorf("session cookie %q lacks %s", c, want)
		}
	}
	r := s.get("/")
	if sts := r.header.Get("Strict-Transport-Security"); sts == "" {
		t.Error("no HSTS on an https site")
	}
}

type responseCapture struct {
	header http.Header
	code   int
}

func (w *responseCapture) Header() http.Header         { return w.header }
func (w *responseCapture) Write(b []byte) (int, error) { return len(b), nil }
func (w *responseCapture) WriteHeader(code int)        { w.code = code }

func TestFailedSignInsMakeTheNextWait(t *testing.T) {
	s := newSite(t, Config{})
	b := newBrowser()
	for i := range 5 {
		r := s.postForm(b, "/signin", url.Values{"email": {"target@example.org"}, "password": {"guess number " + string(rune('a'+i))}})
		wantStatus(t, r, http.StatusUnauthorized)
	}
	r := s.postForm(b, "/signin", url.Values{"email": {"target@example.org"}, "password": {"guess number six"}})
	wantStatus(t, r, http.StatusTooManyRequests)
	if r.header.Get("Retry-After") == "" {
		t.Error("no Retry-After after repeated failures")
	}
	wantContains(t, r.body, "Please wait", "failed attempts")
	if d := failureDelay(12, addressFailuresFree); d <= failureDelay(6, addressFailuresFree) || d > 15*time.Minute {
		t.Errorf("delay after 12 failures %v, after 6 %v: want growing, at most 15 minutes", d, failureDelay(6, addressFailuresFree))
	}
}

func TestPasswordResetEndsOtherSessions(t *testing.T) {
	s, smtp := mailSite(t)
	ctx := context.Background()
	u, elsewhere := s.account("Grace", parley.RoleParticipant)

	// Known and unknown addresses get the same answer; only the known one gets mail.
	b := newBrowser()
	unknown := s.postForm(b, "/links/reset", url.Values{"email": {"nobody@example.org"}})
	known := s.postForm(b, "/links/reset", url.Values{"email": {u.Email}})
	wantStatus(t, known, http.StatusOK)
	if unknown.body != known.body {
		t.Error("reset answers differently for unknown and known addresses")
	}
	m, link := nextMail(t, smtp, 1)
	if m.To[0] != u.Email || !strings.Contains(link, "/links/reset/") {
		t.Fatalf("reset mail to %v with link %q", m.To, link)
	}
	if n := len(smtp.Received()); n != 1 {
		t.Errorf("%d mails sent; the unknown address must get none", n)
	}

	// A weak password is refused and the link still works.
	r := s.postForm(b, linkPath(t, link), url.Values{"password": {"1234567890"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r.body, "list of passwords")
	r = s.postForm(b, linkPath(t, link), url.Values{"password": {"compilers all the way down"}})
	wantStatus(t, r, http.StatusSeeOther)
	if r := s.getAs(elsewhere, "/account"); r.status != http.StatusSeeOther {
		t.Errorf("the other session still works after a reset: %d", r.status)
	}
	if r := s.getAs(b, "/account"); r.status != http.StatusOK {
		t.Errorf("the resetting browser is not signed in: %d", r.status)
	}
	if _, err := s.srv.signIn(httptestRequest(), u.Email, "compilers all the way down"); err != nil {
		t.Errorf("sign in with the new password: %v", err)
	}

	// A link that has expired says so and offers a fresh one; a tampered one says it is not valid.
	wantStatus(t, s.postForm(b, "/links/reset", url.Values{"email": {u.Email}}), http.StatusOK)
	_, link = nextMail(t, smtp, 2)
	s.clock.setAhead(2 * time.Hour)
	r = s.getAs(b, linkPath(t, link))
	s.clock.setAhead(0)
	wantStatus(t, r, http.StatusGone)
	wantContains(t, r.body, "expired", "Send me a new link")
	r = s.getAs(b, linkPath(t, link)+"x")
	wantStatus(t, r, http.StatusNotFound)
	wantContains(t, r.body, "not valid")
	_ = ctx
}

func httptestRequest() *http.Request {
	r, _ := http.NewRequest(http.MethodPost, "/signin", nil)
	r.RemoteAddr = "192.0.2.1:1234"
	return r
}

func TestPasswordlessSignInAndSignOutEverywhere(t *testing.T) {
	s, smtp := mailSite(t)
	u, other := s.account("Linus", parley.RoleParticipant)
	b := newBrowser()
	wantStatus(t, s.postForm(b, "/links/signin", url.Values{"email": {u.Email}, "next": {"/account"}}), http.StatusOK)
	_, link := nextMail(t, smtp, 1)
	if !strings.Contains(link, "next=%2Faccount") {
		t.Errorf("sign-in link %q does not return to /account", link)
	}
	r := s.postForm(b, linkPath(t, link), url.Values{"next": {"/account"}})
	wantStatus(t, r, http.StatusSeeOther)
	wantStatus(t, s.getAs(b, "/account"), http.StatusOK)

	wantStatus(t, s.postForm(b, "/signout/everywhere", url.Values{}), http.StatusOK)
	for _, c := range []*http.Client{b, other} {
		if r := s.getAs(c, "/account"); r.status != http.StatusSeeOther {
			t.Errorf("a session survived signing out everywhere: %d", r.status)
		}
	}
}

func TestLinkMailsPerAddressAreBounded(t *testing.T) {
	s, smtp := mailSite(t)
	u, _ := s.account("Hedy", parley.RoleParticipant)
	for i := range 5 {
		req := url.Values{"email": {u.Email}}
		b := newBrowser()
		r := s.postForm(b, "/links/signin", req)
		if i < 5 && r.status != http.StatusOK {
			t.Fatalf("request %d: %d", i+1, r.status)
		}
	}
	// Five requests from one network: the network limit allows them, the
	// address gets three links an hour.
	nextMail(t, smtp, maxLinksPerHour)
	time.Sleep(300 * time.Millisecond)
	if n := len(smtp.Received()); n != maxLinksPerHour {
		t.Errorf("%d sign-in mails to one address; want at most %d an hour", n, maxLinksPerHour)
	}
	r := s.postForm(newBrowser(), "/links/signin", url.Values{"email": {u.Email}})
	wantStatus(t, r, http.StatusTooManyRequests)
	wantContains(t, r.body, "asking for emailed links")
	if r.header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
}

func TestSignUpsPerNetworkAreLimited(t *testing.T) {
	s := newSite(t, Config{})
	var last response
	for i := range 6 {
		last = s.postForm(newBrowser(), "/signup", signUpForm("Person", "person"+string(rune('a'+i))+"@example.org", "a perfectly fine passphrase"))
	}
	wantStatus(t, last, http.StatusTooManyRequests)
	wantContains(t, last.body, "creating accounts", `value="personf@example.org"`)
}

func TestCommentingWithAnAccount(t *testing.T) {
	s := newSite(t, Config{})
	d := s.debate("housing", parley.DebatePublished, false)
	u, b := s.account("Margaret", parley.RoleParticipant)

	r := s.getAs(b, "/debates/housing")
	wantContains(t, r.body, "Commenting as", "Margaret")
	wantLacks(t, r.body, `name="author_email"`)
	r = s.postForm(b, "/debates/housing/comments", url.Values{"body": {"Build more homes near stations."}})
	wantStatus(t, r, http.StatusSeeOther)
	page := s.getAs(b, "/debates/housing")
	wantContains(t, page.body, `href="/people/`, "Build more homes near stations.", ">Edit</a>", ">Delete</a>")
	// A signed-in request is logged and measured under its route.
	wantContains(t, s.metrics(), `parley_http_requests_total{route="POST /debates/{slug}/comments",status="303"} 1`)
	// Others see the comment, linked to the profile, without the author's links.
	anon := s.get("/debates/housing")
	wantContains(t, anon.body, "Build more homes near stations.", `class="author" href="/people/`)
	wantLacks(t, anon.body, ">Edit</a>")

	list, err := s.store.UserComments(context.Background(), u.ID, 0, 10)
	if err != nil || len(list) != 1 || list[0].Comment.AuthorName != "Margaret" || list[0].Comment.AuthorEmail != u.Email {
		t.Fatalf("profile comments %+v, %v", list, err)
	}
	c := list[0].Comment
	profile := s.get("/people/" + itoa(u.ID))
	wantStatus(t, profile, http.StatusOK)
	wantContains(t, profile.body, "Margaret", "Build more homes near stations.", d.Title)
	wantLacks(t, profile.body, u.Email)

	// Edit within the window: marked as edited.
	r = s.getAs(b, "/comments/"+itoa(c.ID)+"/edit")
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r.body, "Build more homes near stations.")
	r = s.postForm(b, "/comments/"+itoa(c.ID)+"/edit", url.Values{"body": {""}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	r = s.postForm(b, "/comments/"+itoa(c.ID)+"/edit", url.Values{"body": {"Build more homes near every station."}})
	wantStatus(t, r, http.StatusSeeOther)
	page = s.get("/debates/housing")
	wantContains(t, page.body, "near every station", `class="edited">edited`)

	// Someone else cannot edit it; after the window nobody can.
	_, intruder := s.account("Intruder", parley.RoleParticipant)
	wantStatus(t, s.postForm(intruder, "/comments/"+itoa(c.ID)+"/edit", url.Values{"body": {"Hijacked"}}), http.StatusForbidden)
	s.clock.setAhead(20 * time.Minute)
	r = s.postForm(b, "/comments/"+itoa(c.ID)+"/edit", url.Values{"body": {"Too late now."}})
	s.clock.setAhead(0)
	wantStatus(t, r, http.StatusConflict)
	wantContains(t, r.body, "15 minutes", "Too late now.")

	// Delete with a reply: the reply stays under "Comment deleted".
	reply := s.comment(d, c.ID, "Neighbour", "Which stations?")
	wantStatus(t, s.getAs(b, "/comments/"+itoa(c.ID)+"/delete"), http.StatusOK)
	wantStatus(t, s.postForm(b, "/comments/"+itoa(c.ID)+"/delete", url.Values{}), http.StatusSeeOther)
	page = s.get("/debates/housing")
	wantContains(t, page.body, "Comment deleted", "Which stations?")
	wantLacks(t, page.body, "near every station")

	// Delete without replies: gone, and the count drops.
	wantStatus(t, s.postForm(b, "/debates/housing/comments", url.Values{"body": {"A second thought."}}), http.StatusSeeOther)
	list, _ = s.store.UserComments(context.Background(), u.ID, 0, 10)
	before, _ := s.store.DebateByID(context.Background(), d.ID)
	wantStatus(t, s.postForm(b, "/comments/"+itoa(list[0].Comment.ID)+"/delete", url.Values{}), http.StatusSeeOther)
	after, _ := s.store.DebateByID(context.Background(), d.ID)
	if after.CommentCount != before.CommentCount-1 {
		t.Errorf("count %d after deleting, was %d", after.CommentCount, before.CommentCount)
	}
	wantLacks(t, s.get("/debates/housing").body, "A second thought.")
	_ = reply
}

func TestUnverifiedAccountsAndAccountsOnlyDebates(t *testing.T) {
	s := newSite(t, Config{})
	d := s.debate("members", parley.DebatePublished, false)
	d.AccountsOnly = true
	if _, err := s.store.SaveDebate(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	s.srv.Invalidate(d.ID)

	page := s.get("/debates/members")
	wantContains(t, page.body, "takes comments from readers with an account", "/signin?next=")
	wantLacks(t, page.body, `name="author_email"`)
	r := s.postForm(s.reader, "/debates/members/comments", formValues("Guest", "guest@example.org", "Let me in, please."))
	wantStatus(t, r, http.StatusUnauthorized)
	wantContains(t, r.body, "Let me in, please.")

	u := &parley.User{Email: "new@example.org", Name: "Newcomer"}
	if err := s.store.CreateUser(context.Background(), u, ""); err != nil {
		t.Fatal(err)
	}
	b := s.signedIn(u)
	r = s.postForm(b, "/debates/members/comments", url.Values{"body": {"Am I confirmed yet?"}})
	wantStatus(t, r, http.StatusForbidden)
	wantContains(t, r.body, "confirm your email address", "Am I confirmed yet?")

	s.store.MarkVerified(context.Background(), u.ID)
	wantStatus(t, s.postForm(b, "/debates/members/comments", url.Values{"body": {"Now I am."}}), http.StatusSeeOther)
}

func TestAdminsAssignRoles(t *testing.T) {
	s := newSite(t, Config{})
	admin, ab := s.account("Admin", parley.RoleAdmin)
	u, ub := s.account("Writer", parley.RoleParticipant)

	wantStatus(t, s.getAs(ub, "/admin/users"), http.StatusForbidden)
	r := s.getAs(ab, "/admin/users?q=writ")
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r.body, u.Email)
	wantLacks(t, r.body, admin.Email)

	r = s.postForm(ab, "/admin/users/"+itoa(u.ID)+"/role", url.Values{"role": {"editor"}})
	wantStatus(t, r, http.StatusSeeOther)
	if got, _ := s.store.User(context.Background(), u.ID); got.Role != parley.RoleEditor {
		t.Errorf("role %s after promotion", got.Role)
	}
	wantStatus(t, s.postForm(ab, "/admin/users/"+itoa(u.ID)+"/role", url.Values{"role": {"emperor"}}), http.StatusUnprocessableEntity)
	wantStatus(t, s.postForm(ab, "/admin/users/"+itoa(admin.ID)+"/role", url.Values{"role": {"participant"}}), http.StatusConflict)
	// The editor may not hand out roles.
	wantStatus(t, s.postForm(ub, "/admin/users/"+itoa(admin.ID)+"/role", url.Values{"role": {"participant"}}), http.StatusForbidden)
}

func TestDevMailboxShowsMailToAdmins(t *testing.T) {
	s := newSite(t, Config{})
	_, ab := s.account("Admin", parley.RoleAdmin)
	u, _ := s.account("Reader", parley.RoleParticipant)
	wantStatus(t, s.postForm(newBrowser(), "/links/signin", url.Values{"email": {u.Email}}), http.StatusOK)
	deadline := time.Now().Add(10 * time.Second)
	for {
		r := s.getAs(ab, "/admin/mailbox")
		wantStatus(t, r, http.StatusOK)
		if strings.Contains(r.body, "Your sign-in link") && strings.Contains(r.body, u.Email) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the dev mailbox never showed the mail:\n%s", r.body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestAccountsThroughTheAPI(t *testing.T) {
	s, smtp := mailSite(t)
	s.debate("api", parley.DebatePublished, false)

	r := s.api(http.MethodPost, "/api/v1/account", map[string]string{"name": "Api User", "email": "api@example.org", "password": "short"})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	r = s.api(http.MethodPost, "/api/v1/account", map[string]string{"name": "Api User", "email": "api@example.org", "password": "long enough passphrase"})
	wantStatus(t, r, http.StatusAccepted)
	_, link := nextMail(t, smtp, 1)
	wantStatus(t, s.postForm(newBrowser(), linkPath(t, link), url.Values{}), http.StatusSeeOther)

	r = s.api(http.MethodPost, "/api/v1/sessions", map[string]string{"email": "api@example.org", "password": "wrong"})
	wantStatus(t, r, http.StatusUnauthorized)
	r = s.api(http.MethodPost, "/api/v1/sessions", map[string]string{"email": "api@example.org", "password": "long enough passphrase"})
	wantStatus(t, r, http.StatusCreated)
	var sess struct {
		Token string `json:"token"`
		User  struct {
			ID       int64 `json:"id"`
			Verified bool  `json:"verified"`
		} `json:"user"`
	}
	r.json(t, &sess)
	if sess.Token == "" || !sess.User.Verified {
		t.Fatalf("session %+v", sess)
	}
	bearer := "Bearer " + sess.Token
	r = s.api(http.MethodGet, "/api/v1/me", nil, "Authorization", bearer)
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r.body, `"email":"api@example.org"`)

	r = s.api(http.MethodPost, "/api/v1/debates/api/comments", map[string]any{"body": "Posted with a token."}, "Authorization", bearer)
	wantStatus(t, r, http.StatusCreated)
	var c struct {
		ID     int64 `json:"id"`
		Author struct {
			Name string `json:"name"`
		} `json:"author"`
	}
	r.json(t, &c)
	if c.Author.Name != "Api User" {
		t.Errorf("comment by %q", c.Author.Name)
	}
	r = s.api(http.MethodPatch, "/api/v1/comments/"+itoa(c.ID), map[string]string{"body": "Edited with a token."}, "Authorization", bearer)
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r.body, "Edited with a token.")
	r = s.api(http.MethodPatch, "/api/v1/comments/"+itoa(c.ID), map[string]string{"body": "Anonymous edit"})
	wantStatus(t, r, http.StatusUnauthorized)
	r = s.api(http.MethodGet, "/api/v1/people/"+itoa(sess.User.ID), nil)
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r.body, "Edited with a token.")
	wantLacks(t, r.body, "api@example.org")
	wantStatus(t, s.api(http.MethodDelete, "/api/v1/comments/"+itoa(c.ID), nil, "Authorization", bearer), http.StatusNoContent)

	r = s.api(http.MethodPost, "/api/v1/links", map[string]string{"purpose": "reset", "email": "nobody@example.org"})
	wantStatus(t, r, http.StatusAccepted)

	wantStatus(t, s.api(http.MethodDelete, "/api/v1/sessions/current", nil, "Authorization", bearer), http.StatusNoContent)
	wantStatus(t, s.api(http.MethodGet, "/api/v1/me", nil, "Authorization", bearer), http.StatusUnauthorized)
	wantStatus(t, s.api(http.MethodGet, "/api/v1/me", nil, "Authorization", "Bearer pk_madeup"), http.StatusUnauthorized)

	admin, _ := s.account("Root", parley.RoleAdmin)
	token := "Bearer " + s.apiToken(admin)
	r = s.api(http.MethodGet, "/api/v1/admin/users?q=api", nil, "Authorization", token)
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r.body, "api@example.org")
	r = s.api(http.MethodPatch, "/api/v1/admin/users/"+itoa(sess.User.ID), map[string]string{"role": "moderator"}, "Authorization", token)
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r.body, `"role":"moderator"`)
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

func TestSigningUpWithSomeoneElsesAddressDoesNotKeepTheAccount(t *testing.T) {
	s, smtp := mailSite(t)
	// The intruder signs up first with the victim's address and their own password.
	wantStatus(t, s.postForm(newBrowser(), "/signup", signUpForm("Intruder", "victim@example.org", "purple monkey dishwasher")), http.StatusOK)
	nextMail(t, smtp, 1) // to the victim, who does not follow it
	// Until the address is confirmed, no password signs in.
	r := s.postForm(newBrowser(), "/signin", url.Values{"email": {"victim@example.org"}, "password": {"purple monkey dishwasher"}})
	wantStatus(t, r, http.StatusForbidden)
	wantContains(t, r.body, "confirm your email address first")

	// The victim signs up and confirms with the link of their own sign-up.
	victim := newBrowser()
	wantStatus(t, s.postForm(victim, "/signup", signUpForm("Victim", "victim@example.org", "summer tulips by the sea")), http.StatusOK)
	_, link := nextMail(t, smtp, 2)
	wantStatus(t, s.postForm(victim, linkPath(t, link), url.Values{}), http.StatusSeeOther)
	wantStatus(t, s.getAs(victim, "/account"), http.StatusOK)

	if r := s.postForm(newBrowser(), "/signin", url.Values{"email": {"victim@example.org"}, "password": {"purple monkey dishwasher"}}); r.status != http.StatusUnauthorized {
		t.Errorf("the intruder's password still signs in: %d", r.status)
	}
	if r := s.postForm(newBrowser(), "/signin", url.Values{"email": {"victim@example.org"}, "password": {"summer tulips by the sea"}}); r.status != http.StatusSeeOther {
		t.Errorf("the victim's password does not sign in: %d", r.status)
	}
}

func TestLinksStayOutOfLogsAndReferers(t *testing.T) {
	s, smtp := mailSite(t)
	u, _ := s.account("Quiet", parley.RoleParticipant)
	wantStatus(t, s.postForm(newBrowser(), "/links/signin", url.Values{"email": {u.Email}}), http.StatusOK)
	_, link := nextMail(t, smtp, 1)
	p := linkPath(t, link)
	token := p[strings.LastIndexByte(p, '/')+1:]
	r := s.getAs(newBrowser(), p)
	wantStatus(t, r, http.StatusOK)
	if got := r.header.Get("Referrer-Policy"); got != "no-referrer" {
		t.Errorf("a link's page has Referrer-Policy %q", got)
	}
	wantLacks(t, r.body, "next=%2Flinks", "next=/links")
	wantStatus(t, s.postForm(newBrowser(), p, url.Values{}), http.StatusSeeOther)
	if strings.Contains(s.logs.String(), token) {
		t.Error("the request log holds a sign-in link's token")
	}
	wantContains(t, s.logs.String(), "/links/signin/[token]")
}

func TestSomeCommentsCannotBeEdited(t *testing.T) {
	s := newSite(t, Config{})
	ctx := context.Background()
	held := s.debate("held", parley.DebatePublished, true)
	open := s.debate("open", parley.DebatePublished, false)
	u, b := s.account("Author", parley.RoleParticipant)
	post := func(d *parley.Debate, body string) *parley.Comment {
		t.Helper()
		wantStatus(t, s.postForm(b, "/debates/"+d.Slug+"/comments", url.Values{"body": {body}}), http.StatusSeeOther)
		list, err := s.store.UserComments(ctx, u.ID, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		for _, pc := range list {
			if pc.Comment.BodyMD == body {
				return pc.Comment
			}
		}
		t.Fatalf("the posted comment %q is not on its author's profile", body)
		return nil
	}
	// Held, then approved by a moderator: the approved text stands.
	wantStatus(t, s.postForm(b, "/debates/held/comments", url.Values{"body": {"Held text."}}), http.StatusSeeOther)
	pending, err := s.store.PendingComments(ctx, held.ID, []int64{1, 2, 3})
	if err != nil || len(pending) != 1 {
		t.Fatalf("pending %v %v", pending, err)
	}
	if r := s.postForm(b, "/comments/"+itoa(pending[0].ID)+"/edit", url.Values{"body": {"Still pending, so fine."}}); r.status != http.StatusSeeOther {
		t.Errorf("editing a pending comment: %d", r.status)
	}
	if err := s.store.SetCommentStatus(ctx, pending[0].ID, parley.CommentApproved); err != nil {
		t.Fatal(err)
	}
	r := s.postForm(b, "/comments/"+itoa(pending[0].ID)+"/edit", url.Values{"body": {"Sneaked in after approval."}})
	wantStatus(t, r, http.StatusConflict)
	wantContains(t, r.body, "moderator has approved", "Sneaked in after approval.")

	// Quoted in the article: the quote stands.
	c := post(open, "Quotable text.")
	if err := s.store.AddQuestion(ctx, &parley.Question{DebateID: open.ID, CommentID: c.ID}); err != nil {
		t.Fatal(err)
	}
	r = s.postForm(b, "/comments/"+itoa(c.ID)+"/edit", url.Values{"body": {"Changed quote."}})
	wantStatus(t, r, http.StatusConflict)
	wantContains(t, r.body, "quote this comment")
}

func TestSignedInResponsesArePrivateAndSessionsSlide(t *testing.T) {
	s := newSite(t, Config{})
	_, b := s.account("Private", parley.RoleParticipant)
	r := s.getAs(b, "/account")
	if cc := r.header.Get("Cache-Control"); cc != "private, no-store" {
		t.Errorf("the account page has Cache-Control %q", cc)
	}
	if r.header.Get("Set-Cookie") != "" {
		t.Error("a fresh session's cookie was sent again")
	}
	s.clock.setAhead(2 * time.Hour)
	r = s.getAs(b, "/account")
	s.clock.setAhead(0)
	if c := r.header.Get("Set-Cookie"); !strings.Contains(c, "parley_session=") || !strings.Contains(c, "Max-Age=2592000") {
		t.Errorf("an extended session's cookie was not extended: %q", c)
	}
	// Another scheme in Authorization (a staging site's basic auth) is not Parley's business.
	r = s.api(http.MethodGet, "/api/v1/debates", nil, "Authorization", "Basic c3RhZ2luZzpzZWNyZXQ=")
	wantStatus(t, r, http.StatusOK)
}

func TestAFormPostedAfterTheSessionEndedKeepsItsText(t *testing.T) {
	s := newSite(t, Config{})
	r := s.postForm(newBrowser(), "/comments/1/edit", url.Values{"body": {"A long careful edit."}})
	wantStatus(t, r, http.StatusUnauthorized)
	wantContains(t, r.body, "A long careful edit.", `href="/signin"`)
}

func TestLinksTokensAndSessionsThroughTheAPI(t *testing.T) {
	s, smtp := mailSite(t)
	u, _ := s.account("Program", parley.RoleEditor)

	// Reset by API: ask for the link, use its token with a new password.
	wantStatus(t, s.api(http.MethodPost, "/api/v1/links", map[string]string{"purpose": "reset", "email": u.Email}), http.StatusAccepted)
	_, link := nextMail(t, smtp, 1)
	p := linkPath(t, link)
	token := p[strings.LastIndexByte(p, '/')+1:]
	r := s.api(http.MethodPost, "/api/v1/links/use", map[string]string{"purpose": "reset", "token": token, "password": "short"})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	r = s.api(http.MethodPost, "/api/v1/links/use", map[string]string{"purpose": "reset", "token": token, "password": "a brand new passphrase"})
	wantStatus(t, r, http.StatusCreated)
	var sess struct {
		Token string `json:"token"`
	}
	r.json(t, &sess)
	wantStatus(t, s.api(http.MethodPost, "/api/v1/links/use", map[string]string{"purpose": "reset", "token": token, "password": "a brand new passphrase"}), http.StatusConflict)
	wantStatus(t, s.api(http.MethodPost, "/api/v1/links/use", map[string]string{"purpose": "signin", "token": "made-up"}), http.StatusNotFound)
	bearer := "Bearer " + sess.Token

	// Tokens: made by API, shown once, listed by prefix, revoked.
	r = s.api(http.MethodPost, "/api/v1/admin/tokens", map[string]string{"name": "Importer"}, "Authorization", bearer)
	wantStatus(t, r, http.StatusCreated)
	var made struct {
		ID     int64  `json:"id"`
		Token  string `json:"token"`
		Prefix string `json:"prefix"`
	}
	r.json(t, &made)
	if !strings.HasPrefix(made.Token, made.Prefix) || !strings.HasPrefix(made.Token, "pk_") {
		t.Fatalf("new token %+v", made)
	}
	r = s.api(http.MethodGet, "/api/v1/admin/tokens", nil, "Authorization", "Bearer "+made.Token)
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r.body, made.Prefix)
	wantLacks(t, r.body, made.Token)
	// Another editor cannot revoke it.
	other, _ := s.account("Other", parley.RoleEditor)
	wantStatus(t, s.api(http.MethodDelete, "/api/v1/admin/tokens/"+itoa(made.ID), nil, "Authorization", "Bearer "+s.apiToken(other)), http.StatusNotFound)
	wantStatus(t, s.api(http.MethodDelete, "/api/v1/admin/tokens/"+itoa(made.ID), nil, "Authorization", bearer), http.StatusNoContent)
	wantStatus(t, s.api(http.MethodGet, "/api/v1/admin/tokens", nil, "Authorization", "Bearer "+made.Token), http.StatusUnauthorized)

	// Featured comments move by API.
	d := s.debate("order", parley.DebatePublished, false)
	var ids []int64
	for _, body := range []string{"First quote.", "Second quote."} {
		c := s.comment(d, 0, "Reader", body)
		q := &parley.Question{DebateID: d.ID, CommentID: c.ID, Position: len(ids) + 1}
		if err := s.store.AddQuestion(context.Background(), q); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, q.ID)
	}
	wantStatus(t, s.api(http.MethodPost, "/api/v1/admin/debates/"+itoa(d.ID)+"/questions/"+itoa(ids[1])+"/move", map[string]string{"by": "sideways"}, "Authorization", bearer), http.StatusUnprocessableEntity)
	wantStatus(t, s.api(http.MethodPost, "/api/v1/admin/debates/"+itoa(d.ID)+"/questions/"+itoa(ids[1])+"/move", map[string]string{"by": "up"}, "Authorization", bearer), http.StatusNoContent)
	qs, err := s.store.Questions(context.Background(), d.ID)
	if err != nil || len(qs) != 2 || qs[0].ID != ids[1] {
		t.Errorf("after moving the second quote up the order is %v (%v)", qs, err)
	}

	// Signing out everywhere by API ends this session too.
	wantStatus(t, s.api(http.MethodDelete, "/api/v1/sessions", nil, "Authorization", bearer), http.StatusNoContent)
	wantStatus(t, s.api(http.MethodGet, "/api/v1/me", nil, "Authorization", bearer), http.StatusUnauthorized)
}

func TestPartnersShowOnTheHomePage(t *testing.T) {
	s := newSite(t, Config{})
	before := s.get("/")
	wantLacks(t, before.body, "In partnership with")
	_, editor := s.account("Editor", parley.RoleEditor)
	wantStatus(t, s.postForm(editor, "/admin/partners", url.Values{"name": {"Civic Lab"}, "url": {"https://civic.example.org"}}), http.StatusSeeOther)
	after := s.get("/")
	wantContains(t, after.body, "In partnership with", "Civic Lab", `href="https://civic.example.org"`)
}

// Someone guessing an account's password from elsewhere makes themselves
// wait, not the owner signing in from a browser they used before.
func TestGuessingElsewhereDoesNotLockTheOwnerOut(t *testing.T) {
	s := newSite(t, Config{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})
	u, _ := s.account("Owner Person", parley.RoleParticipant)
	const password = "the owner's long passphrase"
	hash, err := auth.HashPassword(password)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.store.SetPassword(t.Context(), u.ID, hash); err != nil {
		t.Fatal(err)
	}
	signIn := func(b *http.Client, pw, from string) response {
		req, _ := http.NewRequest(http.MethodPost, s.http.URL+"/signin", strings.NewReader(url.Values{"email": {u.Email}, "password": {pw}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", from)
		return s.do(b, req)
	}
	owner := newBrowser()
	wantStatus(t, signIn(owner, password, "198.51.100.7"), http.StatusSeeOther)
	wantStatus(t, s.postForm(owner, "/signout", url.Values{}), http.StatusSeeOther)

	attacker := newBrowser()
	for i := range 8 {
		signIn(attacker, "guess "+strconv.Itoa(i)+" of many", "203.0.113."+strconv.Itoa(i+1))
	}
	wantStatus(t, signIn(attacker, password, "203.0.113.99"), http.StatusTooManyRequests)
	// The owner's browser signed in before: it is not made to wait.
	wantStatus(t, signIn(owner, password, "198.51.100.7"), http.StatusSeeOther)
	// A browser that never signed in to the account still waits.
	wantStatus(t, signIn(newBrowser(), password, "192.0.2.5"), http.StatusTooManyRequests)
}
