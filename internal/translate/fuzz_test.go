package translate

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"
)

// canned answers every request with one fuzzed response, without a network.
type canned struct {
	status int
	body   []byte
}

func (c canned) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		io.Copy(io.Discard, req.Body)
		req.Body.Close()
	}
	return &http.Response{StatusCode: c.status, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(string(c.body))), Request: req}, nil
}

const fuzzKey = "fuzz-key-7d3a:fx"

// fuzzProvider runs one fuzzed answer through a provider: it never panics,
// succeeds only on a 200, and fails only with an *Error of one of the three
// kinds, whose text is one valid line without the key.
func fuzzProvider(t *testing.T, kind string, status int, body []byte) {
	if status < 100 || status > 999 {
		status = 200
	}
	p, err := New(kind, "https://translate.example", fuzzKey, &http.Client{Transport: canned{status, body}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := p.Translate(context.Background(), "Hallo Welt", "de", "es")
	if err == nil {
		if status != http.StatusOK {
			t.Fatalf("HTTP %d %q: translated to %q", status, body, got)
		}
		return
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is no *Error", err, err)
	}
	n := 0
	for _, k := range []error{ErrUnsupportedPair, ErrQuota, ErrUnavailable} {
		if errors.Is(err, k) {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("error %q is of %d kinds", err, n)
	}
	if e.Kind == ErrQuota && kind == "apertium" {
		t.Fatalf("apertium has no quota, yet %q", err)
	}
	s := err.Error()
	if strings.Contains(s, fuzzKey) || !utf8.ValidString(e.Message) || strings.ContainsAny(e.Message, "\n\r\x00") {
		t.Fatalf("error %q shows the key, invalid UTF-8 or control characters", s)
	}
	if len(e.Message) > maxMessage+len("…") {
		t.Fatalf("message %d bytes long", len(e.Message))
	}
}

func FuzzDeepLResponse(f *testing.F) {
	for _, s := range []struct {
		status int
		body   string
	}{
		{200, `{"translations":[{"detected_source_language":"DE","text":"Hola mundo"}]}`},
		{200, `{"translations":[]}`}, {200, `{"translations":[{"text":null}]}`}, {200, `{"translations":{}}`},
		{400, `{"message":"Value for 'target_lang' not supported."}`}, {403, `{"message":"Wrong key ` + fuzzKey + `"}`},
		{456, `{"message":"Quota Exceeded"}`}, {429, `{"message":"Too many requests"}`}, {500, ""},
		{504, "<html>\n</html>"}, {200, "\xff\xfe"}, {200, "null"}, {456, `{"message":7,"detail":"x"}`},
	} {
		f.Add(s.status, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		parseDeepL(body)
		deeplKind(status, deeplMessage(body))
		fuzzProvider(t, "deepl", status, body)
	})
}

func FuzzLibreTranslateResponse(f *testing.F) {
	for _, s := range []struct {
		status int
		body   string
	}{
		{200, `{"translatedText":"Hola mundo"}`}, {200, `{"translatedText":["a"]}`}, {200, `{}`},
		{400, `{"error":"de is not supported"}`}, {400, `{"error":"Invalid request: missing q parameter"}`},
		{403, `{"error":"Too many request limits violations"}`}, {403, `{"error":"Invalid API key ` + fuzzKey + `"}`},
		{429, `{"error":"Slowdown: 20 per 1 minute"}`}, {500, `{"error":"Cannot translate text"}`},
		{502, "<html>Bad Gateway</html>"}, {200, "\x00"}, {200, `{"translatedText":null}`},
	} {
		f.Add(s.status, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		parseLibreTranslate(body)
		libreKind(status, libreMessage(body))
		fuzzProvider(t, "libretranslate", status, body)
	})
}

func FuzzApertiumResponse(f *testing.F) {
	for _, s := range []struct {
		status int
		body   string
	}{
		{200, `{"responseData": {"translatedText": "Hello World"}, "responseDetails": null, "responseStatus": 200}`},
		{400, `{"status": "error", "code": 400, "message": "Bad Request", "explanation": "That pair is not installed"}`},
		{400, `{"responseData": null, "responseDetails": "That pair is not installed", "responseStatus": 400}`},
		{200, `{"responseData": null, "responseDetails": "x", "responseStatus": 400}`},
		{200, `{"responseData": [{"sourceLanguage": "spa", "targetLanguage": "eng"}], "responseStatus": 200}`},
		{503, `{"status": "error", "code": 503, "message": "Service Unavailable", "explanation": "internal error"}`},
		{200, `{"responseStatus": "200"}`}, {200, "garbage"}, {500, ""}, {200, `{"responseStatus": 200, "responseData": {"translatedText": 1}}`},
	} {
		f.Add(s.status, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		parseApertium(body)
		apertiumError(body)
		fuzzProvider(t, "apertium", status, body)
	})
}
