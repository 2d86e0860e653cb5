package translate

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

const deeplKey = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0:fx"

// fakeDeepL follows DeepL's /v2/translate: it checks the request as the
// API reference describes it and answers with "[TARGET] text", or with the
// error status and body fail names.
func fakeDeepL(t *testing.T, fail func(w http.ResponseWriter) bool) *httptest.Server {
	t.Helper()
	sources := []string{"DE", "EN", "ES", "FR", "IT", "PT", "NB"}
	targets := []string{"DE", "EN-GB", "EN-US", "ES", "FR", "IT", "PT-PT", "PT-BR", "NB"}
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v2/translate" || r.URL.RawQuery != "" {
			t.Errorf("request %s %s, want POST /v2/translate without a query", r.Method, r.URL)
		}
		if got := r.Header.Get("Authorization"); got != "DeepL-Auth-Key "+deeplKey {
			t.Errorf("Authorization %q", got)
			w.WriteHeader(http.StatusForbidden)
			return
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type %q", ct)
		}
		var req struct {
			Text       []string `json:"text"`
			SourceLang string   `json:"source_lang"`
			TargetLang string   `json:"target_lang"`
		}
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil || len(req.Text) != 1 || req.TargetLang == "" {
			t.Errorf("body %+v, %v", req, err)
		}
		if fail != nil && fail(w) {
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if !slices.Contains(sources, req.SourceLang) {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"message":"Value for 'source_lang' not supported."}`)
			return
		}
		if !slices.Contains(targets, req.TargetLang) {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"message":"Bad request. Reason: Value for 'target_lang' not supported."}`)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"translations": []map[string]string{
			{"detected_source_language": req.SourceLang, "text": "[" + req.TargetLang + "] " + req.Text[0]},
		}})
	}))
}

func TestDeepL(t *testing.T) {
	srv := fakeDeepL(t, nil)
	defer srv.Close()
	p := newProvider(t, "deepl", srv.URL, deeplKey)
	if p.Name() != "deepl" {
		t.Errorf("Name %q", p.Name())
	}
	// The text goes as it is (Markdown, "<" and "&" included) and comes
	// back as plain text, unescaped.
	text := "Ich *stimme* nicht zu: <b> & \"Zitat\"\n\n> Absatz"
	for _, c := range []struct{ from, to, want string }{
		{"de", "en", "[EN-GB] "}, {"DE", "en-US", "[EN-GB] "}, {"de", "pt", "[PT-PT] "},
		{"de", "es", "[ES] "}, {"en", "de", "[DE] "}, {"pt", "fr", "[FR] "}, {"no", "de", "[DE] "},
	} {
		got, err := p.Translate(context.Background(), text, c.from, c.to)
		if err != nil || got != c.want+text {
			t.Errorf("Translate(%s→%s) = %q, %v; want %q", c.from, c.to, got, err, c.want+text)
		}
	}
	for _, c := range []struct{ from, to string }{{"ca", "en"}, {"de", "eu"}} {
		_, err := p.Translate(context.Background(), text, c.from, c.to)
		e := checkKind(t, err, ErrUnsupportedPair, "deepl")
		if e.Status != 400 || !strings.Contains(e.Message, "not supported") {
			t.Errorf("%s→%s: %q, want DeepL's 400 and message", c.from, c.to, err)
		}
	}
}

func TestDeepLErrors(t *testing.T) {
	for _, c := range []struct {
		status int
		body   string
		kind   error
	}{
		{400, `{"message":"Parameter 'text' not specified."}`, ErrUnavailable},
		{403, `{"message":"Wrong endpoint. Use https://api.deepl.com"}`, ErrUnavailable},
		{403, `{"message":"Authorization failure, check auth_key"}`, ErrUnavailable},
		{404, `{"message":"Not found"}`, ErrUnavailable},
		{413, `{"message":"Request Entity Too Large"}`, ErrUnavailable},
		{414, `{"message":"URI Too Long"}`, ErrUnavailable},
		{429, `{"message":"Too many requests"}`, ErrUnavailable},
		{456, `{"message":"Quota Exceeded"}`, ErrQuota},
		{456, `{"message":"Quota exceeded","detail":"Character limit reached."}`, ErrQuota},
		{500, `{"message":"Internal Server Error"}`, ErrUnavailable},
		{503, `{"message":"Service Unavailable"}`, ErrUnavailable},
		{504, "<html><body>504 Gateway Time-out</body></html>", ErrUnavailable},
		{529, `{"message":"Too many requests, DeepL servers are currently experiencing high load"}`, ErrUnavailable},
		{200, `{"translations":[]}`, ErrUnavailable},
		{200, `{"translations":[{"text":"a"},{"text":"b"}]}`, ErrUnavailable},
		{200, `{"translations":[{"detected_source_language":"DE"}]}`, ErrUnavailable},
		{200, `{"translations":[{"text":12}]}`, ErrUnavailable},
		{200, `<html>Moved</html>`, ErrUnavailable},
		{200, "\x00\xff\xfe garbage", ErrUnavailable},
		{200, "", ErrUnavailable},
	} {
		srv := fakeDeepL(t, func(w http.ResponseWriter) bool {
			w.WriteHeader(c.status)
			io.WriteString(w, c.body)
			return true
		})
		p := newProvider(t, "deepl", srv.URL, deeplKey)
		got, err := p.Translate(context.Background(), "Hallo Welt", "de", "en")
		srv.Close()
		if err == nil {
			t.Errorf("%d %q: translated to %q, want an error", c.status, c.body, got)
			continue
		}
		e := checkKind(t, err, c.kind, "deepl")
		if e.Status != c.status {
			t.Errorf("%d %q: error %q has status %d", c.status, c.body, err, e.Status)
		}
		if c.status != 200 && strings.HasPrefix(c.body, "{") {
			var m struct{ Message string }
			json.Unmarshal([]byte(c.body), &m)
			if !strings.Contains(e.Message, m.Message) {
				t.Errorf("%d: error %q lacks DeepL's message %q", c.status, err, m.Message)
			}
		}
		if strings.Contains(err.Error(), deeplKey) {
			t.Errorf("error %q shows the key", err)
		}
	}
}

// The request is the documented JSON, key in the header and not the body.
func TestDeepLRequestBody(t *testing.T) {
	var body []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ = io.ReadAll(r.Body)
		io.WriteString(w, `{"translations":[{"detected_source_language":"DE","text":"Hello"}]}`)
	}))
	defer srv.Close()
	p := newProvider(t, "deepl", srv.URL+"/", deeplKey)
	if got, err := p.Translate(context.Background(), "Hallo", "de", "en"); err != nil || got != "Hello" {
		t.Fatalf("Translate = %q, %v", got, err)
	}
	want := `{"text":["Hallo"],"source_lang":"DE","target_lang":"EN-GB"}`
	if string(bytes.TrimSpace(body)) != want {
		t.Errorf("body %s, want %s", body, want)
	}
}
