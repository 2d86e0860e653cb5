package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// DefaultTimeout bounds one Send (connecting, TLS, AUTH and the transaction) unless the URL's
// timeout option says otherwise.
const DefaultTimeout = 30 * time.Second

// SMTP sends mail through an SMTP server. It is safe for concurrent use; every Send uses its own
// connection.
type SMTP struct {
	host        string
	port        int
	implicitTLS bool
	starttls    gomail.TLSPolicy
	user, pass  string
	from        sender
	timeout     time.Duration
	tlsConfig   *tls.Config
}

// NewSMTP parses the SMTP URL (PARLEY_SMTP_URL) and returns a sender for it; from is the From
// address ("Parley <noreply@example.org>") unless the URL's from option overrides it.
//
//	smtp://user:pass@host[:port]   STARTTLS, port 587 by default
//	smtps://user:pass@host[:port]  TLS from the first byte, port 465 by default
//
// User info, when present, is used for AUTH PLAIN or LOGIN (PLAIN preferred); credentials are
// only ever sent over TLS, or in the clear to a loopback address. Query options:
//
//	starttls=required|opportunistic|none  smtp:// only; default required: a server that does not
//	                                      offer STARTTLS is an error
//	from=ADDRESS                          overrides the from argument
//	timeout=DURATION                      bounds each Send (default 30s)
//	insecure_skip_verify=1                accept any certificate: for tests only
//
// Errors never contain the password.
func NewSMTP(rawURL, from string) (*SMTP, error) {
	if strings.TrimSpace(rawURL) == "" {
		return nil, errors.New("mail: the SMTP URL is empty")
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error repeats the URL, password included
		}
		// An unescaped "/", "?" or "#" in a password ends the host early, and
		// url.Parse would quote the start of the password as the port.
		if strings.Contains(err.Error(), "port") {
			return nil, errors.New("mail: the SMTP URL's port is not valid (percent-encode / ? # @ in the user name and password)")
		}
		return nil, fmt.Errorf("mail: the SMTP URL is not valid: %v", err)
	}
	if u.Fragment != "" {
		return nil, errors.New("mail: the SMTP URL cannot have a fragment (percent-encode # in the user name and password)")
	}
	s := &SMTP{starttls: gomail.TLSMandatory, timeout: DefaultTimeout}
	switch u.Scheme {
	case "smtp":
		s.port = 587
	case "smtps":
		s.port, s.implicitTLS = 465, true
	default:
		return nil, fmt.Errorf("mail: the SMTP URL's scheme %q is not supported: use smtp://host:587 or smtps://host:465", u.Scheme)
	}
	s.host = u.Hostname()
	if u.Opaque != "" || s.host == "" {
		return nil, fmt.Errorf("mail: the SMTP URL has no host: use %s://host", u.Scheme)
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			// Not quoted: it may be the start of a password with an unescaped "#".
			return nil, errors.New("mail: the SMTP URL's port is not valid: use a number from 1 to 65535")
		}
		s.port = n
	}
	if u.Path != "" && u.Path != "/" {
		return nil, errors.New("mail: the SMTP URL cannot have a path")
	}
	if u.User != nil {
		s.user = u.User.Username()
		s.pass, _ = u.User.Password()
		if s.user == "" {
			return nil, errors.New("mail: the SMTP URL has a password but no user name")
		}
	}
	insecure := false
	query, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, fmt.Errorf("mail: the SMTP URL's query is not valid: %v", err)
	}
	for name, values := range query {
		if len(values) != 1 {
			return nil, fmt.Errorf("mail: the SMTP URL's option %s is given %d times", name, len(values))
		}
		v := values[0]
		switch name {
		case "starttls":
			if s.implicitTLS {
				return nil, errors.New("mail: the SMTP URL's starttls option applies only to smtp://, not to smtps://")
			}
			switch v {
			case "required":
				s.starttls = gomail.TLSMandatory
			case "opportunistic":
				s.starttls = gomail.TLSOpportunistic
			case "none":
				s.starttls = gomail.NoTLS
			default:
				return nil, fmt.Errorf("mail: the SMTP URL's starttls option is %q: use required, opportunistic or none", v)
			}
		case "insecure_skip_verify":
			if insecure, err = strconv.ParseBool(v); err != nil {
				return nil, fmt.Errorf("mail: the SMTP URL's insecure_skip_verify option is %q: use 1 or 0", v)
			}
		case "from":
			from = v
		case "timeout":
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return nil, fmt.Errorf("mail: the SMTP URL's timeout option is %q: use a duration such as 30s", v)
			}
			s.timeout = d
		default:
			return nil, fmt.Errorf("mail: the SMTP URL's option %q is unknown (known: starttls, from, timeout, insecure_skip_verify)", name)
		}
	}
	if s.from, err = parseFrom(from); err != nil {
		return nil, err
	}
	s.tlsConfig = &tls.Config{ServerName: s.host, MinVersion: tls.VersionTLS12, InsecureSkipVerify: insecure} //nolint:gosec // tests only, documented
	return s, nil
}

// Timeout is the longest one Send may take.
func (s *SMTP) Timeout() time.Duration { return s.timeout }

// String describes s without its password, for logs.
func (s *SMTP) String() string {
	scheme, opt := "smtp", " (STARTTLS "+map[gomail.TLSPolicy]string{
		gomail.TLSMandatory: "required", gomail.TLSOpportunistic: "opportunistic", gomail.NoTLS: "none",
	}[s.starttls]+")"
	if s.implicitTLS {
		scheme, opt = "smtps", ""
	}
	user := ""
	if s.user != "" {
		user = url.User(s.user).String() + "@"
	}
	return fmt.Sprintf("%s://%s%s%s", scheme, user, net.JoinHostPort(s.host, strconv.Itoa(s.port)), opt)
}

// Send delivers m, or returns an error that IsPermanent classifies. It gives up when ctx ends or
// the URL's timeout passes, whichever comes first. A message the server accepted counts as sent
// even if closing the connection then fails.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	msg, to, _, err := build(m, s.from, time.Now())
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()

	// go-mail bounds each command with a deadline, and its context only the dial; closing the
	// connection when ctx ends bounds the whole conversation.
	var stop func() bool
	dial := func(dctx context.Context, network, addr string) (net.Conn, error) {
		var d net.Dialer
		conn, err := d.DialContext(dctx, network, addr)
		if err != nil {
			return nil, err
		}
		stop = context.AfterFunc(ctx, func() { conn.Close() })
		if !s.implicitTLS {
			return conn, nil
		}
		tc := tls.Client(conn, s.tlsConfig)
		if err := tc.HandshakeContext(dctx); err != nil {
			conn.Close()
			return nil, err
		}
		return tc, nil
	}
	opts := []gomail.Option{
		gomail.WithPort(s.port), gomail.WithTimeout(s.timeout), gomail.WithDialContextFunc(dial),
		gomail.WithTLSConfig(s.tlsConfig),
	}
	if s.implicitTLS {
		opts = append(opts, gomail.WithSSL())
	} else {
		opts = append(opts, gomail.WithTLSPolicy(s.starttls))
	}
	if s.user != "" {
		opts = append(opts, gomail.WithOpportunisticSMTPAuth(gomail.SMTPAuthPlain, gomail.SMTPAuthLogin),
			gomail.WithUsername(s.user), gomail.WithPassword(s.pass))
	}
	client, err := gomail.NewClient(s.host, opts...)
	if err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	err = client.DialAndSendWithContext(ctx, msg)
	if stop != nil {
		stop()
	}
	if err == nil || msg.IsDelivered() {
		return nil
	}
	return classify(err, ctx.Err(), to)
}
