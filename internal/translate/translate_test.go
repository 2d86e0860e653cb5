package translate

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// self gives tests the shared client under any provider.
func (h *httpClient) self() *httpClient { return h }

// newProvider builds kind against srv with a short timeout, so the tests of
// slow answers take a fraction of a second.
func newProvider(t *testing.T, kind, baseURL, key string) Provider {
	t.Helper()
	p, err := New(kind, baseURL, key, nil)
	if err != nil {
		t.Fatal(err)
	}
	p.(interface{ self() *httpClient }).self().timeout = 300 * time.Millisecond
	return p
}

// checkKind fails unless err is an *Error of kind from provider name.
func checkKind(t *testing.T, err error, kind error, name string) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is no *Error", err, err)
	}
	if !errors.Is(err, kind) {
		t.Fatalf("error %q is not %v", err, kind)
	}
	for _, other := range []error{ErrUnsupportedPair, ErrQuota, ErrUnavailable} {
		if other != kind && errors.Is(err, other) {
			t.Fatalf("error %q is also %v", err, other)
		}
	}
	if e.Provider != name {
		t.Fatalf("error %q names provider %q, want %q", err, e.Provider, name)
	}
	return e
}

func TestNew(t *testing.T) {
	for _, c := range []struct {
		kind, url, key string
		name, base     string // want; name "" means an error
	}{
		{"deepl", "", "k", "deepl", "https://api.deepl.com"},
		{"deepl", "", "0f1e2d3c-aaaa-bbbb-cccc-000000000000:fx", "deepl", "https://api-free.deepl.com"},
		{"", "https://api-free.deepl.com/", "k", "deepl", "https://api-free.deepl.com"},
		{"", "https://api.deepl.com", "k", "deepl", "https://api.deepl.com"},
		{" DeepL ", "http://127.0.0.1:9/", "k", "deepl", "http://127.0.0.1:9"},
		{"libretranslate", "http://lt.example:5000/", "", "libretranslate", "http://lt.example:5000"},
		{"libretranslate", "https://lt.example/base/", "key", "libretranslate", "https://lt.example/base"},
		{"apertium", "http://127.0.0.1:2737", "", "apertium", "http://127.0.0.1:2737"},
		{"deepl", "", "", "", ""},                          // DeepL needs a key
		{"", "https://notdeepl.com", "k", "", ""},          // nothing to infer
		{"", "https://deepl.com.example.org", "k", "", ""}, // nor here
		{"", "", "", "", ""},
		{"google", "https://translate.example", "", "", ""},
		{"libretranslate", "", "", "", ""},
		{"apertium", "", "", "", ""},
		{"apertium", "ftp://127.0.0.1", "", "", ""},
		{"apertium", "127.0.0.1:2737", "", "", ""},
		{"libretranslate", "https://user:pw@lt.example", "", "", ""},
		{"libretranslate", "https://lt.example/?api_key=x", "", "", ""},
		{"libretranslate", "https://lt.example", "two words", "", ""},
	} {
		p, err := New(c.kind, c.url, c.key, nil)
		if c.name == "" {
			if err == nil {
				t.Errorf("New(%q, %q, %q) = %s, want an error", c.kind, c.url, c.key, p.Name())
			} else if c.key != "" && strings.Contains(err.Error(), c.key) && len(c.key) > 1 {
				t.Errorf("New error %q shows the key", err)
			}
			continue
		}
		if err != nil {
			t.Errorf("New(%q, %q, %q): %v", c.kind, c.url, c.key, err)
			continue
		}
		h := p.(interface{ self() *httpClient }).self()
		if p.Name() != c.name || h.base != c.base {
			t.Errorf("New(%q, %q, %q) = %s at %s, want %s at %s", c.kind, c.url, c.key, p.Name(), h.base, c.name, c.base)
		}
		if h.client.Timeout != DefaultTimeout || h.timeout != DefaultTimeout {
			t.Errorf("New(%q, …, nil): client timeout %v, request timeout %v, want %v", c.kind, h.client.Timeout, h.timeout, DefaultTimeout)
		}
	}
}

// Every provider, against a server that answers nothing useful in the ways a
// network fails.
var kinds = []string{"deepl", "libretranslate", "apertium"}

func TestSlowAnswerTimesOut(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // so the server notices the client leave
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	defer srv.Close()
	for _, kind := range kinds {
		p := newProvider(t, kind, srv.URL, "k")
		start := time.Now()
		_, err := p.Translate(context.Background(), "Hallo Welt", "de", "es")
		checkKind(t, err, ErrUnavailable, kind)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s: slow answer: %v, want context.DeadlineExceeded inside", kind, err)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("%s: slow answer took %v despite a 300 ms timeout", kind, d)
		}
	}
}

// A body that starts in time but never ends is cut by the same timeout.
func TestSlowBodyTimesOut(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, `{"translations":[{"text":"`)
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	defer srv.Close()
	for _, kind := range kinds {
		p := newProvider(t, kind, srv.URL, "k")
		_, err := p.Translate(context.Background(), "Hallo", "de", "es")
		checkKind(t, err, ErrUnavailable, kind)
	}
}

func TestCallerContext(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { calls.Add(1) }))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, kind := range kinds {
		p := newProvider(t, kind, srv.URL, "k")
		_, err := p.Translate(ctx, "Hallo", "de", "es")
		checkKind(t, err, ErrUnavailable, kind)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s: %v, want context.Canceled inside", kind, err)
		}
	}
	if n := calls.Load(); n != 0 {
		t.Errorf("%d requests reached the server after the context was canceled", n)
	}
}

func TestConnectionRefused(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	addr := srv.URL
	srv.Close() // nothing listens there now
	for _, kind := range kinds {
		p := newProvider(t, kind, addr, "k")
		_, err := p.Translate(context.Background(), "Hallo", "de", "es")
		checkKind(t, err, ErrUnavailable, kind)
	}
}

func TestHugeAnswer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"translatedText":"`)
		chunk := strings.Repeat("a", 64<<10)
		for range 2 * maxBody / len(chunk) {
			if _, err := io.WriteString(w, chunk); err != nil {
				return
			}
		}
		io.WriteString(w, `"}`)
	}))
	defer srv.Close()
	for _, kind := range kinds {
		p := newProvider(t, kind, srv.URL, "k")
		_, err := p.Translate(context.Background(), "Hallo", "de", "es")
		e := checkKind(t, err, ErrUnavailable, kind)
		if !strings.Contains(e.Message, "longer than") {
			t.Errorf("%s: huge answer: %q, want a note of its length", kind, err)
		}
	}
}

// The key goes only to the configured host: a redirect is an error, not
// followed.
func TestNoRedirect(t *testing.T) {
	var followed atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { followed.Add(1) }))
	defer other.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	defer srv.Close()
	for _, kind := range kinds {
		p := newProvider(t, kind, srv.URL, "secret-key")
		_, err := p.Translate(context.Background(), "Hallo", "de", "es")
		e := checkKind(t, err, ErrUnavailable, kind)
		if e.Status != http.StatusTemporaryRedirect {
			t.Errorf("%s: redirect: %q, want HTTP 307 in it", kind, err)
		}
	}
	if n := followed.Load(); n != 0 {
		t.Errorf("%d redirects followed", n)
	}
}

// Nothing to translate, or nothing to translate into, costs no request; a
// code that is no language is refused before one.
func TestNoRequestNeeded(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { calls.Add(1) }))
	defer srv.Close()
	for _, kind := range kinds {
		p := newProvider(t, kind, srv.URL, "k")
		for _, c := range []struct{ text, from, to string }{{"", "de", "en"}, {" \n", "de", "en"}, {"Hallo", "de", "DE"}, {"Hello", "en", "en-GB"}} {
			got, err := p.Translate(context.Background(), c.text, c.from, c.to)
			if err != nil || got != c.text {
				t.Errorf("%s: Translate(%q, %q, %q) = %q, %v; want the text back", kind, c.text, c.from, c.to, got, err)
			}
		}
		for _, c := range []struct{ from, to string }{{"", "en"}, {"de", ""}, {"d", "en"}, {"de", "english"}, {"1e", "en"}, {"de", "e\u00f1"}} {
			_, err := p.Translate(context.Background(), "Hallo", c.from, c.to)
			checkKind(t, err, ErrUnsupportedPair, kind)
		}
	}
	if n := calls.Load(); n != 0 {
		t.Errorf("%d requests sent when none was needed", n)
	}
}

func TestErrorText(t *testing.T) {
	h := httpClient{name: "deepl", key: "s3cr3t-key:fx"}
	err := h.fail(ErrQuota, 456, "Quota Exceeded for s3cr3t-key:fx\n\x00"+strings.Repeat("é", 400), context.DeadlineExceeded)
	s := err.Error()
	for _, want := range []string{"quota", "deepl", "HTTP 456", "Quota Exceeded for [key]", "deadline exceeded"} {
		if !strings.Contains(s, want) {
			t.Errorf("error %q lacks %q", s, want)
		}
	}
	if strings.Contains(s, "s3cr3t") || strings.ContainsAny(s, "\n\x00") {
		t.Errorf("error %q shows the key or control characters", s)
	}
	var e *Error
	if !errors.As(err, &e) || len(e.Message) > maxMessage+len("…") {
		t.Errorf("message %d bytes long, want at most %d", len(e.Message), maxMessage)
	}
	if !errors.Is(err, ErrQuota) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("errors.Is misses the kind or the cause of %q", s)
	}
}
