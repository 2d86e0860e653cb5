// Package mailtest runs a real SMTP server (github.com/emersion/go-smtp) on 127.0.0.1 for tests
// of code that sends mail. It can require AUTH PLAIN, offer STARTTLS with a self-signed
// certificate, fail the next commands with chosen replies, and stop and start again on the same
// port to simulate an outage. It records every message it accepts.
package mailtest

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/textproto"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Options configure a Server.
type Options struct {
	// Username and Password, when Username is set, make the server offer AUTH PLAIN and refuse
	// MAIL FROM until the client has authenticated with them.
	Username, Password string
	// TLS makes the server offer STARTTLS with a self-signed certificate for 127.0.0.1. AUTH is
	// then offered only after STARTTLS.
	TLS bool
	// ImplicitTLS makes the server speak TLS from the first byte (smtps://), with the same kind
	// of certificate.
	ImplicitTLS bool
}

// Command names an SMTP command whose replies FailNext can replace.
type Command string

// The commands FailNext can fail.
const (
	MAIL Command = "MAIL"
	RCPT Command = "RCPT"
	DATA Command = "DATA" // fails after the message has been read, as a server refusing it does
)

// Received is one message the server accepted.
type Received struct {
	From string   // envelope sender
	To   []string // envelope recipients
	User string   // the authenticated user, if any
	TLS  bool     // whether the message arrived over TLS

	Raw      []byte      // the data as received
	Header   mail.Header // parsed with net/mail
	Subject  string      // decoded (RFC 2047)
	Parts    []Part      // the leaf parts in order; one for a single-part message
	Text     string      // the first text/plain part, decoded
	HTML     string      // the first text/html part, decoded
	ParseErr error       // why Header or Parts are missing, if they are
}

// Part is one leaf MIME part, its body decoded.
type Part struct {
	ContentType string // media type only, such as "text/plain"
	Params      map[string]string
	Header      textproto.MIMEHeader
	Body        string // line breaks as \n
}

type failure struct {
	code int
	msg  string
}

// Server is a running (or stopped) SMTP server.
type Server struct {
	t    testing.TB
	opts Options
	addr string // 127.0.0.1:port, fixed after the first start
	tls  *tls.Config

	mu       sync.Mutex
	srv      *smtp.Server
	l        net.Listener
	done     chan struct{} // closed when srv's Serve returns
	fails    map[Command][]failure
	received []Received
	changed  chan struct{} // closed and replaced on each message
}

// New starts a server on 127.0.0.1 on a free port; it is stopped when the test ends.
func New(t testing.TB, opts Options) *Server {
	t.Helper()
	s := &Server{t: t, opts: opts, addr: "127.0.0.1:0", fails: map[Command][]failure{}, changed: make(chan struct{})}
	if opts.TLS || opts.ImplicitTLS {
		cert, err := selfSigned()
		if err != nil {
			t.Fatalf("mailtest: making a certificate: %v", err)
		}
		s.tls = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	s.Start()
	t.Cleanup(s.Stop)
	return s
}

// Start starts a stopped server again on the same port.
func (s *Server) Start() {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv != nil {
		return
	}
	var l net.Listener
	var err error
	for range 50 { // the port may take a moment to be free again
		if l, err = net.Listen("tcp", s.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		s.t.Fatalf("mailtest: listening on %s: %v", s.addr, err)
	}
	s.addr = l.Addr().String()
	if s.opts.ImplicitTLS {
		l = tls.NewListener(l, s.tls)
	}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &session{s: s, conn: c}, nil
	}))
	srv.Domain = "localhost"
	if s.opts.TLS {
		srv.TLSConfig = s.tls
	}
	srv.AllowInsecureAuth = !s.opts.TLS
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	srv.MaxMessageBytes = 10 << 20
	srv.ErrorLog = log.New(io.Discard, "", 0)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(l)
	}()
	s.srv, s.l, s.done = srv, l, done
}

// Stop closes the listener and every open connection, as a crashed server would. Start resumes.
func (s *Server) Stop() {
	s.mu.Lock()
	srv, l, done := s.srv, s.l, s.done
	s.srv, s.l = nil, nil
	s.mu.Unlock()
	if srv == nil {
		return
	}
	_ = l.Close() // in case Serve has not registered it yet
	_ = srv.Close()
	<-done
}

// Addr returns the server's host:port.
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// URL returns the URL for mail.NewSMTP, with the credentials of Options and the options this
// server needs: starttls=none without TLS, insecure_skip_verify=1 with it (smtps:// for
// ImplicitTLS).
func (s *Server) URL() string {
	u := url.URL{Scheme: "smtp", Host: s.Addr()}
	if s.opts.ImplicitTLS {
		u.Scheme = "smtps"
	}
	if s.opts.Username != "" {
		u.User = url.UserPassword(s.opts.Username, s.opts.Password)
	}
	if s.tls != nil {
		u.RawQuery = "insecure_skip_verify=1"
	} else {
		u.RawQuery = "starttls=none"
	}
	return u.String()
}

// FailNext makes the next n uses of cmd fail with the SMTP reply code and message (a default
// message when empty); 4xx codes are temporary failures, 5xx permanent.
func (s *Server) FailNext(cmd Command, n, code int, message string) {
	if message == "" {
		message = fmt.Sprintf("mailtest: injected %d failure", code)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.fails[cmd] = append(s.fails[cmd], failure{code: code, msg: message})
	}
}

func (s *Server) failure(cmd Command) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.fails[cmd]
	if len(f) == 0 {
		return nil
	}
	s.fails[cmd] = f[1:]
	return &smtp.SMTPError{Code: f[0].code, EnhancedCode: smtp.EnhancedCodeNotSet, Message: f[0].msg}
}

// Received returns the messages received so far, oldest first.
func (s *Server) Received() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.received...)
}

// Wait waits until the server has received at least n messages and returns all it has received.
// If ctx ends first it returns what it has, fewer than n.
func (s *Server) Wait(ctx context.Context, n int) []Received {
	for {
		s.mu.Lock()
		got, changed := append([]Received(nil), s.received...), s.changed
		s.mu.Unlock()
		if len(got) >= n {
			return got
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return got
		}
	}
}

func (s *Server) record(r Received) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.received = append(s.received, r)
	close(s.changed)
	s.changed = make(chan struct{})
}

type session struct {
	s    *Server
	conn *smtp.Conn
	user string
	from string
	to   []string
}

var _ smtp.AuthSession = (*session)(nil)

func (x *session) AuthMechanisms() []string {
	if x.s.opts.Username == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (x *session) Auth(mech string) (sasl.Server, error) {
	if x.s.opts.Username == "" || mech != sasl.Plain {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if (identity != "" && identity != username) || username != x.s.opts.Username || password != x.s.opts.Password {
			return smtp.ErrAuthFailed
		}
		x.user = username
		return nil
	}), nil
}

func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	if x.s.opts.Username != "" && x.user == "" {
		return smtp.ErrAuthRequired
	}
	if err := x.s.failure(MAIL); err != nil {
		return err
	}
	x.from = from
	return nil
}

func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if err := x.s.failure(RCPT); err != nil {
		return err
	}
	x.to = append(x.to, to)
	return nil
}

func (x *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if err := x.s.failure(DATA); err != nil {
		return err
	}
	_, isTLS := x.conn.TLSConnectionState()
	rec := Received{From: x.from, To: append([]string(nil), x.to...), User: x.user, TLS: isTLS, Raw: raw}
	rec.ParseErr = parse(&rec)
	x.s.record(rec)
	return nil
}

func (x *session) Reset() { x.from, x.to = "", nil }

func (x *session) Logout() error { return nil }

func parse(r *Received) error {
	m, err := mail.ReadMessage(bytes.NewReader(r.Raw))
	if err != nil {
		return err
	}
	r.Header = m.Header
	if r.Subject, err = new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject")); err != nil {
		return fmt.Errorf("subject: %w", err)
	}
	if err := walk(r, textproto.MIMEHeader(m.Header), m.Body); err != nil {
		return err
	}
	for _, p := range r.Parts {
		if p.ContentType == "text/plain" && r.Text == "" {
			r.Text = p.Body
		}
		if p.ContentType == "text/html" && r.HTML == "" {
			r.HTML = p.Body
		}
	}
	return nil
}

// walk adds the leaf parts of an entity to r.Parts.
func walk(r *Received, h textproto.MIMEHeader, body io.Reader) error {
	ct := h.Get("Content-Type")
	if ct == "" {
		ct = "text/plain; charset=us-ascii"
	}
	mediaType, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return fmt.Errorf("content-type %q: %w", ct, err)
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return err
			}
			if err := walk(r, p.Header, p); err != nil {
				return err
			}
		}
	}
	switch strings.ToLower(h.Get("Content-Transfer-Encoding")) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, &crlfStripper{r: body})
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return fmt.Errorf("%s part: %w", mediaType, err)
	}
	r.Parts = append(r.Parts, Part{ContentType: mediaType, Params: params, Header: h, Body: strings.ReplaceAll(string(b), "\r\n", "\n")})
	return nil
}

// crlfStripper drops line breaks, which base64 bodies have and the decoder does not accept.
type crlfStripper struct{ r io.Reader }

func (c *crlfStripper) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	j := 0
	for _, b := range p[:n] {
		if b != '\r' && b != '\n' {
			p[j] = b
			j++
		}
	}
	return j, err
}

// selfSigned makes a certificate for 127.0.0.1 and localhost, valid for a day.
func selfSigned() (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "mailtest"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}
