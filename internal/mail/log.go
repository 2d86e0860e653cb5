package mail

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"maps"
	"strings"
	"sync"
	"time"
)

// Sender sends one message. *SMTP and *Log are the two implementations.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

var (
	_ Sender = (*SMTP)(nil)
	_ Sender = (*Log)(nil)
)

// Open returns the sender for the SMTP URL (see NewSMTP), or, when rawURL is empty, a Log sender
// for development, which it announces on log. A nil log means slog.Default().
func Open(rawURL, from string, log *slog.Logger) (Sender, error) {
	if strings.TrimSpace(rawURL) != "" {
		return NewSMTP(rawURL, from)
	}
	l, err := NewLog(log, from)
	if err != nil {
		return nil, err
	}
	l.log.Warn("mail: no SMTP URL is set, so email is logged and kept in the dev mailbox, not sent")
	return l, nil
}

// Log is the development sender: it sends nothing, writes one line per message to a logger at
// info level, and keeps the message in its Mailbox. The line has the subject, the size and the
// Message-ID, but never the recipient's address: only a keyed hash of it, which lets lines about
// the same recipient be matched within one process but cannot be reversed by hashing guessed
// addresses (the key is random and never leaves the process).
type Log struct {
	log  *slog.Logger
	from sender
	box  *Mailbox
	key  [32]byte
}

// NewLog returns a Log sender writing to log (slog.Default() when nil) with a Mailbox of
// MailboxSize messages. from is validated as NewSMTP would.
func NewLog(log *slog.Logger, from string) (*Log, error) {
	if log == nil {
		log = slog.Default()
	}
	f, err := parseFrom(from)
	if err != nil {
		return nil, err
	}
	l := &Log{log: log, from: f, box: newMailbox(MailboxSize)}
	_, _ = rand.Read(l.key[:])
	return l, nil
}

// Mailbox returns the messages this sender has "sent", for the dev mailbox page.
func (l *Log) Mailbox() *Mailbox { return l.box }

// Send validates m as SMTP.Send would, logs it and keeps it in the Mailbox.
func (l *Log) Send(ctx context.Context, m Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	now := time.Now()
	msg, to, id, err := build(m, l.from, now)
	if err != nil {
		return err
	}
	var raw bytes.Buffer
	if _, err := msg.WriteTo(&raw); err != nil {
		return classify(err, nil, to)
	}
	m.Headers = maps.Clone(m.Headers) // the caller may reuse its map
	l.box.add(Entry{Time: now, MessageID: "<" + id + ">", Message: m, Raw: raw.Bytes()})
	l.log.InfoContext(ctx, "mail: logged, not sent",
		"recipient", l.redact(to), "subject", m.Subject, "bytes", raw.Len(), "message_id", "<"+id+">")
	return nil
}

// redact returns a keyed hash of the address, lower-cased so one mailbox hashes the same.
func (l *Log) redact(addr string) string {
	mac := hmac.New(sha256.New, l.key[:])
	mac.Write([]byte(strings.ToLower(addr)))
	return "rcpt-" + hex.EncodeToString(mac.Sum(nil)[:6])
}

// MailboxSize is how many messages a Log sender's Mailbox keeps.
const MailboxSize = 100

// Entry is one message kept in a Mailbox. It holds the recipient's address: show it only to
// admins.
type Entry struct {
	Time      time.Time
	MessageID string // with angle brackets, as in the header
	Message   Message
	Raw       []byte // the message as it would have been sent
}

// Mailbox keeps the last messages in memory, oldest dropped first. It is safe for concurrent use.
type Mailbox struct {
	mu    sync.Mutex
	ring  []Entry
	start int // index of the oldest entry once the ring is full
}

// newMailbox returns a Mailbox that keeps the last n messages (MailboxSize when n < 1).
func newMailbox(n int) *Mailbox {
	if n < 1 {
		n = MailboxSize
	}
	return &Mailbox{ring: make([]Entry, 0, n)}
}

func (b *Mailbox) add(e Entry) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.ring) < cap(b.ring) {
		b.ring = append(b.ring, e)
		return
	}
	b.ring[b.start] = e
	b.start = (b.start + 1) % len(b.ring)
}

// Messages returns the kept messages, oldest first.
func (b *Mailbox) Messages() []Entry {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]Entry, 0, len(b.ring))
	out = append(out, b.ring[b.start:]...)
	return append(out, b.ring[:b.start]...)
}

// Len returns how many messages are kept.
func (b *Mailbox) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.ring)
}
