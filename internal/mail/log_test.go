package mail_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/parley-org/parley/internal/mail"
)

func TestOpen(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	s, err := mail.Open("", from, log)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.(*mail.Log); !ok {
		t.Errorf("Open without a URL = %T, want *mail.Log", s)
	}
	if !strings.Contains(buf.String(), "not sent") {
		t.Errorf("Open did not say mail is not sent: %q", buf.String())
	}
	s, err = mail.Open("smtp://host", from, log)
	if _, ok := s.(*mail.SMTP); !ok || err != nil {
		t.Errorf("Open with a URL = %T, %v", s, err)
	}
	if _, err := mail.Open("smtp://", from, log); err == nil {
		t.Error("Open with a bad URL: no error")
	}
	if _, err := mail.Open("", "", log); err == nil {
		t.Error("Open without From: no error")
	}
}

func TestLogNeverLogsTheAddress(t *testing.T) {
	var buf bytes.Buffer
	l, err := mail.NewLog(slog.New(slog.NewJSONHandler(&buf, nil)), from)
	if err != nil {
		t.Fatal(err)
	}
	m := reply()
	m.To = "Anna.Beispiel+debates@Example.org"
	for range 2 {
		if err := l.Send(t.Context(), m); err != nil {
			t.Fatal(err)
		}
	}
	m.To = "anna.beispiel+debates@example.org" // the same mailbox, other case
	if err := l.Send(t.Context(), m); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	t.Log(out)
	for _, leak := range []string{"anna", "Anna", "beispiel", "example.org"} {
		if strings.Contains(out, leak) {
			t.Errorf("log contains %q", leak)
		}
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines", len(lines))
	}
	rcpt := func(line string) string {
		_, after, _ := strings.Cut(line, `"recipient":"`)
		v, _, _ := strings.Cut(after, `"`)
		return v
	}
	if rcpt(lines[0]) == "" || rcpt(lines[0]) != rcpt(lines[1]) || rcpt(lines[1]) != rcpt(lines[2]) {
		t.Errorf("recipient hashes %q %q %q", rcpt(lines[0]), rcpt(lines[1]), rcpt(lines[2]))
	}
	for _, want := range []string{`"level":"INFO"`, `"subject":"Antwort von Dr. Müller"`, `"bytes":`, `"message_id":"<notify-42@parley.example>"`} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("log line lacks %s: %s", want, lines[0])
		}
	}

	// Invalid messages fail as they would over SMTP, and are neither logged nor kept.
	buf.Reset()
	m.Subject = ""
	if err := l.Send(t.Context(), m); !errors.Is(err, mail.ErrInvalid) || buf.Len() != 0 {
		t.Errorf("invalid message: %v, logged %q", err, buf.String())
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := l.Send(ctx, reply()); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	if n := l.Mailbox().Len(); n != 3 {
		t.Errorf("mailbox has %d", n)
	}
}

func TestMailboxKeepsLast100InOrder(t *testing.T) {
	l, err := mail.NewLog(slog.New(slog.DiscardHandler), from)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 250 {
		m := reply()
		m.Subject = fmt.Sprint("message ", i)
		m.Key = fmt.Sprint("k", i)
		if err := l.Send(t.Context(), m); err != nil {
			t.Fatal(err)
		}
		if got, want := l.Mailbox().Len(), min(i+1, mail.MailboxSize); got != want {
			t.Fatalf("after %d: %d kept, want %d", i+1, got, want)
		}
	}
	got := l.Mailbox().Messages()
	if len(got) != 100 {
		t.Fatalf("%d kept", len(got))
	}
	for i, e := range got {
		n := 150 + i
		if e.Message.Subject != fmt.Sprint("message ", n) || e.MessageID != fmt.Sprintf("<k%d@parley.example>", n) {
			t.Fatalf("entry %d: %q %q, want message %d", i, e.Message.Subject, e.MessageID, n)
		}
		if e.Message.To != reply().To || !bytes.Contains(e.Raw, []byte("List-Unsubscribe-Post: List-Unsubscribe=One-Click")) || e.Time.IsZero() {
			t.Fatalf("entry %d: %+v", i, e)
		}
	}
}

func TestMailboxConcurrent(t *testing.T) {
	l, err := mail.NewLog(slog.New(slog.DiscardHandler), from)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				m := reply()
				m.Key = fmt.Sprintf("g%d-%d", g, i)
				if err := l.Send(context.Background(), m); err != nil {
					t.Error(err)
				}
				_ = l.Mailbox().Messages()
			}
		})
	}
	wg.Wait()
	if n := l.Mailbox().Len(); n != mail.MailboxSize {
		t.Errorf("%d kept", n)
	}
	l, _ = mail.NewLog(nil, from)
	if b := l.Mailbox(); b.Len() != 0 || len(b.Messages()) != 0 {
		t.Error("new mailbox is not empty")
	}
}
