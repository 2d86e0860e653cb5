package mailtest_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/parley-org/parley/internal/mail/mailtest"
)

// send sends with go-smtp's client, in the clear.
func send(addr, raw string) error {
	c, err := smtp.Dial(addr)
	if err != nil {
		return err
	}
	defer c.Close()
	return c.SendMail("a@example.org", []string{"b@example.org"}, strings.NewReader(raw))
}

// wait is Server.Wait with a deadline.
func wait(t *testing.T, srv *mailtest.Server, n int) []mailtest.Received {
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	got := srv.Wait(ctx, n)
	if len(got) < n {
		t.Fatalf("received %d, want %d", len(got), n)
	}
	return got
}

func TestParsesWhatArrives(t *testing.T) {
	srv := mailtest.New(t, mailtest.Options{})
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if got := srv.Wait(ctx, 1); len(got) != 0 {
		t.Fatalf("Wait with nothing sent returned %d", len(got))
	}

	raw := "From: a@example.org\r\nTo: b@example.org\r\nSubject: =?utf-8?b?R3LDvMOfZQ==?=\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=XX\r\n\r\n" +
		"--XX\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		"R3LDvMOfZSwK\r\nV2VsdA==\r\n" +
		"--XX\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" +
		"<p>Gr=C3=BC=C3=9Fe</p>\r\n--XX--\r\n"
	if err := send(srv.Addr(), raw); err != nil {
		t.Fatal(err)
	}
	r := wait(t, srv, 1)[0]
	if r.ParseErr != nil {
		t.Fatal(r.ParseErr)
	}
	if r.From != "a@example.org" || r.To[0] != "b@example.org" || r.Subject != "Grüße" || r.TLS || r.User != "" {
		t.Errorf("%+v", r)
	}
	if r.Text != "Grüße,\nWelt" || r.HTML != "<p>Grüße</p>" || string(r.Raw) != raw {
		t.Errorf("text %q, html %q", r.Text, r.HTML)
	}
}

func TestFailNextAndRestart(t *testing.T) {
	srv := mailtest.New(t, mailtest.Options{})
	send := func() error { return send(srv.Addr(), "Subject: x\r\n\r\nx\r\n") }
	srv.FailNext(mailtest.RCPT, 2, 451, "")
	for range 2 {
		if err := send(); err == nil || !strings.Contains(err.Error(), "451") {
			t.Errorf("injected failure: %v", err)
		}
	}
	addr := srv.Addr()
	srv.Stop()
	if err := send(); err == nil {
		t.Error("stopped server accepted a message")
	}
	srv.Start()
	if srv.Addr() != addr {
		t.Errorf("restarted on %s, want %s", srv.Addr(), addr)
	}
	if err := send(); err != nil {
		t.Error(err)
	}
	if n := len(wait(t, srv, 1)); n != 1 {
		t.Errorf("received %d", n)
	}
}
