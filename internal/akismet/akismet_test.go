package akismet

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	goodKey   = "a1b2c3d4e5f6"
	badKey    = "ffffeeeedddd"
	siteURL   = "https://debate.example.org/"
	authEmail = "alice.secret@example.net"
)

// fakeAkismet is an Akismet-compatible service on 127.0.0.1. The first path
// element of the endpoint selects a behaviour:
//
//	/ok/1.1/...       the protocol (default)
//	/status500/1.1/...  500 with an X-akismet-error header
//	/slow/1.1/...     answers only after the client has given up
//	/garbage/1.1/...  200 with a body the protocol does not allow
//	/huge/1.1/...     200 with a body over 64 KiB
//	/redirect/1.1/... 307 to /ok/ (which must not be followed)
//	/echo/1.1/...     protocol errors that echo the key and email back
type fakeAkismet struct {
	*httptest.Server
	t *testing.T

	mu    sync.Mutex
	calls []call
}

type call struct {
	mode, method string
	form         url.Values
}

func newFake(t *testing.T) *fakeAkismet {
	t.Helper()
	f := &fakeAkismet{t: t}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	if !strings.HasPrefix(f.URL, "http://127.0.0.1:") {
		t.Fatalf("fake server not on 127.0.0.1: %s", f.URL)
	}
	return f
}

func (f *fakeAkismet) last() call {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.calls) == 0 {
		f.t.Fatal("no request reached the fake service")
	}
	return f.calls[len(f.calls)-1]
}

func (f *fakeAkismet) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

func (f *fakeAkismet) client(t *testing.T, mode string) *Client {
	t.Helper()
	c, err := New(goodKey, f.URL+"/"+mode, siteURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func invalid(w http.ResponseWriter, help string) {
	w.Header().Set("X-akismet-debug-help", help)
	fmt.Fprint(w, "invalid")
}

func (f *fakeAkismet) serve(w http.ResponseWriter, r *http.Request) {
	mode, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	method, ok := strings.CutPrefix(rest, "1.1/")
	if !ok {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
		http.Error(w, "bad content type "+ct, http.StatusUnsupportedMediaType)
		return
	}
	if ua := r.Header.Get("User-Agent"); ua != UserAgent {
		http.Error(w, "bad user agent "+ua, http.StatusBadRequest)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if len(r.URL.RawQuery) > 0 {
		http.Error(w, "parameters must be in the body", http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.calls = append(f.calls, call{mode: mode, method: method, form: r.PostForm})
	f.mu.Unlock()

	switch mode {
	case "status500":
		w.Header().Set("X-akismet-error", "Internal server error, please retry")
		http.Error(w, "boom", http.StatusInternalServerError)
		return
	case "slow":
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
		fmt.Fprint(w, "false")
		return
	case "garbage":
		fmt.Fprint(w, "<html>Service temporarily moved</html>")
		return
	case "huge":
		fmt.Fprint(w, strings.Repeat("x", 70<<10))
		return
	case "redirect":
		http.Redirect(w, r, "/ok/1.1/"+method, http.StatusTemporaryRedirect)
		return
	case "echo":
		// A careless service that echoes secrets back in its explanations.
		w.Header().Set("X-akismet-debug-help", "bad key "+r.PostForm.Get("api_key")+
			" for "+r.PostForm.Get("comment_author_email"))
		fmt.Fprint(w, "nonsense: "+r.PostForm.Encode())
		return
	case "ok":
	default:
		http.NotFound(w, r)
		return
	}

	form := r.PostForm
	key := form.Get("api_key")
	blog := form.Get("blog")
	if method == "verify-key" {
		switch {
		case key == "" || blog == "":
			invalid(w, "Empty \"api_key\" or \"blog\" value")
		case key != goodKey:
			invalid(w, "Invalid key "+key)
		default:
			fmt.Fprint(w, "valid")
		}
		return
	}
	switch method {
	case "comment-check", "submit-spam", "submit-ham":
	default:
		http.NotFound(w, r)
		return
	}
	switch {
	case key != goodKey:
		invalid(w, "Invalid API key. Please check your API key.")
		return
	case blog == "":
		invalid(w, "Empty \"blog\" value")
		return
	case form.Get("user_ip") == "":
		invalid(w, "Empty \"user_ip\" value")
		return
	}
	for name, vs := range form {
		if len(vs) != 1 || vs[0] == "" {
			http.Error(w, "empty or repeated parameter "+name, http.StatusBadRequest)
			return
		}
	}
	if method != "comment-check" {
		fmt.Fprint(w, thanks)
		return
	}
	w.Header().Set("X-akismet-guid", "d8f5a7c3")
	switch {
	case form.Get("comment_author") == "akismet-guaranteed-spam" && strings.Contains(form.Get("comment_content"), "blatant"):
		w.Header().Set("X-akismet-pro-tip", "discard")
		fmt.Fprint(w, "true")
	case form.Get("comment_author") == "akismet-guaranteed-spam":
		fmt.Fprint(w, "true")
	default:
		fmt.Fprint(w, "false")
	}
}

func fullComment() Comment {
	return Comment{
		IP:          "203.0.113.7",
		UserAgent:   "Mozilla/5.0 (X11; Linux x86_64)",
		Referrer:    "https://debate.example.org/d/42",
		Permalink:   "https://debate.example.org/d/42",
		Type:        "reply",
		Author:      "Alice",
		AuthorEmail: authEmail,
		Content:     "I disagree, and here is why.",
		Language:    "en",
		Created:     time.Date(2026, 3, 1, 12, 30, 0, 0, time.FixedZone("CET", 3600)),
		Test:        true,
	}
}

// assertClean fails if err's text leaks a secret.
func assertClean(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	msg := err.Error()
	for _, s := range []string{goodKey, badKey, authEmail, url.QueryEscape(authEmail)} {
		if strings.Contains(msg, s) {
			t.Errorf("error leaks %q: %s", s, msg)
		}
	}
	if !strings.HasPrefix(msg, "akismet ") {
		t.Errorf("error does not say where it comes from: %s", msg)
	}
}

func TestNew(t *testing.T) {
	c, err := New(" "+goodKey+"\n", "", siteURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Host(); got != "rest.akismet.com" {
		t.Errorf("Host() = %q, want rest.akismet.com", got)
	}
	if c.hc.Timeout != DefaultTimeout {
		t.Errorf("default timeout = %v, want %v", c.hc.Timeout, DefaultTimeout)
	}
	if c.key != goodKey {
		t.Errorf("key not trimmed: %q", c.key)
	}

	hc := &http.Client{Timeout: time.Second}
	c, err = New(goodKey, "https://spam.example.com:8443/akismet/1.1/", siteURL, hc)
	if err != nil {
		t.Fatal(err)
	}
	if c.Host() != "spam.example.com" || c.base.Path != "/akismet" {
		t.Errorf("Host %q, path %q", c.Host(), c.base.Path)
	}
	if hc.CheckRedirect != nil {
		t.Error("New modified the caller's *http.Client")
	}

	bad := []struct{ key, endpoint, site string }{
		{"", "", siteURL},
		{"  ", "", siteURL},
		{"ab cd", "", siteURL},
		{goodKey, "rest.akismet.com", siteURL},
		{goodKey, "ftp://rest.akismet.com", siteURL},
		{goodKey, "https://", siteURL},
		{goodKey, "https://user:pw@rest.akismet.com", siteURL},
		{goodKey, "https://rest.akismet.com/?x=1", siteURL},
		{goodKey, "https://rest.akismet.com/%zz", siteURL},
		{goodKey, "", ""},
		{goodKey, "", "debate.example.org"},
		{goodKey, "", "/relative"},
		{goodKey, "", "mailto:a@example.org"},
	}
	for _, b := range bad {
		if _, err := New(b.key, b.endpoint, b.site, nil); err == nil {
			t.Errorf("New(%q, %q, %q) succeeded", b.key, b.endpoint, b.site)
		} else if strings.Contains(err.Error(), "pw") || (b.key != "" && strings.Contains(err.Error(), goodKey)) {
			t.Errorf("New error leaks a secret: %v", err)
		}
	}
}

func TestCheckSendsForm(t *testing.T) {
	f := newFake(t)
	c := f.client(t, "ok")
	v, err := c.Check(context.Background(), fullComment())
	if err != nil {
		t.Fatal(err)
	}
	if v != (Verdict{}) {
		t.Errorf("verdict = %+v, want ham", v)
	}
	got := f.last()
	if got.method != "comment-check" {
		t.Errorf("method = %s", got.method)
	}
	want := url.Values{
		"api_key":              {goodKey},
		"blog":                 {siteURL},
		"blog_charset":         {"UTF-8"},
		"user_ip":              {"203.0.113.7"},
		"user_agent":           {"Mozilla/5.0 (X11; Linux x86_64)"},
		"referrer":             {"https://debate.example.org/d/42"},
		"permalink":            {"https://debate.example.org/d/42"},
		"comment_type":         {"reply"},
		"comment_author":       {"Alice"},
		"comment_author_email": {authEmail},
		"comment_content":      {"I disagree, and here is why."},
		"blog_lang":            {"en"},
		"comment_date_gmt":     {"2026-03-01T11:30:00Z"},
		"is_test":              {"true"},
	}
	if got.form.Encode() != want.Encode() {
		t.Errorf("form\n got %s\nwant %s", got.form.Encode(), want.Encode())
	}
}

func TestCheckOmitsEmptyFields(t *testing.T) {
	f := newFake(t)
	c := f.client(t, "ok")
	if _, err := c.Check(context.Background(), Comment{IP: "198.51.100.1", Content: "hi"}); err != nil {
		t.Fatal(err)
	}
	want := url.Values{
		"api_key":         {goodKey},
		"blog":            {siteURL},
		"blog_charset":    {"UTF-8"},
		"user_ip":         {"198.51.100.1"},
		"comment_content": {"hi"},
	}
	if got := f.last().form; got.Encode() != want.Encode() {
		t.Errorf("form\n got %s\nwant %s", got.Encode(), want.Encode())
	}
}

func TestCheckVerdicts(t *testing.T) {
	f := newFake(t)
	c := f.client(t, "ok")
	ctx := context.Background()

	cm := fullComment()
	cm.Author = "akismet-guaranteed-spam"
	v, err := c.Check(ctx, cm)
	if err != nil || v != (Verdict{Spam: true}) {
		t.Errorf("spam: %+v, %v", v, err)
	}

	cm.Content = "blatant spam"
	v, err = c.Check(ctx, cm)
	if err != nil || v != (Verdict{Spam: true, Discard: true}) {
		t.Errorf("blatant spam: %+v, %v", v, err)
	}
}

func TestSubmit(t *testing.T) {
	f := newFake(t)
	c := f.client(t, "ok")
	ctx := context.Background()
	if err := c.SubmitSpam(ctx, fullComment()); err != nil {
		t.Fatalf("SubmitSpam: %v", err)
	}
	if m := f.last().method; m != "submit-spam" {
		t.Errorf("SubmitSpam called %s", m)
	}
	if err := c.SubmitHam(ctx, fullComment()); err != nil {
		t.Fatalf("SubmitHam: %v", err)
	}
	got := f.last()
	if got.method != "submit-ham" {
		t.Errorf("SubmitHam called %s", got.method)
	}
	if got.form.Get("comment_content") == "" || got.form.Get("user_ip") == "" {
		t.Errorf("SubmitHam did not send the comment: %v", got.form)
	}
}

func TestVerifyKey(t *testing.T) {
	f := newFake(t)
	ctx := context.Background()
	if err := f.client(t, "ok").VerifyKey(ctx); err != nil {
		t.Fatalf("good key: %v", err)
	}
	want := url.Values{"api_key": {goodKey}, "blog": {siteURL}}
	if got := f.last().form; got.Encode() != want.Encode() {
		t.Errorf("verify-key form = %s, want %s", got.Encode(), want.Encode())
	}

	c, err := New(badKey, f.URL+"/ok", siteURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = c.VerifyKey(ctx)
	if !errors.Is(err, ErrInvalidKey) {
		t.Fatalf("bad key: err = %v, want ErrInvalidKey", err)
	}
	var e *Error
	if !errors.As(err, &e) || e.Op != "verify-key" || e.Help != "Invalid key [api key]" {
		t.Errorf("bad key: %#v", e)
	}
	assertClean(t, err)
}

func TestInvalidKeyOnCommentCalls(t *testing.T) {
	f := newFake(t)
	c, err := New(badKey, f.URL+"/ok", siteURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	_, err = c.Check(ctx, fullComment())
	checkInvalid(t, err, "comment-check")
	checkInvalid(t, c.SubmitSpam(ctx, fullComment()), "submit-spam")
	checkInvalid(t, c.SubmitHam(ctx, fullComment()), "submit-ham")
}

func checkInvalid(t *testing.T, err error, op string) {
	t.Helper()
	if !errors.Is(err, ErrInvalidRequest) {
		t.Fatalf("%s: err = %v, want ErrInvalidRequest", op, err)
	}
	msg := err.Error()
	if !strings.Contains(msg, op) || !strings.Contains(msg, "Invalid API key. Please check your API key.") {
		t.Errorf("%s: error lacks op or service help: %s", op, msg)
	}
	assertClean(t, err)
}

func TestMissingIP(t *testing.T) {
	f := newFake(t)
	c := f.client(t, "ok")
	cm := fullComment()
	cm.IP = " "
	_, err := c.Check(context.Background(), cm)
	if !errors.Is(err, ErrMissingIP) {
		t.Errorf("Check: %v, want ErrMissingIP", err)
	}
	if err := c.SubmitSpam(context.Background(), cm); !errors.Is(err, ErrMissingIP) {
		t.Errorf("SubmitSpam: %v, want ErrMissingIP", err)
	}
	assertClean(t, err)
	if n := f.count(); n != 0 {
		t.Errorf("%d requests sent for a comment without IP", n)
	}
}

// eachMethod runs every client method against c.
func eachMethod(c *Client, ctx context.Context) map[string]error {
	_, checkErr := c.Check(ctx, fullComment())
	return map[string]error{
		"comment-check": checkErr,
		"submit-spam":   c.SubmitSpam(ctx, fullComment()),
		"submit-ham":    c.SubmitHam(ctx, fullComment()),
		"verify-key":    c.VerifyKey(ctx),
	}
}

func TestServerError(t *testing.T) {
	f := newFake(t)
	for op, err := range eachMethod(f.client(t, "status500"), context.Background()) {
		var e *Error
		if !errors.As(err, &e) || !errors.Is(err, ErrStatus) || e.Status != 500 || e.Op != op {
			t.Errorf("%s: err = %v, want ErrStatus 500", op, err)
			continue
		}
		if !strings.Contains(err.Error(), "500 Internal Server Error") ||
			!strings.Contains(err.Error(), "Internal server error, please retry") {
			t.Errorf("%s: unreadable error: %s", op, err)
		}
		assertClean(t, err)
	}
}

func TestRedirectNotFollowed(t *testing.T) {
	f := newFake(t)
	for op, err := range eachMethod(f.client(t, "redirect"), context.Background()) {
		if !errors.Is(err, ErrStatus) {
			t.Errorf("%s: err = %v, want ErrStatus 307", op, err)
		}
		assertClean(t, err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.calls {
		if c.mode != "redirect" {
			t.Errorf("redirect to /%s was followed", c.mode)
		}
	}
}

func TestGarbageBody(t *testing.T) {
	f := newFake(t)
	for op, err := range eachMethod(f.client(t, "garbage"), context.Background()) {
		if !errors.Is(err, ErrUnexpectedResponse) {
			t.Errorf("%s: err = %v, want ErrUnexpectedResponse", op, err)
			continue
		}
		if !strings.Contains(err.Error(), "Service temporarily moved") {
			t.Errorf("%s: error does not show the body: %s", op, err)
		}
		assertClean(t, err)
	}
}

func TestHugeBody(t *testing.T) {
	f := newFake(t)
	for op, err := range eachMethod(f.client(t, "huge"), context.Background()) {
		if !errors.Is(err, ErrUnexpectedResponse) || !strings.Contains(err.Error(), "64 KiB") {
			t.Errorf("%s: err = %v, want ErrUnexpectedResponse (too large)", op, err)
		}
		if len(err.Error()) > 500 {
			t.Errorf("%s: error is %d bytes long", op, len(err.Error()))
		}
		assertClean(t, err)
	}
}

func TestEchoedSecretsAreScrubbed(t *testing.T) {
	f := newFake(t)
	for op, err := range eachMethod(f.client(t, "echo"), context.Background()) {
		if !errors.Is(err, ErrUnexpectedResponse) {
			t.Errorf("%s: err = %v, want ErrUnexpectedResponse", op, err)
		}
		if !strings.Contains(err.Error(), "[api key]") {
			t.Errorf("%s: key not visibly redacted: %s", op, err)
		}
		assertClean(t, err)
	}
}

func TestContextDeadline(t *testing.T) {
	f := newFake(t)
	c := f.client(t, "slow")
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Check(ctx, fullComment())
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Check took %v despite a 100ms deadline", d)
	}
	if !errors.Is(err, ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want ErrTimeout", err)
	}
	if !strings.Contains(err.Error(), "timed out") {
		t.Errorf("unreadable: %s", err)
	}
	assertClean(t, err)
}

func TestClientTimeout(t *testing.T) {
	f := newFake(t)
	c, err := New(goodKey, f.URL+"/slow", siteURL, &http.Client{Timeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	for op, err := range eachMethod(c, context.Background()) {
		if !errors.Is(err, ErrTimeout) {
			t.Errorf("%s: err = %v, want ErrTimeout", op, err)
		}
		assertClean(t, err)
	}
}

func TestCanceled(t *testing.T) {
	f := newFake(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := f.client(t, "ok").VerifyKey(ctx)
	if !errors.Is(err, ErrCanceled) || !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want ErrCanceled", err)
	}
	assertClean(t, err)
}

func TestUnreachable(t *testing.T) {
	f := newFake(t)
	endpoint := f.URL + "/ok"
	f.Close()
	c, err := New(goodKey, endpoint, siteURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	for op, err := range eachMethod(c, context.Background()) {
		if !errors.Is(err, ErrUnavailable) {
			t.Errorf("%s: err = %v, want ErrUnavailable", op, err)
		}
		assertClean(t, err)
	}
}

// The error kinds are distinct, so callers can tell them apart.
func TestErrorKindsDistinct(t *testing.T) {
	kinds := []error{ErrInvalidKey, ErrInvalidRequest, ErrStatus, ErrUnexpectedResponse,
		ErrTimeout, ErrCanceled, ErrUnavailable, ErrMissingIP}
	seen := map[string]bool{}
	for _, k := range kinds {
		if seen[k.Error()] {
			t.Errorf("duplicate error text %q", k)
		}
		seen[k.Error()] = true
	}
}

func TestConcurrentUse(t *testing.T) {
	f := newFake(t)
	c := f.client(t, "ok")
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cm := fullComment()
			if i%2 == 0 {
				cm.Author = "akismet-guaranteed-spam"
			}
			v, err := c.Check(context.Background(), cm)
			if err != nil || v.Spam != (i%2 == 0) {
				t.Errorf("goroutine %d: %+v, %v", i, v, err)
			}
		}()
	}
	wg.Wait()
}
