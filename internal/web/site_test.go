package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/auth"
	"github.com/parley-org/parley/internal/markup"
	"github.com/parley-org/parley/internal/media"
	"github.com/parley-org/parley/internal/store"
	"github.com/parley-org/parley/internal/store/storetest"
)

// site is a real Parley server on a fresh database, reached over HTTP.
type site struct {
	t     testing.TB
	srv   *Server
	store *store.Store
	http  *httptest.Server
	// reader is a browser: it keeps cookies and does not follow redirects.
	reader *http.Client
	logs   *syncBuffer
	clock  *testClock
	// lastShown is when the last stamped form was shown: each form a test
	// fills in is another page view, whose stamp differs from the last even
	// when the two fall within a millisecond.
	lastShown atomic.Int64 // in Unix milliseconds
}

// testClock is the store's clock in tests: the real time, moved ahead by
// however much the test says.
type testClock struct {
	mu    sync.Mutex
	ahead time.Duration
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.ahead)
}

// setAhead moves the clock d ahead of the real time (0 puts it back).
func (c *testClock) setAhead(d time.Duration) {
	c.mu.Lock()
	c.ahead = d
	c.mu.Unlock()
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newSite(t testing.TB, cfg Config) *site {
	t.Helper()
	return newSiteOn(t, storetest.Open(t), cfg)
}

// newSiteOn is newSite on a store the test opened itself.
func newSiteOn(t testing.TB, st *store.Store, cfg Config) *site {
	t.Helper()
	return newSiteWith(t, st, cfg, true)
}

// newSiteWith is newSiteOn, with or without the server's background work
// (mail, notifications, scheduled debates), which tests that count the
// database's transactions must leave out.
func newSiteWith(t testing.TB, st *store.Store, cfg Config, background bool) *site {
	t.Helper()
	md, err := media.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	ts := httptest.NewServer(nil)
	t.Cleanup(ts.Close)
	if cfg.BaseURL == "" {
		cfg.BaseURL = ts.URL
	}
	srv, err := NewServer(context.Background(), cfg, st, md, log)
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = srv
	// The store's clock is the site's, which tests move safely while the
	// background work reads it.
	clock := &testClock{}
	st.Now = clock.now
	if background {
		// Send mail and publish scheduled debates, as a running server does.
		ctx, stop := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { srv.Run(ctx); close(done) }()
		t.Cleanup(func() { stop(); <-done })
	}
	return &site{t: t, srv: srv, store: st, http: ts, reader: newBrowser(), logs: logs, clock: clock}
}

func newBrowser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
}

func (s *site) debate(slug string, status parley.DebateStatus, hold bool) *parley.Debate {
	s.t.Helper()
	d := &parley.Debate{Slug: slug, Title: "Debate " + slug, Question: "What should " + slug + " do?", Status: status,
		HoldForReview: hold, BodyMD: "An article about " + slug + ".", Topics: []string{"cities"}}
	d.BodyHTML = markup.NewArticle().Render(d.BodyMD)
	if err := d.Validate(); err != nil {
		s.t.Fatal(err)
	}
	if _, err := s.store.SaveDebate(context.Background(), d); err != nil {
		s.t.Fatal(err)
	}
	return d
}

func (s *site) comment(d *parley.Debate, parent int64, name, body string) *parley.Comment {
	s.t.Helper()
	c, _, err := s.store.CreateComment(context.Background(), store.CreateComment{
		DebateID: d.ID, ParentID: parent, AuthorName: name, AuthorEmail: strings.ToLower(name) + "@example.org",
		AvatarKey: s.srv.AvatarKey(name), BodyMD: body, BodyHTML: markup.NewComments().Render(body), MaxDepth: s.srv.cfg.MaxDepth,
		IgnoreClosed: true,
	})
	if err != nil {
		s.t.Fatal(err)
	}
	s.srv.Invalidate(d.ID)
	return c
}

// response is what a request returned.
type response struct {
	status int
	header http.Header
	body   string
}

func (s *site) do(c *http.Client, req *http.Request) response {
	s.t.Helper()
	res, err := c.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	if strings.HasPrefix(req.URL.Path, "/api/v1/") && req.URL.Path != "/api/v1/openapi.json" {
		checkAPIResponse(s.t, req.Method, req.URL.Path, res.StatusCode, res.Header.Get("Content-Type"), b)
	}
	return response{status: res.StatusCode, header: res.Header, body: string(b)}
}

func (s *site) get(path string) response {
	s.t.Helper()
	return s.getAs(s.reader, path)
}

func (s *site) getAs(c *http.Client, path string) response {
	s.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.http.URL+path, nil)
	return s.do(c, req)
}

func (s *site) postForm(c *http.Client, path string, form url.Values) response {
	s.t.Helper()
	if strings.HasPrefix(path, "/debates/") && strings.HasSuffix(path, "/comments") && !form.Has("started") {
		// As a person does: the form was shown a while ago.
		form = maps.Clone(form)
		form.Set("started", s.stamp(path, time.Minute))
	}
	req, _ := http.NewRequest(http.MethodPost, s.http.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return s.do(c, req)
}

// stamp is the signed time a comment form posting to path was shown, ago.
func (s *site) stamp(path string, ago time.Duration) string {
	s.t.Helper()
	slug := strings.Split(strings.TrimPrefix(path, "/debates/"), "/")[0]
	var id int64 // a debate that does not exist has no form: any stamp does
	if d, err := s.store.DebateBySlug(context.Background(), slug); err == nil {
		id = d.ID
	}
	ms := time.Now().Add(-ago).UnixMilli()
	for {
		last := s.lastShown.Load()
		ms = max(ms, last+1)
		if s.lastShown.CompareAndSwap(last, ms) {
			return s.srv.formStamp(id, time.UnixMilli(ms))
		}
	}
}

// api sends a JSON request; body may be a value to encode, or raw []byte.
func (s *site) api(method, path string, body any, headers ...string) response {
	s.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		r = bytes.NewReader(b)
	default:
		raw, _ := json.Marshal(b)
		r = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(method, s.http.URL+path, r)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return s.do(http.DefaultClient, req)
}

func (r response) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(r.body), v); err != nil {
		t.Fatalf("decode %q: %v", r.body, err)
	}
}

func wantStatus(t testing.TB, r response, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("got status %d, want %d; body:\n%.2000s", r.status, want, r.body)
	}
}

func wantContains(t testing.TB, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("page lacks %q", w)
		}
	}
}

func wantLacks(t testing.TB, body string, unwanted ...string) {
	t.Helper()
	for _, w := range unwanted {
		if strings.Contains(body, w) {
			t.Errorf("page contains %q, want it absent", w)
		}
	}
}

func formValues(name, email, body string) url.Values {
	return url.Values{"author_name": {name}, "author_email": {email}, "body": {body}}
}

type bytesBuffer struct{ bytes.Buffer }

// account creates a verified account with the role and a browser signed in
// to it.
func (s *site) account(name string, role parley.Role) (*parley.User, *http.Client) {
	s.t.Helper()
	u := &parley.User{Email: strings.ReplaceAll(strings.ToLower(name), " ", ".") + "@example.org", Name: name, Role: role, EmailVerifiedAt: time.Now()}
	if err := s.store.CreateUser(context.Background(), u, ""); err != nil {
		s.t.Fatal(err)
	}
	return u, s.signedIn(u)
}

// signedIn returns a new browser holding a session of the account.
func (s *site) signedIn(u *parley.User) *http.Client {
	s.t.Helper()
	token, hash := auth.NewToken()
	if err := s.store.CreateSession(context.Background(), u.ID, hash); err != nil {
		s.t.Fatal(err)
	}
	b := newBrowser()
	base, _ := url.Parse(s.http.URL)
	b.Jar.SetCookies(base, []*http.Cookie{{Name: sessionCookie, Value: token, Path: "/"}})
	return b
}

// apiToken makes an API token for the account.
func (s *site) apiToken(u *parley.User) string {
	s.t.Helper()
	token, hash, prefix := auth.NewAPIToken()
	if err := s.store.CreateAPIToken(context.Background(), &store.APIToken{UserID: u.ID, Name: "test", Prefix: prefix}, hash); err != nil {
		s.t.Fatal(err)
	}
	return token
}
