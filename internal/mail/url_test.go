package mail_test

import (
	"strings"
	"testing"

	"github.com/parley-org/parley/internal/mail"
	"github.com/parley-org/parley/internal/mail/mailtest"
)

func TestNewSMTPBadURL(t *testing.T) {
	tests := []struct{ url, want string }{
		{"", "empty"},
		{"ftp://host", `scheme "ftp"`},
		{"http://u:pw1@host", `scheme "http"`},
		{"host:587", `scheme "host"`},
		{"smtp://", "no host"},
		{"smtp:///", "no host"},
		{"smtp://:587", "no host"},
		{"smtp:host", "no host"},
		{"smtp://u:pw1@host:abc", "port"},
		{"smtp://host:0", "port"},
		{"smtp://host:70000", "port"},
		{"smtp://host/path", "path"},
		{"smtp://:pw1@host", "no user name"},
		{"smtp://host?starttls=maybe", "starttls"},
		{"smtps://host?starttls=required", "smtps"},
		{"smtp://u:pw1@host?bogus=1", `"bogus" is unknown`},
		{"smtp://host?timeout=soon", "timeout"},
		{"smtp://host?timeout=-1s", "timeout"},
		{"smtp://host?insecure_skip_verify=perhaps", "insecure_skip_verify"},
		{"smtp://host?starttls=none&starttls=required", "2 times"},
		{"smtp://host?from=not-an-address", "From address"},
		{"smtp://u:pw1@ho st", "not valid"},
		{"smtp://u:pw1@host%zz", "not valid"},
	}
	for _, tt := range tests {
		_, err := mail.NewSMTP(tt.url, from)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("NewSMTP(%q) = %v, want an error saying %q", tt.url, err, tt.want)
			continue
		}
		if strings.Contains(err.Error(), "pw1") {
			t.Errorf("NewSMTP(%q): error shows the password: %v", tt.url, err)
		}
	}
	if _, err := mail.NewSMTP("smtp://host", ""); err == nil || !strings.Contains(err.Error(), "From") {
		t.Errorf("no From: %v", err)
	}
}

func TestNewSMTPGoodURL(t *testing.T) {
	tests := []struct{ url, want string }{
		{"smtp://host", "smtp://host:587 (STARTTLS required)"},
		{"SMTP://user:pw1@Host:2525?starttls=opportunistic", "smtp://user@Host:2525 (STARTTLS opportunistic)"},
		{"smtp://host:25/?starttls=none", "smtp://host:25 (STARTTLS none)"},
		{"smtps://user%40example.org:pw1@host", "smtps://user%40example.org@host:465"},
		{"smtps://[::1]:4650?timeout=5s", "smtps://[::1]:4650"},
	}
	for _, tt := range tests {
		s, err := mail.NewSMTP(tt.url, from)
		if err != nil {
			t.Errorf("NewSMTP(%q): %v", tt.url, err)
			continue
		}
		if got := s.String(); got != tt.want {
			t.Errorf("NewSMTP(%q).String() = %q, want %q", tt.url, got, tt.want)
		}
	}
}

func TestFromOption(t *testing.T) {
	srv := mailtest.New(t, mailtest.Options{})
	s := newSMTP(t, srv.URL()+"&from=Moderation+%3Cmod@debates.example%3E")
	m := reply()
	if err := s.Send(t.Context(), m); err != nil {
		t.Fatal(err)
	}
	r := waitOne(t, srv, 1)[0]
	if r.From != "mod@debates.example" || r.Header.Get("Message-Id") != "<notify-42@debates.example>" {
		t.Errorf("envelope from %q, Message-ID %q", r.From, r.Header.Get("Message-Id"))
	}
}
