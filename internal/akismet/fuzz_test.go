package akismet

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
	header http.Header
	body   string
}

func (c canned) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		io.Copy(io.Discard, req.Body)
		req.Body.Close()
	}
	return &http.Response{StatusCode: c.status, Header: c.header, Body: io.NopCloser(strings.NewReader(c.body)), Request: req}, nil
}

// FuzzResponse feeds the client arbitrary answers: it reports a verdict only
// for the protocol's own words, and its errors never show the API key or
// the author's email, however the service echoes them.
func FuzzResponse(f *testing.F) {
	key, email := "a1b2c3d4e5f6", "alice.secret@example.net"
	for _, s := range []struct {
		status                     int
		body, help, errHdr, protip string
	}{
		{200, "true", "", "", "discard"}, {200, "false", "", "", ""}, {200, " true\n", "", "", "DISCARD"},
		{200, "invalid", "Empty \"blog\" value", "", ""}, {200, "valid", "", "", ""}, {200, thanks, "", "", ""},
		{200, "True", "", "", ""}, {200, "", "", "", "discard"}, {500, "true", "", "server key=" + key, ""},
		{200, "bad key " + key + " for " + email, email, key, ""}, {200, strings.Repeat("é", 100), strings.Repeat("\xff", 400), "", ""},
		{302, "", "", "", ""}, {200, "false\x00", "", "", "discard"}, {200, strings.Repeat("x", maxBody+1), "", "", ""},
		{200, "a1b2c3d4e5f6%40", "alice.secret%40example.net", "", ""},
		{200, "invalid", "x" + strings.Repeat("é", 200), "", ""},
	} {
		f.Add(s.status, s.body, s.help, s.errHdr, s.protip)
	}
	f.Fuzz(func(t *testing.T, status int, body, help, errHdr, protip string) {
		if status < 100 || status > 999 {
			status = 200
		}
		h := http.Header{}
		for k, v := range map[string]string{"X-akismet-debug-help": help, "X-akismet-error": errHdr, "X-akismet-pro-tip": protip} {
			if v != "" {
				h.Set(k, v)
			}
		}
		c, err := New(key, "https://rest.akismet.example", "https://debate.example.org/", &http.Client{Transport: canned{status, h, body}})
		if err != nil {
			t.Fatal(err)
		}
		cm := Comment{IP: "192.0.2.1", Author: "Alice", AuthorEmail: email, Content: "Hello"}
		ctx := context.Background()
		trimmed := strings.TrimSpace(body)
		ok := status == 200 && len(body) <= maxBody

		v, err := c.Check(ctx, cm)
		switch {
		case ok && trimmed == "true":
			if err != nil || !v.Spam || v.Discard != strings.EqualFold(protip, "discard") {
				t.Fatalf("Check on %q (tip %q) = %+v, %v", body, protip, v, err)
			}
		case ok && trimmed == "false":
			if err != nil || v.Spam || v.Discard {
				t.Fatalf("Check on %q = %+v, %v", body, v, err)
			}
		default:
			if err == nil || v != (Verdict{}) {
				t.Fatalf("Check on %d %q = %+v, %v; want an error and no verdict", status, body, v, err)
			}
			checkError(t, err, "comment-check", key, email, utf8.ValidString(help) && utf8.ValidString(errHdr))
		}

		for _, tc := range []struct {
			op, success string
			call        func() error
		}{
			{"submit-spam", thanks, func() error { return c.SubmitSpam(ctx, cm) }},
			{"submit-ham", thanks, func() error { return c.SubmitHam(ctx, cm) }},
			{"verify-key", "valid", func() error { return c.VerifyKey(ctx) }},
		} {
			err := tc.call()
			if (err == nil) != (ok && trimmed == tc.success) {
				t.Fatalf("%s on %d %q: %v", tc.op, status, body, err)
			}
			if err != nil {
				sent := email
				if tc.op == "verify-key" {
					sent = "" // not sent, so not the client's to hide
				}
				checkError(t, err, tc.op, key, sent, utf8.ValidString(help) && utf8.ValidString(errHdr))
			}
		}
	})
}

func checkError(t *testing.T, err error, op, key, email string, validHelp bool) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || e.Op != op {
		t.Fatalf("%s: %v is not an *Error of the operation", op, err)
	}
	known := false
	for _, k := range []error{ErrInvalidKey, ErrInvalidRequest, ErrStatus, ErrUnexpectedResponse} {
		known = known || errors.Is(err, k)
	}
	if !known {
		t.Fatalf("%s: error kind %v", op, e.Kind)
	}
	msg := err.Error()
	if strings.Contains(msg, key) || email != "" && strings.Contains(msg, email) {
		t.Fatalf("%s: the error shows the key or the email: %s", op, msg)
	}
	if len(e.Help) > 300+len("…") {
		t.Fatalf("%s: help of %d bytes", op, len(e.Help))
	}
	if validHelp && !utf8.ValidString(e.Help) {
		t.Fatalf("%s: the service's valid help became %q", op, e.Help)
	}
	if !utf8.ValidString(msg) {
		t.Fatalf("%s: the error is not valid UTF-8: %q", op, msg)
	}
}
