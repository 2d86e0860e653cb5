package mail

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"testing"
	"time"
)

// FuzzBuild writes messages from arbitrary fields and reads them back as a
// receiver would: no field can add a header or another recipient, and what
// arrives is what was sent.
func FuzzBuild(f *testing.F) {
	for _, s := range [][7]string{
		{"Ana <ana@example.org>", "A reply to your comment", "Hello,\nsomeone replied.", "<p>Hello</p>", "List-Unsubscribe", "<https://x.example/u/1>", "notify-42"},
		{"ana@example.org", "Grüße, Καλημέρα 🙂", "", "<p>x</p>", "X-Thing", "Ünï  two  spaces", "k.e.y"},
		{"ana@example.org", "Hi\r\nBcc: victim@example.org", "x", "", "X-A", "b", ""},
		{"ana@example.org", "Hi", "x", "", "X-A", "b\r\nBcc: victim@example.org", ""},
		{"ana@example.org", "Hi", "x", "", "X-A\r\nBcc", "b", ""},
		{"ana@example.org", "Hi", "x", "", "Bcc", "victim@example.org", ""},
		{"ana@example.org, eve@example.org", "Hi", "x", "", "", "", ""},
		{"=?utf-8?q?Eve=0D=0ABcc:_x@y.z?= <ana@example.org>", "=?utf-8?q?a=0D=0ABcc:_x@y.z?=", "x", "", "X-B", "=?utf-8?q?a=0D=0AX:_y?=", ""},
		{"\"Eve\r\n Bcc: x@y.z\" <ana@example.org>", "Hi", "x", "", "", "", "../../etc"},
		{"ana@example.org", strings.Repeat("long subject words ", 20), ".\n..\nFrom me\n", "", "X-Long", strings.Repeat("v ", 100), strings.Repeat("k", 70)},
	} {
		f.Add(s[0], s[1], s[2], s[3], s[4], s[5], s[6])
	}
	from, err := parseFrom("Parley <noreply@example.org>")
	if err != nil {
		f.Fatal(err)
	}
	now := time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, to, subject, text, html, name, value, key string) {
		m := Message{To: to, Subject: subject, Text: text, HTML: html, Key: key}
		if name != "" {
			m.Headers = map[string]string{name: value}
		}
		msg, rcpt, id, err := build(m, from, now)
		if err != nil {
			if !errors.Is(err, ErrInvalid) && !strings.HasPrefix(err.Error(), "mail: From") {
				t.Fatalf("build: %v does not wrap ErrInvalid", err)
			}
			if a, perr := mail.ParseAddress(to); perr == nil && len(a.Address) > 6 &&
				strings.Contains(err.Error(), a.Address) && !strings.Contains(name, a.Address) {
				t.Fatalf("build's error names the recipient: %v", err)
			}
			return
		}
		var raw bytes.Buffer
		if _, err := msg.WriteTo(&raw); err != nil {
			t.Fatalf("WriteTo: %v", err)
		}
		got, err := mail.ReadMessage(bytes.NewReader(raw.Bytes()))
		if err != nil {
			t.Fatalf("the message does not parse: %v\n%s", err, raw.Bytes())
		}
		want := map[string]bool{"Date": true, "Message-Id": true, "Mime-Version": true, "Subject": true, "From": true, "To": true,
			"Content-Type": true, "Content-Transfer-Encoding": true}
		if name != "" {
			want[textproto.CanonicalMIMEHeaderKey(name)] = true
		}
		for k := range got.Header {
			if !want[k] {
				t.Fatalf("header %q appeared\n%s", k, raw.Bytes())
			}
		}
		for _, k := range []string{"Date", "Message-Id", "Subject", "From", "To", "Content-Type"} {
			if len(got.Header[k]) != 1 {
				t.Fatalf("%d %s headers\n%s", len(got.Header[k]), k, raw.Bytes())
			}
		}
		list, err := got.Header.AddressList("To")
		if err != nil || len(list) != 1 || list[0].Address != rcpt {
			t.Fatalf("To reads %v, %v; want the one address %q\n%s", list, err, rcpt, raw.Bytes())
		}
		if a, _ := mail.ParseAddress(to); a == nil || a.Address != rcpt {
			t.Fatalf("recipient %q for To %q", rcpt, to)
		}
		if got.Header.Get("Message-Id") != "<"+id+">" || !strings.HasSuffix(id, "@example.org") {
			t.Fatalf("Message-ID %q, build said %q", got.Header.Get("Message-Id"), id)
		}
		if l, _ := strings.CutSuffix(id, "@example.org"); key != "" && !isSafeKey(l) {
			t.Fatalf("Message-ID %q from key %q", id, key)
		}
		// A value that holds "=?" is written as it is, and readers decode
		// what looks like an encoded word in it; Parley's subjects with
		// readers' words in them hold “quotes”, so they are encoded whole.
		dec := new(mime.WordDecoder)
		if s, err := dec.DecodeHeader(got.Header.Get("Subject")); (err != nil || squash(s) != squash(subject)) && !strings.Contains(subject, "=?") {
			t.Fatalf("Subject reads %q, %v; sent %q", s, err, subject)
		}
		if name != "" && !strings.Contains(value, "=?") {
			if v, err := dec.DecodeHeader(got.Header.Get(name)); err != nil || squash(v) != squash(value) {
				t.Fatalf("%s reads %q, %v; sent %q", name, v, err, value)
			}
		}
		checkBody(t, got, text, html, raw.Bytes())
	})
}

// squash compares header text as unfolding leaves it: runs of space as one.
func squash(s string) string { return strings.Join(strings.Fields(s), " ") }

// checkBody reads the text and HTML parts back.
func checkBody(t *testing.T, m *mail.Message, text, html string, raw []byte) {
	t.Helper()
	parts := map[string]string{}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		t.Fatalf("Content-Type: %v\n%s", err, raw)
	}
	if mt == "multipart/alternative" {
		r := multipart.NewReader(m.Body, params["boundary"])
		for {
			p, err := r.NextRawPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("parts: %v\n%s", err, raw)
			}
			pt, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
			parts[pt] = readPart(t, p.Header.Get("Content-Transfer-Encoding"), p, raw)
		}
	} else {
		parts[mt] = readPart(t, m.Header.Get("Content-Transfer-Encoding"), m.Body, raw)
	}
	for typ, want := range map[string]string{"text/plain": text, "text/html": html} {
		got, ok := parts[typ]
		if ok != (want != "") {
			t.Fatalf("part %s present %v, sent %q\n%s", typ, ok, want, raw)
		}
		// Line ends are the transport's: compare the lines.
		if norm := strings.NewReplacer("\r\n", "\n", "\r", "\n"); ok && norm.Replace(got) != norm.Replace(want) {
			t.Fatalf("%s reads %q, sent %q\n%s", typ, got, want, raw)
		}
	}
}

func readPart(t *testing.T, cte string, r io.Reader, raw []byte) string {
	t.Helper()
	if strings.EqualFold(cte, "quoted-printable") {
		r = quotedprintable.NewReader(r)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("read part (%s): %v\n%s", cte, err, raw)
	}
	return string(b)
}

func FuzzMessageID(f *testing.F) {
	for _, k := range []string{"", "notify-42", "a..b", ".a", "a.", "ümlaut", "with space", "<x>", strings.Repeat("k", 64), strings.Repeat("k", 65)} {
		f.Add(k)
	}
	f.Fuzz(func(t *testing.T, key string) {
		id := messageID(key, "example.org")
		local, ok := strings.CutSuffix(id, "@example.org")
		if !ok || !isSafeKey(local) {
			t.Fatalf("messageID(%q) = %q: not a safe local part at the domain", key, id)
		}
		if key != "" && messageID(key, "example.org") != id {
			t.Fatalf("messageID(%q) changes between calls", key)
		}
		if a, err := mail.ParseAddress("<" + id + ">"); err != nil || a.Address != id {
			t.Fatalf("Message-ID %q does not read back: %v", id, err)
		}
	})
}

// FuzzNewSMTP: the SMTP URL comes from the environment; a bad one is an
// error that never shows its password, a good one is described without it.
func FuzzNewSMTP(f *testing.F) {
	for _, s := range []string{
		"smtp://host", "SMTP://user:pw1@Host:2525?starttls=opportunistic", "smtp://host:25/?starttls=none",
		"smtps://user%40example.org:pw1@host", "smtps://[::1]:4650?timeout=5s", "smtp://u:Secret9/x@host",
		"smtp://u:Secret9?x@host", "smtp://u:Secret9#x@host", "smtp://u:Secret9@host:abc", "smtp://u:Secret9@ho st",
		"smtp://host?from=Moderation+%3Cmod@debates.example%3E", "smtp://host?starttls=none&starttls=required",
		"smtp://[fe80::1%25eth0]:25", "smtp://:Secret9@host", "smtp://u:Secret9@host%zz", "smtp:host", "",
	} {
		f.Add(s)
	}
	const from = "Parley <noreply@example.org>"
	f.Fuzz(func(t *testing.T, raw string) {
		s, err := NewSMTP(raw, from)
		// The same URL with another password of the same length: what
		// both texts show is not the password.
		pw, masked := password(raw)
		s2, err2 := NewSMTP(masked, from)
		shown := func(a, b string) bool { return pw != "" && strings.Contains(a, pw) && !strings.Contains(b, pw) }
		if err != nil {
			e2 := ""
			if err2 != nil {
				e2 = err2.Error()
			}
			if shown(err.Error(), e2) {
				t.Fatalf("NewSMTP(%q): the error shows the password %q: %v", raw, pw, err)
			}
			return
		}
		if s.host == "" || s.port < 1 || s.port > 65535 || s.timeout <= 0 || s.from.header == "" {
			t.Fatalf("NewSMTP(%q) = %+v", raw, s)
		}
		desc2 := ""
		if err2 == nil {
			desc2 = s2.String()
		}
		if desc := s.String(); shown(desc, desc2) {
			t.Fatalf("NewSMTP(%q).String() = %q shows the password %q", raw, desc, pw)
		}
	})
}

// password returns the password a person wrote in an SMTP URL (after the
// first ":" of what lies between "//" and the last "@", up to a character
// that would end a URL's authority, as an error might quote it; "" if
// shorter than 6 bytes), and the URL with it replaced by as many Zs.
func password(raw string) (pw, masked string) {
	i := strings.Index(raw, "//")
	if i < 0 {
		return "", raw
	}
	rest := raw[i+2:]
	at := strings.LastIndexByte(rest, '@')
	if at < 0 {
		return "", raw
	}
	colon := strings.IndexByte(rest[:at], ':')
	if colon < 0 {
		return "", raw
	}
	pw = rest[colon+1 : at]
	if j := strings.IndexAny(pw, "/?#"); j >= 0 {
		pw = pw[:j]
	}
	if len(pw) < 6 {
		return "", raw
	}
	start := i + 2 + colon + 1
	return pw, raw[:start] + strings.Repeat("Z", len(pw)) + raw[start+len(pw):]
}
