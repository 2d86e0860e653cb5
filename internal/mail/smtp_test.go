package mail_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-org/parley/internal/mail"
	"github.com/parley-org/parley/internal/mail/mailtest"
)

const from = "Parley <noreply@parley.example>"

func newSMTP(t *testing.T, rawURL string) *mail.SMTP {
	t.Helper()
	s, err := mail.NewSMTP(rawURL, from)
	if err != nil {
		t.Fatalf("NewSMTP: %v", err)
	}
	return s
}

func waitOne(t *testing.T, srv *mailtest.Server, n int) []mailtest.Received {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	got := srv.Wait(ctx, n)
	if len(got) < n {
		t.Fatalf("received %d messages, want %d", len(got), n)
	}
	return got
}

func reply() mail.Message {
	return mail.Message{
		To:      "Anna Beispiel <anna@example.org>",
		Subject: "Antwort von Dr. Müller",
		Text:    "Dr. Müller hat geantwortet.\n\nhttps://parley.example/d/1#c2",
		HTML:    `<p>Dr. Müller hat <a href="https://parley.example/d/1#c2">geantwortet</a>.</p>`,
		Headers: map[string]string{
			"List-Unsubscribe":      "<https://parley.example/unsubscribe?t=abc123>",
			"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		},
		Key: "notify-42",
	}
}

func TestSendMultipart(t *testing.T) {
	srv := mailtest.New(t, mailtest.Options{})
	s := newSMTP(t, srv.URL())
	if err := s.Send(t.Context(), reply()); err != nil {
		t.Fatal(err)
	}
	r := waitOne(t, srv, 1)[0]
	if r.ParseErr != nil {
		t.Fatalf("parsing what arrived: %v\n%s", r.ParseErr, r.Raw)
	}
	if r.From != "noreply@parley.example" || len(r.To) != 1 || r.To[0] != "anna@example.org" {
		t.Errorf("envelope from %q to %q", r.From, r.To)
	}
	if r.Subject != "Antwort von Dr. Müller" {
		t.Errorf("subject %q", r.Subject)
	}
	if raw := r.Header.Get("Subject"); !strings.HasPrefix(strings.ToLower(raw), "=?utf-8?") {
		t.Errorf("subject is not RFC 2047 encoded: %q", raw)
	}
	if got := r.Header.Get("From"); got != `"Parley" <noreply@parley.example>` && got != "Parley <noreply@parley.example>" {
		t.Errorf("From %q", got)
	}
	if to, err := r.Header.AddressList("To"); err != nil || len(to) != 1 || to[0].Address != "anna@example.org" || to[0].Name != "Anna Beispiel" {
		t.Errorf("To %v, %v", to, err)
	}
	if got := r.Header.Get("List-Unsubscribe"); got != "<https://parley.example/unsubscribe?t=abc123>" {
		t.Errorf("List-Unsubscribe %q", got)
	}
	if got := r.Header.Get("List-Unsubscribe-Post"); got != "List-Unsubscribe=One-Click" {
		t.Errorf("List-Unsubscribe-Post %q", got)
	}
	if got := r.Header.Get("Message-Id"); got != "<notify-42@parley.example>" {
		t.Errorf("Message-ID %q", got)
	}
	if _, err := r.Header.Date(); err != nil {
		t.Errorf("Date: %v", err)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "multipart/alternative;") {
		t.Errorf("Content-Type %q", ct)
	}
	if len(r.Parts) != 2 || r.Parts[0].ContentType != "text/plain" || r.Parts[1].ContentType != "text/html" {
		t.Fatalf("parts %+v", r.Parts)
	}
	for _, p := range r.Parts {
		if !strings.EqualFold(p.Params["charset"], "utf-8") {
			t.Errorf("%s charset %q", p.ContentType, p.Params["charset"])
		}
	}
	m := reply()
	if !sameBody(r.Text, m.Text) || !sameBody(r.HTML, m.HTML) {
		t.Errorf("bodies:\n%q\n%q", r.Text, r.HTML)
	}
}

// sameBody compares bodies but for the line break that ends a MIME part.
func sameBody(got, want string) bool { return strings.TrimSuffix(got, "\n") == want }

func TestSendSinglePart(t *testing.T) {
	srv := mailtest.New(t, mailtest.Options{})
	s := newSMTP(t, srv.URL())
	m := reply()
	m.HTML = ""
	if err := s.Send(t.Context(), m); err != nil {
		t.Fatal(err)
	}
	m = reply()
	m.Text = ""
	if err := s.Send(t.Context(), m); err != nil {
		t.Fatal(err)
	}
	got := waitOne(t, srv, 2)
	if len(got[0].Parts) != 1 || !sameBody(got[0].Text, reply().Text) || len(got[1].Parts) != 1 || !sameBody(got[1].HTML, reply().HTML) {
		t.Errorf("parts %+v / %+v", got[0].Parts, got[1].Parts)
	}
}

func TestStableMessageID(t *testing.T) {
	srv := mailtest.New(t, mailtest.Options{})
	s := newSMTP(t, srv.URL())
	keys := []string{"reset-7", "reset-7", "reset:7 über", "reset:7 über", ""}
	for _, k := range keys {
		m := reply()
		m.Key = k
		if err := s.Send(t.Context(), m); err != nil {
			t.Fatal(err)
		}
	}
	got := waitOne(t, srv, len(keys))
	id := func(i int) string { return got[i].Header.Get("Message-Id") }
	if id(0) != "<reset-7@parley.example>" || id(1) != id(0) {
		t.Errorf("same key, IDs %q and %q", id(0), id(1))
	}
	if id(2) != id(3) || !strings.HasSuffix(id(2), "@parley.example>") || strings.ContainsAny(id(2), ": ü") {
		t.Errorf("unsafe key, IDs %q and %q", id(2), id(3))
	}
	if !strings.HasSuffix(id(4), "@parley.example>") || id(4) == id(0) || id(4) == id(2) {
		t.Errorf("no key, ID %q", id(4))
	}
}

func TestAuth(t *testing.T) {
	srv := mailtest.New(t, mailtest.Options{Username: "parley", Password: "s3cret"})
	if err := newSMTP(t, srv.URL()).Send(t.Context(), reply()); err != nil {
		t.Fatal(err)
	}
	if r := waitOne(t, srv, 1)[0]; r.User != "parley" {
		t.Errorf("authenticated as %q", r.User)
	}

	wrong := strings.Replace(srv.URL(), "s3cret", "wr0ng-pass", 1)
	err := newSMTP(t, wrong).Send(t.Context(), reply())
	if err == nil {
		t.Fatal("wrong password: no error")
	}
	t.Logf("wrong password: %v", err)
	var e *mail.Error
	if !errors.As(err, &e) || e.Code != 535 || !strings.Contains(err.Error(), "AUTH") {
		t.Errorf("wrong password: error %v does not say AUTH failed with 535", err)
	}
	if mail.IsPermanent(err) {
		t.Error("an AUTH failure is our configuration, not the message: it must be retried")
	}
	if strings.Contains(err.Error(), "wr0ng-pass") {
		t.Error("error contains the password")
	}

	noCreds := strings.Replace(srv.URL(), "parley:s3cret@", "", 1)
	if err := newSMTP(t, noCreds).Send(t.Context(), reply()); err == nil || mail.IsPermanent(err) {
		t.Errorf("no credentials: %v", err)
	}
	if n := len(srv.Received()); n != 1 {
		t.Errorf("received %d messages", n)
	}
}

func TestSTARTTLS(t *testing.T) {
	srv := mailtest.New(t, mailtest.Options{TLS: true, Username: "parley", Password: "s3cret"})
	if !strings.Contains(srv.URL(), "insecure_skip_verify=1") {
		t.Fatalf("URL %s", srv.URL())
	}
	if err := newSMTP(t, srv.URL()).Send(t.Context(), reply()); err != nil {
		t.Fatal(err)
	}
	if r := waitOne(t, srv, 1)[0]; !r.TLS || r.User != "parley" || r.Subject != reply().Subject {
		t.Errorf("TLS %v, user %q, subject %q", r.TLS, r.User, r.Subject)
	}

	// Without insecure_skip_verify the self-signed certificate is refused.
	strict := strings.Replace(srv.URL(), "insecure_skip_verify=1", "starttls=required", 1)
	err := newSMTP(t, strict).Send(t.Context(), reply())
	if err == nil || mail.IsPermanent(err) || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("self-signed certificate, verified: %v", err)
	}
}

func TestSTARTTLSRequiredByDefault(t *testing.T) {
	srv := mailtest.New(t, mailtest.Options{}) // offers no STARTTLS
	url := strings.Replace(srv.URL(), "?starttls=none", "", 1)
	err := newSMTP(t, url).Send(t.Context(), reply())
	if err == nil || mail.IsPermanent(err) || !strings.Contains(err.Error(), "STARTTLS") {
		t.Errorf("server without STARTTLS: %v", err)
	}
	if err := newSMTP(t, url+"?starttls=opportunistic").Send(t.Context(), reply()); err != nil {
		t.Errorf("opportunistic: %v", err)
	}
	waitOne(t, srv, 1)
}

func TestClassifiedErrors(t *testing.T) {
	srv := mailtest.New(t, mailtest.Options{})
	s := newSMTP(t, srv.URL())
	tests := []struct {
		cmd       mailtest.Command
		code      int
		permanent bool
	}{
		{mailtest.RCPT, 451, false},
		{mailtest.RCPT, 550, true},
		{mailtest.DATA, 451, false},
		{mailtest.DATA, 554, true},
		{mailtest.MAIL, 451, false},
		{mailtest.MAIL, 553, false}, // the server refused our sender: configuration, retry
	}
	for _, tt := range tests {
		srv.FailNext(tt.cmd, 1, tt.code, "<anna@example.org>: injected, ANNA@example.org")
		err := s.Send(t.Context(), reply())
		var e *mail.Error
		if !errors.As(err, &e) || e.Code != tt.code {
			t.Errorf("%s %d: error %v, want code %d", tt.cmd, tt.code, err, tt.code)
			continue
		}
		if mail.IsPermanent(err) != tt.permanent || e.Permanent != tt.permanent {
			t.Errorf("%s %d: IsPermanent %v, want %v", tt.cmd, tt.code, mail.IsPermanent(err), tt.permanent)
		}
		if strings.Contains(strings.ToLower(err.Error()), "anna@example.org") {
			t.Errorf("%s %d: error names the recipient: %v", tt.cmd, tt.code, err)
		}
		t.Logf("%s %d: %v", tt.cmd, tt.code, err)
		if !strings.Contains(err.Error(), "[recipient]") {
			t.Errorf("%s %d: error does not show where the recipient was redacted: %v", tt.cmd, tt.code, err)
		}
	}
	if n := len(srv.Received()); n != 0 {
		t.Errorf("received %d messages", n)
	}
	// The injected failures are used up: the retry goes through.
	if err := s.Send(t.Context(), reply()); err != nil {
		t.Fatal(err)
	}
	waitOne(t, srv, 1)
	if mail.IsPermanent(nil) || mail.IsPermanent(errors.New("x")) {
		t.Error("IsPermanent of nil or a plain error")
	}
}

func TestServerDown(t *testing.T) {
	srv := mailtest.New(t, mailtest.Options{})
	s := newSMTP(t, srv.URL())
	srv.Stop()
	start := time.Now()
	err := s.Send(t.Context(), reply())
	if err == nil || mail.IsPermanent(err) {
		t.Fatalf("server down: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("server down: took %v", d)
	}
	srv.Start()
	if err := s.Send(t.Context(), reply()); err != nil {
		t.Fatalf("after restart: %v", err)
	}
	waitOne(t, srv, 1)
}

// silent accepts connections and never says a word, like a server that hangs.
func silent(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	return l.Addr().String()
}

func TestHangBounded(t *testing.T) {
	addr := silent(t)

	s := newSMTP(t, "smtp://"+addr+"?starttls=none")
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := s.Send(ctx, reply())
	if err == nil || mail.IsPermanent(err) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("ctx deadline: %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("ctx deadline: took %v", d)
	}

	s = newSMTP(t, "smtp://"+addr+"?starttls=none&timeout=300ms")
	start = time.Now()
	err = s.Send(t.Context(), reply())
	if err == nil || mail.IsPermanent(err) {
		t.Errorf("timeout option: %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("timeout option: took %v", d)
	}
}

func TestImplicitTLS(t *testing.T) {
	srv := mailtest.New(t, mailtest.Options{ImplicitTLS: true, Username: "parley", Password: "s3cret"})
	if !strings.HasPrefix(srv.URL(), "smtps://") {
		t.Fatalf("URL %s", srv.URL())
	}
	if err := newSMTP(t, srv.URL()).Send(t.Context(), reply()); err != nil {
		t.Fatal(err)
	}
	if r := waitOne(t, srv, 1)[0]; !r.TLS || r.User != "parley" {
		t.Errorf("TLS %v, user %q", r.TLS, r.User)
	}

	// smtps:// speaks TLS from the first byte: against a silent server it fails in the handshake,
	// within the timeout.
	s := newSMTP(t, "smtps://"+silent(t)+"?timeout=300ms&insecure_skip_verify=1")
	if err := s.Send(t.Context(), reply()); err == nil || mail.IsPermanent(err) {
		t.Errorf("smtps to a silent server: %v", err)
	}
}

func TestInvalidMessage(t *testing.T) {
	srv := mailtest.New(t, mailtest.Options{})
	s := newSMTP(t, srv.URL())
	bad := map[string]func(*mail.Message){
		"no recipient":    func(m *mail.Message) { m.To = "" },
		"two recipients":  func(m *mail.Message) { m.To = "a@example.org, b@example.org" },
		"no subject":      func(m *mail.Message) { m.Subject = " " },
		"subject newline": func(m *mail.Message) { m.Subject = "hi\r\nBcc: x@example.org" },
		"no body":         func(m *mail.Message) { m.Text, m.HTML = "", "" },
		"reserved header": func(m *mail.Message) { m.Headers["Message-ID"] = "<x@y>" },
		"header newline":  func(m *mail.Message) { m.Headers["X-Note"] = "a\nBcc: x@example.org" },
		"header name":     func(m *mail.Message) { m.Headers["X Note"] = "a" },
	}
	for name, change := range bad {
		m := reply()
		change(&m)
		err := s.Send(t.Context(), m)
		if !errors.Is(err, mail.ErrInvalid) || !mail.IsPermanent(err) {
			t.Errorf("%s: %v", name, err)
		}
		if strings.Contains(err.Error(), "anna@") {
			t.Errorf("%s: error names the recipient: %v", name, err)
		}
	}
	if n := len(srv.Received()); n != 0 {
		t.Errorf("received %d messages", n)
	}
}
