package translate

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"
)

// fakeAPy answers like Apertium APy 0.11's /translate (Debian's
// apertium-apy) with the pairs spa|eng and eng|spa installed: "[pair] q", or
// the error that fail writes.
func fakeAPy(t *testing.T, fail func(w http.ResponseWriter) bool) *httptest.Server {
	t.Helper()
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/translate" || r.URL.RawQuery != "" {
			t.Errorf("request %s %s, want POST /translate without a query", r.Method, r.URL)
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
			t.Errorf("Content-Type %q", ct)
		}
		if err := r.ParseForm(); err != nil {
			t.Errorf("form: %v", err)
		}
		for k, want := range map[string]string{"markUnknown": "no", "format": "txt"} {
			if got := r.PostForm.Get(k); got != want {
				t.Errorf("%s=%q, want %q", k, got, want)
			}
		}
		if r.PostForm.Has("key") || r.PostForm.Has("api_key") {
			t.Errorf("a key was sent: %v", r.PostForm)
		}
		if fail != nil && fail(w) {
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		pair := r.PostForm.Get("langpair")
		if pair != "spa|eng" && pair != "eng|spa" {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"status": "error", "code": 400, "message": "Bad Request", "explanation": "That pair is not installed"}`)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{
			"responseData":    map[string]string{"translatedText": "[" + pair + "] " + r.PostForm.Get("q")},
			"responseDetails": nil,
			"responseStatus":  200,
		})
	}))
}

func TestApertium(t *testing.T) {
	srv := fakeAPy(t, nil)
	defer srv.Close()
	p := newProvider(t, "apertium", srv.URL, "")
	if p.Name() != "apertium" {
		t.Errorf("Name %q", p.Name())
	}
	text := "No *estoy* de acuerdo: <b> & \"cita\" 100%\n\n> párrafo + más"
	for _, c := range []struct{ from, to, pair string }{{"es", "en", "spa|eng"}, {"EN", "es-MX", "eng|spa"}, {"spa", "eng", "spa|eng"}} {
		got, err := p.Translate(context.Background(), text, c.from, c.to)
		if want := "[" + c.pair + "] " + text; err != nil || got != want {
			t.Errorf("Translate(%s→%s) = %q, %v; want %q", c.from, c.to, got, err, want)
		}
	}
	for _, c := range []struct{ from, to string }{{"es", "de"}, {"ca", "en"}, {"xx", "en"}} {
		_, err := p.Translate(context.Background(), "Hola", c.from, c.to)
		checkKind(t, err, ErrUnsupportedPair, "apertium")
	}
	_, err := p.Translate(context.Background(), "Hola", "es", "de")
	if e := checkKind(t, err, ErrUnsupportedPair, "apertium"); e.Status != 400 || e.Message != "That pair is not installed" {
		t.Errorf("error %q, want APy's 400 and explanation", err)
	}
}

func TestApertiumCodes(t *testing.T) {
	for from, want := range map[string]string{"es": "spa", "en": "eng", "de": "deu", "fr": "fra", "ca": "cat", "pt": "por", "it": "ita", "ro": "ron", "no": "nob", "nn": "nno", "gl": "glg", "oc": "oci", "eu": "eus", "ast": "ast", "xx": ""} {
		if got := apertiumCode(from); got != want {
			t.Errorf("apertiumCode(%q) = %q, want %q", from, got, want)
		}
	}
}

func TestApertiumErrors(t *testing.T) {
	for _, c := range []struct {
		status int
		body   string
		kind   error
		code   int // the status the error reports
		msg    string
	}{
		{400, `{"status": "error", "code": 400, "message": "Bad Request", "explanation": "That pair is invalid, use e.g. eng|spa"}`, ErrUnsupportedPair, 400, "That pair is invalid, use e.g. eng|spa"},
		// Older APy: the ScaleMT-style body.
		{400, `{"responseData": null, "responseDetails": "That pair is not installed", "responseStatus": 400}`, ErrUnsupportedPair, 400, "That pair is not installed"},
		{200, `{"responseData": {"translatedText": null}, "responseDetails": "That pair is not installed", "responseStatus": 400}`, ErrUnsupportedPair, 400, "That pair is not installed"},
		{400, `{"status": "error", "code": 400, "message": "Bad Request", "explanation": "Missing argument q"}`, ErrUnavailable, 400, "Missing argument q"},
		{503, `{"status": "error", "code": 503, "message": "Service Unavailable", "explanation": "internal error"}`, ErrUnavailable, 503, "internal error"},
		{500, `{"status": "error", "code": 500, "message": "Internal Server Error", "explanation": "Unexpected condition on server. Request could not be fulfilled."}`, ErrUnavailable, 500, "Unexpected condition"},
		{408, `{"status": "error", "code": 408, "message": "Request Timeout", "explanation": ""}`, ErrUnavailable, 408, "Request Timeout"},
		{502, "<html>Bad Gateway</html>", ErrUnavailable, 502, "Bad Gateway"},
		{200, `{"responseData": [{"sourceLanguage": "spa", "targetLanguage": "eng"}], "responseDetails": null, "responseStatus": 200}`, ErrUnavailable, 200, ""},
		{200, `{"responseData": {"translatedText": 7}, "responseStatus": 200}`, ErrUnavailable, 200, ""},
		{200, `{"responseData": {}, "responseStatus": 200}`, ErrUnavailable, 200, ""},
		{200, `{"responseData": {"translatedText": "x"}}`, ErrUnavailable, 200, ""},
		{200, "garbage\x00\xff", ErrUnavailable, 200, ""},
	} {
		srv := fakeAPy(t, func(w http.ResponseWriter) bool {
			w.WriteHeader(c.status)
			io.WriteString(w, c.body)
			return true
		})
		p := newProvider(t, "apertium", srv.URL, "")
		got, err := p.Translate(context.Background(), "Hola", "es", "en")
		srv.Close()
		if err == nil {
			t.Errorf("%d %q: translated to %q, want an error", c.status, c.body, got)
			continue
		}
		e := checkKind(t, err, c.kind, "apertium")
		if e.Status != c.code || !strings.Contains(e.Message, c.msg) {
			t.Errorf("%d %q: error %q, want status %d and message %q", c.status, c.body, err, c.code, c.msg)
		}
	}
}

// TestApertiumReal translates with a real Apertium APy: Debian's
// apertium-apy with apertium-eng-spa (.ci/apertium starts one).
func TestApertiumReal(t *testing.T) {
	addr := os.Getenv("PARLEY_APERTIUM_URL")
	if addr == "" {
		if os.Getenv("PARLEY_REQUIRE_APERTIUM") == "1" {
			t.Fatal("PARLEY_REQUIRE_APERTIUM=1 but PARLEY_APERTIUM_URL is not set (start APy with .ci/apertium)")
		}
		t.Skip("PARLEY_APERTIUM_URL is not set: skipping the test against a real Apertium APy (.ci/apertium starts one)")
	}
	p, err := New("apertium", addr, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	text := "No estoy de acuerdo con el artículo: el transporte público es demasiado caro para las familias."
	got, err := p.Translate(ctx, text, "es", "en")
	if err != nil {
		t.Fatalf("Translate: %v", err)
	}
	t.Logf("%q → %q", text, got)
	if got == text || strings.TrimSpace(got) == "" {
		t.Fatalf("translation %q is not one", got)
	}
	english, spanish := 0, 0
	for _, w := range strings.FieldsFunc(strings.ToLower(got), func(r rune) bool { return !('a' <= r && r <= 'z' || r > 127) }) {
		switch w {
		case "the", "i", "do", "not", "with", "is", "too", "for", "of", "and", "to":
			english++
		case "el", "la", "las", "los", "estoy", "con", "es", "para", "demasiado", "artículo", "público":
			spanish++
		}
	}
	if english < 4 || spanish > 0 {
		t.Errorf("%q does not look English (%d English, %d Spanish words)", got, english, spanish)
	}

	// An uninstalled pair is the error the reader is told about, not a
	// broken page.
	_, err = p.Translate(ctx, text, "es", "de")
	checkKind(t, err, ErrUnsupportedPair, "apertium")
}
