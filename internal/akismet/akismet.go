// Package akismet is a client for an Akismet-compatible spam-check service
// (Akismet REST API 1.1: comment-check, submit-spam, submit-ham, verify-key).
//
// Parley uses it only when an operator configures an API key; it is off by
// default and nothing is sent anywhere unless a Client is built with New.
//
// # Data that leaves the site when it is on
//
// Every request is an HTTPS (or, if the operator configures it, HTTP) POST to
// the configured service host (Client.Host, by default rest.akismet.com) and
// carries the operator's API key and the site's front-page URL ("blog").
// VerifyKey sends only those two values. Check, SubmitSpam and SubmitHam
// additionally send, for the one comment concerned, whichever of the following
// are known (empty values are not sent):
//
//   - the author's IP address (user_ip), browser user agent (user_agent) and
//     HTTP referrer (referrer);
//   - the URL of the debate page the comment was posted on (permalink) and the
//     kind of post, "comment" or "reply" (comment_type);
//   - the author's display name (comment_author) and email address
//     (comment_author_email);
//   - the full text of the comment (comment_content);
//   - the comment's creation time in UTC (comment_date_gmt), the site's
//     language (blog_lang) and character set (blog_charset, always "UTF-8");
//   - a test flag (is_test) when the request is a test.
//
// SubmitSpam and SubmitHam exist to report a verdict a moderator corrected.
// This package sends nothing else (no cookies, account identifiers or other
// comments).
//
// Errors returned by this package never contain the API key or the author's
// email address, so they are safe to log.
package akismet

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// DefaultEndpoint is the Akismet service used when New is given no endpoint.
const DefaultEndpoint = "https://rest.akismet.com"

// UserAgent is sent with every request, in the form Akismet asks for.
const UserAgent = "Parley/1 | akismet-client/1"

// DefaultTimeout bounds each request when New is given no *http.Client.
const DefaultTimeout = 3 * time.Second

// maxBody bounds how much of a response body is read.
const maxBody = 64 << 10

// thanks is the body submit-spam and submit-ham answer on success.
const thanks = "Thanks for making the web a better place."

// Error kinds. Every error returned by a Client method is an *Error whose
// Kind is one of these, so callers can test with errors.Is.
var (
	// ErrInvalidKey: verify-key answered "invalid" (the key is wrong, or not
	// valid for this site).
	ErrInvalidKey = errors.New("API key rejected")
	// ErrInvalidRequest: comment-check, submit-spam or submit-ham answered
	// "invalid" (typically a bad key or a missing required parameter; the
	// service's explanation is in Error.Help).
	ErrInvalidRequest = errors.New("request rejected as invalid")
	// ErrStatus: the service answered with an HTTP status other than 200.
	ErrStatus = errors.New("unexpected HTTP status")
	// ErrUnexpectedResponse: the service answered 200 with a body that is not
	// one the protocol allows.
	ErrUnexpectedResponse = errors.New("unexpected response")
	// ErrTimeout: no complete answer arrived before the context deadline or
	// the HTTP client's timeout.
	ErrTimeout = errors.New("timed out")
	// ErrCanceled: the caller's context was canceled.
	ErrCanceled = errors.New("canceled")
	// ErrUnavailable: the service could not be reached (DNS, connection,
	// TLS, or a broken response stream).
	ErrUnavailable = errors.New("service unreachable")
	// ErrMissingIP: the comment has no IP address, which the protocol requires.
	// Nothing was sent.
	ErrMissingIP = errors.New("comment has no IP address (user_ip is required)")
)

// Error describes a failed call. Its text names the operation and the
// service's own explanation but never the API key or the author's email.
type Error struct {
	Op     string // "comment-check", "submit-spam", "submit-ham" or "verify-key"
	Kind   error  // one of the Err* values above
	Status int    // HTTP status, when a response arrived
	// Help is the service's explanation, from the X-akismet-debug-help or
	// X-akismet-error response header, with secrets removed.
	Help string
	// Detail is further readable context (a body excerpt or a transport
	// error), with secrets removed.
	Detail string
	Err    error // underlying cause (e.g. context.DeadlineExceeded), may be nil
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("akismet ")
	b.WriteString(e.Op)
	b.WriteString(": ")
	b.WriteString(e.Kind.Error())
	if e.Kind == ErrStatus && e.Status != 0 {
		fmt.Fprintf(&b, " %d %s", e.Status, http.StatusText(e.Status))
	}
	if e.Detail != "" {
		b.WriteString(": ")
		b.WriteString(e.Detail)
	}
	if e.Help != "" {
		fmt.Fprintf(&b, " (service says: %q)", e.Help)
	}
	return b.String()
}

// Unwrap lets errors.Is match both the Kind and the underlying cause.
func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

// Client talks to one Akismet-compatible service for one site.
// It is safe for concurrent use.
type Client struct {
	key  string
	base *url.URL // endpoint, path without trailing slash
	site string   // the "blog" parameter
	hc   *http.Client
}

// New returns a client for key at endpoint (default "https://rest.akismet.com"
// when ""), for the site at siteURL (the "blog" parameter). hc nil means a
// client with a 3 s timeout. The client never follows redirects, so the key
// is only ever sent to the configured host.
func New(key, endpoint, siteURL string, hc *http.Client) (*Client, error) {
	key = strings.TrimSpace(key)
	if key == "" {
		return nil, errors.New("akismet: empty API key")
	}
	if strings.ContainsFunc(key, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return nil, errors.New("akismet: API key contains spaces or control characters")
	}
	if endpoint == "" {
		endpoint = DefaultEndpoint
	}
	base, err := parseHTTPURL(endpoint)
	if err != nil {
		return nil, fmt.Errorf("akismet: malformed endpoint URL: %w", err)
	}
	if base.RawQuery != "" || base.Fragment != "" {
		return nil, errors.New("akismet: malformed endpoint URL: must not have a query or fragment")
	}
	base.Path = strings.TrimSuffix(base.Path, "/")
	base.Path = strings.TrimSuffix(base.Path, "/1.1")
	base.RawPath = ""
	site, err := parseHTTPURL(siteURL)
	if err != nil {
		return nil, fmt.Errorf("akismet: malformed site URL: %w", err)
	}
	var c http.Client
	if hc != nil {
		c = *hc
	} else {
		c.Timeout = DefaultTimeout
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &Client{key: key, base: base, site: site.String(), hc: &c}, nil
}

// parseHTTPURL accepts only absolute http(s) URLs with a host and no user
// info. Its errors do not echo the URL, which might hold credentials.
func parseHTTPURL(s string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		return nil, errors.New("cannot be parsed")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, errors.New("scheme must be http or https")
	}
	if u.Hostname() == "" {
		return nil, errors.New("no host")
	}
	if u.User != nil {
		return nil, errors.New("must not contain user info")
	}
	return u, nil
}

// Host is the service's host name, for the privacy page ("rest.akismet.com").
func (c *Client) Host() string { return c.base.Hostname() }

// Comment is the data about one comment that is sent to the service.
// Empty fields are not sent; IP is required by the protocol.
type Comment struct {
	IP, UserAgent, Referrer string
	Permalink               string // the debate page
	Type                    string // "comment" or "reply"
	Author, AuthorEmail     string
	Content                 string
	Language                string    // blog_lang, e.g. "en"
	Created                 time.Time // comment_date_gmt (RFC 3339)
	Test                    bool      // is_test
}

// Verdict is the answer to Check.
type Verdict struct {
	Spam bool
	// Discard is set when the service marks the comment as blatant spam
	// (X-akismet-pro-tip: discard), which may be dropped without review.
	// It is only ever true when Spam is.
	Discard bool
}

// Check asks the service whether cm is spam (comment-check).
func (c *Client) Check(ctx context.Context, cm Comment) (Verdict, error) {
	const op = "comment-check"
	form, err := c.commentForm(op, cm)
	if err != nil {
		return Verdict{}, err
	}
	r, err := c.post(ctx, op, form, cm.AuthorEmail)
	if err != nil {
		return Verdict{}, err
	}
	switch r.body {
	case "true":
		return Verdict{Spam: true, Discard: strings.EqualFold(r.header.Get("X-akismet-pro-tip"), "discard")}, nil
	case "false":
		return Verdict{}, nil
	}
	return Verdict{}, r.bodyError(ErrInvalidRequest)
}

// SubmitSpam reports cm as spam the service missed (submit-spam).
func (c *Client) SubmitSpam(ctx context.Context, cm Comment) error {
	return c.submit(ctx, "submit-spam", cm)
}

// SubmitHam reports cm as legitimate after the service called it spam
// (submit-ham).
func (c *Client) SubmitHam(ctx context.Context, cm Comment) error {
	return c.submit(ctx, "submit-ham", cm)
}

func (c *Client) submit(ctx context.Context, op string, cm Comment) error {
	form, err := c.commentForm(op, cm)
	if err != nil {
		return err
	}
	r, err := c.post(ctx, op, form, cm.AuthorEmail)
	if err != nil {
		return err
	}
	if r.body == thanks {
		return nil
	}
	return r.bodyError(ErrInvalidRequest)
}

// VerifyKey checks that the key is valid for the site (verify-key). It
// returns an error wrapping ErrInvalidKey when the service says it is not.
func (c *Client) VerifyKey(ctx context.Context) error {
	const op = "verify-key"
	form := url.Values{"api_key": {c.key}, "blog": {c.site}}
	r, err := c.post(ctx, op, form, "")
	if err != nil {
		return err
	}
	if r.body == "valid" {
		return nil
	}
	return r.bodyError(ErrInvalidKey)
}

func (c *Client) commentForm(op string, cm Comment) (url.Values, error) {
	if strings.TrimSpace(cm.IP) == "" {
		return nil, &Error{Op: op, Kind: ErrMissingIP}
	}
	f := url.Values{
		"api_key":      {c.key},
		"blog":         {c.site},
		"blog_charset": {"UTF-8"},
	}
	set := func(name, v string) {
		if v != "" {
			f.Set(name, v)
		}
	}
	set("user_ip", strings.TrimSpace(cm.IP))
	set("user_agent", cm.UserAgent)
	set("referrer", cm.Referrer)
	set("permalink", cm.Permalink)
	set("comment_type", cm.Type)
	set("comment_author", cm.Author)
	set("comment_author_email", cm.AuthorEmail)
	set("comment_content", cm.Content)
	set("blog_lang", cm.Language)
	if !cm.Created.IsZero() {
		f.Set("comment_date_gmt", cm.Created.UTC().Format(time.RFC3339))
	}
	if cm.Test {
		f.Set("is_test", "true")
	}
	return f, nil
}

// reply is a 200 response, read and trimmed.
type reply struct {
	op     string
	body   string
	header http.Header
	scrub  func(string) string
}

// bodyError explains a 200 response whose body is not a success answer.
// "invalid" maps to invalidKind; anything else is ErrUnexpectedResponse.
func (r *reply) bodyError(invalidKind error) error {
	e := &Error{Op: r.op, Status: http.StatusOK, Help: helpText(r.header, r.scrub)}
	if r.body == "invalid" {
		e.Kind = invalidKind
		return e
	}
	e.Kind = ErrUnexpectedResponse
	e.Detail = "body " + excerpt(r.scrub(r.body))
	return e
}

// post sends form to op and returns the body of a 200 response.
func (c *Client) post(ctx context.Context, op string, form url.Values, email string) (*reply, error) {
	scrub := c.scrubber(email)
	u := *c.base
	u.Path += "/1.1/" + op
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), strings.NewReader(form.Encode()))
	if err != nil {
		return nil, &Error{Op: op, Kind: ErrUnavailable, Detail: scrub(err.Error())}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", UserAgent)
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, transportError(ctx, op, err, scrub)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return nil, transportError(ctx, op, err, scrub)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, &Error{Op: op, Kind: ErrStatus, Status: resp.StatusCode, Help: helpText(resp.Header, scrub)}
	}
	if len(data) > maxBody {
		return nil, &Error{Op: op, Kind: ErrUnexpectedResponse, Status: resp.StatusCode,
			Detail: "body larger than 64 KiB", Help: helpText(resp.Header, scrub)}
	}
	return &reply{op: op, body: strings.TrimSpace(string(data)), header: resp.Header, scrub: scrub}, nil
}

// transportError classifies a failure to get a complete response.
func transportError(ctx context.Context, op string, err error, scrub func(string) string) error {
	e := &Error{Op: op, Kind: ErrUnavailable, Detail: scrub(err.Error())}
	var ne net.Error
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		e.Kind, e.Err, e.Detail = ErrTimeout, context.DeadlineExceeded, "no answer before the deadline"
	case errors.Is(ctx.Err(), context.Canceled):
		e.Kind, e.Err, e.Detail = ErrCanceled, context.Canceled, ""
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		e.Kind, e.Err, e.Detail = ErrTimeout, context.DeadlineExceeded, "no answer within the HTTP client's timeout"
	}
	return e
}

// helpText returns the service's explanation of an error, if it gave one.
func helpText(h http.Header, scrub func(string) string) string {
	var parts []string
	for _, name := range []string{"X-akismet-debug-help", "X-akismet-error"} {
		if v := strings.TrimSpace(h.Get(name)); v != "" {
			parts = append(parts, v)
		}
	}
	s := scrub(strings.Join(parts, "; "))
	if len(s) > 300 {
		// Cut at a rune's start, so valid text stays valid.
		cut := 300
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

// scrubber returns a function that removes the API key and the author's
// email from text that is going into an error.
func (c *Client) scrubber(email string) func(string) string {
	pairs := []string{c.key, "[api key]"}
	if email = strings.TrimSpace(email); email != "" {
		pairs = append(pairs, email, "[author email]")
	}
	if esc := url.QueryEscape(c.key); esc != c.key {
		pairs = append(pairs, esc, "[api key]")
	}
	if email != "" {
		if esc := url.QueryEscape(email); esc != email {
			pairs = append(pairs, esc, "[author email]")
		}
	}
	r := strings.NewReplacer(pairs...)
	return r.Replace
}

// excerpt quotes the start of a body for an error message.
func excerpt(s string) string {
	const n = 80
	if len(s) > n {
		return fmt.Sprintf("%q…", s[:n])
	}
	return fmt.Sprintf("%q", s)
}
