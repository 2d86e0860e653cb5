package translate

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// fakeLibreTranslate follows LibreTranslate's POST /translate: it checks the
// request as its API documents it, knows English, Spanish and German with
// no German from Spanish, and answers "[source→target] text" or the error
// that fail writes.
func fakeLibreTranslate(t *testing.T, key string, fail func(w http.ResponseWriter) bool) *httptest.Server {
	t.Helper()
	names := map[string]string{"en": "English", "es": "Spanish", "de": "German"}
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/translate" || r.URL.RawQuery != "" {
			t.Errorf("request %s %s, want POST /translate without a query", r.Method, r.URL)
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type %q", ct)
		}
		var req map[string]any
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			t.Errorf("body: %v", err)
		}
		for k := range req {
			switch k {
			case "q", "source", "target", "format", "api_key":
			default:
				t.Errorf("body has field %q", k)
			}
		}
		if req["format"] != "text" {
			t.Errorf("format %v, want text", req["format"])
		}
		if k, ok := req["api_key"]; key == "" && ok || key != "" && k != key {
			t.Errorf("api_key %v (sent: %v), want %q", k, ok, key)
		}
		if fail != nil && fail(w) {
			return
		}
		w.Header().Set("Content-Type", "application/json")
		q, _ := req["q"].(string)
		src, _ := req["source"].(string)
		tgt, _ := req["target"].(string)
		switch {
		case q == "":
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"error":"Invalid request: missing q parameter"}`)
		case names[src] == "":
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"error":"`+src+` is not supported"}`)
		case names[tgt] == "":
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"error":"`+tgt+` is not supported"}`)
		case src == "es" && tgt == "de":
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"error":"German (de) is not available as a target language from Spanish (es)"}`)
		default:
			json.NewEncoder(w).Encode(map[string]string{"translatedText": "[" + src + "→" + tgt + "] " + q})
		}
	}))
}

func TestLibreTranslate(t *testing.T) {
	for _, key := range []string{"", "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"} {
		srv := fakeLibreTranslate(t, key, nil)
		p := newProvider(t, "libretranslate", srv.URL, key)
		if p.Name() != "libretranslate" {
			t.Errorf("Name %q", p.Name())
		}
		text := "No *estoy* de acuerdo: <b> & \"cita\"\n\n> párrafo"
		got, err := p.Translate(context.Background(), text, "ES", "en-GB")
		if want := "[es→en] " + text; err != nil || got != want {
			t.Errorf("Translate = %q, %v; want %q", got, err, want)
		}
		for _, c := range []struct{ from, to string }{{"es", "de"}, {"ca", "en"}, {"en", "eu"}} {
			_, err := p.Translate(context.Background(), "Hola", c.from, c.to)
			e := checkKind(t, err, ErrUnsupportedPair, "libretranslate")
			if e.Status != 400 || !strings.Contains(e.Message, "not") {
				t.Errorf("%s→%s: %q, want LibreTranslate's 400 and message", c.from, c.to, err)
			}
		}
		srv.Close()
	}
}

func TestLibreTranslateErrors(t *testing.T) {
	const key = "lt-key-123"
	for _, c := range []struct {
		status int
		body   string
		kind   error
	}{
		{400, `{"error":"Invalid request: request (12000) exceeds text limit (5000)"}`, ErrUnavailable},
		{400, `{"error":"Visit https://portal.libretranslate.com to get an API key"}`, ErrUnavailable},
		{400, `{"error":"xml format is not supported"}`, ErrUnavailable},
		{403, `{"error":"Too many request limits violations"}`, ErrQuota},
		{403, `{"error":"Invalid API key"}`, ErrUnavailable},
		{429, `{"error":"Slowdown: 20 per 1 minute"}`, ErrQuota},
		{429, `{"error":"Slowdown: 80 per 1 day"}`, ErrQuota},
		{500, `{"error":"Cannot translate text: list index out of range"}`, ErrUnavailable},
		{502, "<html><body><h1>502 Bad Gateway</h1></body></html>", ErrUnavailable},
		{503, "", ErrUnavailable},
		{200, `{"translatedText":["a","b"]}`, ErrUnavailable},
		{200, `{"detectedLanguage":{"confidence":90,"language":"es"}}`, ErrUnavailable},
		{200, `{"translatedText":null}`, ErrUnavailable},
		{200, `[{"translatedText":"a"}]`, ErrUnavailable},
		{200, "\x00\xff garbage", ErrUnavailable},
	} {
		srv := fakeLibreTranslate(t, key, func(w http.ResponseWriter) bool {
			w.WriteHeader(c.status)
			io.WriteString(w, c.body)
			return true
		})
		p := newProvider(t, "libretranslate", srv.URL, key)
		got, err := p.Translate(context.Background(), "Hola", "es", "en")
		srv.Close()
		if err == nil {
			t.Errorf("%d %q: translated to %q, want an error", c.status, c.body, got)
			continue
		}
		e := checkKind(t, err, c.kind, "libretranslate")
		if e.Status != c.status {
			t.Errorf("%d %q: error %q has status %d", c.status, c.body, err, e.Status)
		}
		if c.status != 200 && strings.HasPrefix(c.body, "{") {
			var m struct{ Error string }
			json.Unmarshal([]byte(c.body), &m)
			if !strings.Contains(e.Message, m.Error) {
				t.Errorf("%d: error %q lacks LibreTranslate's message %q", c.status, err, m.Error)
			}
		}
	}
}
