package mail

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"sort"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// ErrInvalid is wrapped by every error about a Message that can never be sent as it is. IsPermanent
// reports true for it.
var ErrInvalid = errors.New("mail: invalid message")

// Message is one email to one person. When both Text and HTML are set it is sent as
// multipart/alternative; at least one of them is required.
type Message struct {
	To      string // one address, "user@example.org" or "Name <user@example.org>"
	Subject string // any UTF-8; encoded as RFC 2047 when needed
	Text    string // plain text body
	HTML    string // HTML body

	// Headers are extra header fields, such as List-Unsubscribe and List-Unsubscribe-Post.
	// Fields the package writes itself (From, To, Subject, Date, Message-ID, MIME and
	// content fields) cannot be set here.
	Headers map[string]string

	// Key makes the Message-ID stable: the same Key and sender give the same Message-ID on every
	// attempt, <Key@domain-of-From>, so receivers can drop a copy a retry delivered twice. Use the
	// outbox row's ID or another value unique per message. Keys outside [A-Za-z0-9._+=-] (or longer
	// than 64 bytes) are replaced by a hash of themselves. Without a Key the Message-ID is random.
	Key string
}

// reserved are the header fields the package writes itself.
var reserved = map[string]bool{
	"from": true, "to": true, "cc": true, "bcc": true, "sender": true, "subject": true, "date": true,
	"message-id": true, "mime-version": true, "content-type": true, "content-transfer-encoding": true,
	"return-path": true,
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
}

// validate checks m and returns its recipient's bare address. Its errors never contain the address.
func (m Message) validate() (string, error) {
	var problems []string
	var to string
	if a, err := mail.ParseAddress(m.To); err != nil || strings.ContainsAny(m.To, ",;") {
		problems = append(problems, "To is not one valid address")
	} else {
		to = a.Address
	}
	switch {
	case strings.TrimSpace(m.Subject) == "":
		problems = append(problems, "Subject is empty")
	case strings.ContainsAny(m.Subject, "\r\n\x00"):
		problems = append(problems, "Subject contains a line break")
	}
	if m.Text == "" && m.HTML == "" {
		problems = append(problems, "Text and HTML are both empty")
	}
	var headers []string // sorted below: map order is random
	for name, value := range m.Headers {
		if !isFieldName(name) {
			headers = append(headers, fmt.Sprintf("header name %q is not valid", name))
		} else if reserved[strings.ToLower(name)] {
			headers = append(headers, fmt.Sprintf("header %s is set by the mail package", name))
		}
		if strings.ContainsAny(value, "\r\n\x00") {
			headers = append(headers, fmt.Sprintf("header %s contains a line break", name))
		}
	}
	sort.Strings(headers)
	problems = append(problems, headers...)
	if len(problems) > 0 {
		return "", invalid("%s", strings.Join(problems, "; "))
	}
	return to, nil
}

// isFieldName reports whether s is an RFC 5322 field name (printable ASCII except colon).
func isFieldName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 33 || s[i] > 126 || s[i] == ':' {
			return false
		}
	}
	return true
}

// messageID returns the Message-ID (without angle brackets) for key, sent from domain.
func messageID(key, domain string) string {
	if key == "" {
		var b [16]byte
		_, _ = rand.Read(b[:])
		return hex.EncodeToString(b[:]) + "@" + domain
	}
	if !isSafeKey(key) {
		sum := sha256.Sum256([]byte(key))
		key = "k" + hex.EncodeToString(sum[:16])
	}
	return key + "@" + domain
}

func isSafeKey(k string) bool {
	if len(k) > 64 || k[0] == '.' || k[len(k)-1] == '.' || strings.Contains(k, "..") {
		return false
	}
	for _, c := range k {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("._+=-", c)
		if !ok {
			return false
		}
	}
	return true
}

// sender is a parsed From address.
type sender struct {
	header string // as written in the From field
	domain string // for Message-IDs
}

func parseFrom(from string) (sender, error) {
	if strings.TrimSpace(from) == "" {
		return sender{}, errors.New("mail: the From address is empty")
	}
	a, err := mail.ParseAddress(from)
	if err != nil {
		return sender{}, fmt.Errorf("mail: the From address %q is not valid: %v", from, err)
	}
	at := strings.LastIndexByte(a.Address, '@')
	return sender{header: a.String(), domain: strings.ToLower(a.Address[at+1:])}, nil
}

var lineEnds = strings.NewReplacer("\r\n", "\n", "\r", "\n")

// build validates m and turns it into a go-mail message. It returns the message, the bare
// recipient address and the Message-ID.
func build(m Message, from sender, now time.Time) (*gomail.Msg, string, string, error) {
	to, err := m.validate()
	if err != nil {
		return nil, "", "", err
	}
	msg := gomail.NewMsg(gomail.WithCharset(gomail.CharsetUTF8), gomail.WithEncoding(gomail.EncodingQP),
		gomail.WithNoDefaultUserAgent())
	if err := msg.From(from.header); err != nil {
		return nil, "", "", fmt.Errorf("mail: From: %w", err)
	}
	if err := msg.To(m.To); err != nil {
		return nil, "", "", invalid("To is not one valid address")
	}
	msg.Subject(m.Subject)
	msg.SetDateWithValue(now)
	id := messageID(m.Key, from.domain)
	msg.SetMessageIDWithValue(id)
	names := make([]string, 0, len(m.Headers))
	for name := range m.Headers {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		msg.SetGenHeader(gomail.Header(name), m.Headers[name])
	}
	// Line ends are the transport's, and mime/quotedprintable drops the LF
	// of "\ré\n" (a CR, then a non-ASCII byte): send only LFs.
	text, html := lineEnds.Replace(m.Text), lineEnds.Replace(m.HTML)
	switch {
	case text != "" && html != "":
		msg.SetBodyString(gomail.TypeTextPlain, text)
		msg.AddAlternativeString(gomail.TypeTextHTML, html)
	case text != "":
		msg.SetBodyString(gomail.TypeTextPlain, text)
	default:
		msg.SetBodyString(gomail.TypeTextHTML, html)
	}
	return msg, to, id, nil
}
