// Package translate is a client for machine-translation services: DeepL,
// LibreTranslate and Apertium APy, behind one Provider interface.
//
// Parley translates readers' comments only when an operator chooses a
// provider; it is off by default and nothing is sent anywhere unless a
// Provider is built with New.
//
// # Data that leaves the site when it is on
//
// Each Translate call sends one request to the configured service with the
// comment's Markdown source exactly as written, its language and the
// reader's language (ISO 639-1 codes, mapped to the service's own), and the
// operator's API key where the service has one (DeepL in a header,
// LibreTranslate in the body). Nothing else is sent: no author, address or
// other comment.
//
// Errors returned by this package never contain the API key, so they are safe
// to log.
package translate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Provider translates plain text (a comment's Markdown source) from one
// language to another.
type Provider interface {
	// Name is "deepl", "libretranslate" or "apertium": stored with each
	// cached translation, so a change of provider is visible.
	Name() string
	// Host is the service's host, which the privacy page names.
	Host() string
	// Translate returns text translated from one ISO 639-1 language ("de")
	// to another ("es"), as plain text. Its errors wrap ErrUnsupportedPair,
	// ErrQuota or ErrUnavailable.
	Translate(ctx context.Context, text, from, to string) (string, error)
}

// DefaultTimeout bounds every request, whatever the context allows.
const DefaultTimeout = 10 * time.Second

// maxBody bounds how much of a response is read: a translated comment is far
// smaller, and a larger answer is not one the services give.
const maxBody = 1 << 20

// maxMessage bounds how much of a service's error message an error carries.
const maxMessage = 300

// Error kinds. Every error a Provider returns is an *Error whose Kind is one
// of these, so callers can test with errors.Is and tell the reader something
// useful.
var (
	// ErrUnsupportedPair: the provider cannot translate between these two
	// languages. Asking again will not help.
	ErrUnsupportedPair = errors.New("translate: language pair not supported")
	// ErrQuota: the provider's quota or billing limit is used up; it may
	// come back later (next month, or when the operator pays).
	ErrQuota = errors.New("translate: provider quota exhausted")
	// ErrUnavailable: the provider could not be reached in time, failed, was
	// refused (bad key, bad address) or answered something unreadable.
	ErrUnavailable = errors.New("translate: provider unavailable")
)

// Error describes a failed translation.
type Error struct {
	Provider string // Name of the provider
	Kind     error  // ErrUnsupportedPair, ErrQuota or ErrUnavailable
	Status   int    // HTTP status, when a response arrived
	Message  string // the service's own explanation, shortened, without the key
	Err      error  // underlying cause (e.g. context.DeadlineExceeded), may be nil
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Kind.Error())
	b.WriteString(": ")
	b.WriteString(e.Provider)
	if e.Status != 0 {
		fmt.Fprintf(&b, " (HTTP %d)", e.Status)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %q", e.Message)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
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

// New returns the provider kind ("deepl", "libretranslate" or "apertium") at
// baseURL with key. An empty kind is inferred from the URL (a host ending in
// deepl.com is DeepL). The URL is required, except for DeepL, which defaults
// to https://api.deepl.com (https://api-free.deepl.com for a Free API key,
// which ends in ":fx"). client nil means one with DefaultTimeout. Redirects
// are never followed, so a key only goes to the configured host.
func New(kind, baseURL, key string, client *http.Client) (Provider, error) {
	kind = strings.ToLower(strings.TrimSpace(kind))
	baseURL = strings.TrimSpace(baseURL)
	key = strings.TrimSpace(key)
	if kind == "" {
		kind = infer(baseURL)
		if kind == "" {
			return nil, errors.New(`translate: no provider kind given and none inferred from the URL: name one of "deepl", "libretranslate", "apertium"`)
		}
	}
	if kind == "deepl" && baseURL == "" {
		baseURL = "https://api.deepl.com"
		if strings.HasSuffix(key, ":fx") {
			baseURL = "https://api-free.deepl.com"
		}
	}
	switch kind {
	case "deepl", "libretranslate", "apertium":
	default:
		return nil, fmt.Errorf(`translate: unknown provider kind %q: name one of "deepl", "libretranslate", "apertium"`, kind)
	}
	if baseURL == "" {
		return nil, fmt.Errorf("translate: %s needs the service's URL", kind)
	}
	base, err := parseBase(baseURL)
	if err != nil {
		return nil, fmt.Errorf("translate: %s URL: %w", kind, err)
	}
	if strings.ContainsFunc(key, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return nil, errors.New("translate: API key contains spaces or control characters")
	}
	if kind == "deepl" && key == "" {
		return nil, errors.New("translate: deepl needs an API key")
	}
	var c http.Client
	if client != nil {
		c = *client
	} else {
		c.Timeout = DefaultTimeout
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	h := httpClient{name: kind, base: base, key: key, client: &c, timeout: DefaultTimeout}
	switch kind {
	case "deepl":
		return &deepL{h}, nil
	case "libretranslate":
		return &libreTranslate{h}, nil
	default:
		return &apertium{h}, nil
	}
}

// infer names the provider a URL's host is known to be.
func infer(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	host := strings.ToLower(u.Hostname())
	if host == "deepl.com" || strings.HasSuffix(host, ".deepl.com") {
		return "deepl"
	}
	return ""
}

// parseBase accepts an absolute http(s) URL with a host and no user info,
// query or fragment, and returns it without a trailing slash. Its errors do
// not echo the URL, which might hold credentials.
func parseBase(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil {
		return "", errors.New("cannot be parsed")
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return "", errors.New("scheme must be http or https")
	case u.Hostname() == "":
		return "", errors.New("no host")
	case u.User != nil:
		return "", errors.New("must not contain user info")
	case u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
		return "", errors.New("must not have a query or fragment")
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// httpClient is what the three providers share: one service, one key, and
// requests bounded in time and size.
type httpClient struct {
	name    string
	base    string // the service's URL, without a trailing slash
	key     string
	client  *http.Client
	timeout time.Duration
}

func (h *httpClient) Name() string { return h.name }

func (h *httpClient) Host() string {
	if u, err := url.Parse(h.base); err == nil {
		return u.Host
	}
	return h.base
}

// fail builds an *Error with the service's message, shortened and without
// the key.
func (h *httpClient) fail(kind error, status int, msg string, cause error) error {
	return &Error{Provider: h.name, Kind: kind, Status: status, Message: h.clean(msg), Err: cause}
}

// clean makes a service's message safe and short enough to log: valid UTF-8,
// one line, at most maxMessage bytes, and never the key (a service may echo
// what it was sent).
func (h *httpClient) clean(msg string) string {
	msg = strings.ToValidUTF8(msg, "\uFFFD")
	if h.key != "" {
		msg = strings.ReplaceAll(msg, h.key, "[key]")
	}
	msg = strings.Join(strings.FieldsFunc(msg, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	}), " ")
	if len(msg) > maxMessage {
		cut := maxMessage
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = msg[:cut] + "…"
	}
	return msg
}

// post sends one request and returns the answer's status and body (at most
// maxBody bytes). A request that gets no complete answer in time, or no
// answer at all, is ErrUnavailable.
func (h *httpClient) post(ctx context.Context, path, contentType string, body []byte, header http.Header) (int, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, h.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.base+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil, h.fail(ErrUnavailable, 0, "", err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "Parley")
	resp, err := h.client.Do(req)
	if err != nil {
		return 0, nil, h.fail(ErrUnavailable, 0, "", h.cause(ctx, err))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return 0, nil, h.fail(ErrUnavailable, resp.StatusCode, "", h.cause(ctx, err))
	}
	if len(data) > maxBody {
		return 0, nil, h.fail(ErrUnavailable, resp.StatusCode, fmt.Sprintf("answer longer than %d bytes", maxBody), nil)
	}
	return resp.StatusCode, data, nil
}

// cause prefers the context's error, so errors.Is(err,
// context.DeadlineExceeded) holds after a timeout.
func (h *httpClient) cause(ctx context.Context, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	return err
}

// bodyText is what an error shows of a body that is not the service's
// documented error JSON (a proxy's HTML page, say).
func bodyText(body []byte) string {
	if len(body) > 2*maxMessage {
		body = body[:2*maxMessage]
	}
	return string(body)
}

// language normalises an ISO 639-1 code ("DE", "pt-BR" → "de", "pt"); ok is
// false when it is not two or three ASCII letters.
func language(code string) (string, bool) {
	code = strings.ToLower(strings.TrimSpace(code))
	if i := strings.IndexAny(code, "-_"); i >= 0 {
		code = code[:i]
	}
	if len(code) < 2 || len(code) > 3 {
		return "", false
	}
	for _, r := range code {
		if r < 'a' || r > 'z' {
			return "", false
		}
	}
	return code, true
}

// pair normalises from and to; a code that is no language is an unsupported
// pair, and nothing is sent.
func (h *httpClient) pair(from, to string) (string, string, error) {
	f, okf := language(from)
	t, okt := language(to)
	if !okf || !okt {
		return "", "", h.fail(ErrUnsupportedPair, 0, fmt.Sprintf("not language codes: %q, %q", from, to), nil)
	}
	return f, t, nil
}

// trivial reports whether text needs no service: nothing to translate, or
// nothing to translate into.
func trivial(text, from, to string) bool {
	return strings.TrimSpace(text) == "" || from == to
}
