package parley

import (
	"net/url"
	"path"
	"strings"
)

// LocalPath reports whether s names a page of this site, and returns it in
// the form to send in a Location header or an attribute: path cleaned the way
// http.Redirect cleans it, then checked again, so that what a browser finally
// reads is on this site. Browsers read a backslash as a slash and drop tabs
// and newlines inside URLs, so "/\evil.example" and "/\t/evil.example" lead
// off the site; such addresses, raw or percent-encoded, are refused rather
// than repaired, since no page of Parley has one.
func LocalPath(s string) (string, bool) {
	if s == "" || s[0] != '/' || !safeURLChars(s) {
		return "", false
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return "", false
	}
	// Decoded, the path must still be free of what browsers rewrite.
	if !safeURLChars(u.Path) || !safeURLChars(u.Fragment) {
		return "", false
	}
	cleaned := path.Clean(u.EscapedPath())
	if strings.HasSuffix(u.Path, "/") && cleaned != "/" {
		cleaned += "/"
	}
	if !strings.HasPrefix(cleaned, "/") || strings.HasPrefix(cleaned, "//") {
		return "", false
	}
	if u.RawQuery != "" || u.ForceQuery {
		cleaned += "?" + u.RawQuery
	}
	if u.Fragment != "" {
		cleaned += "#" + u.EscapedFragment()
	}
	return cleaned, true
}

// safeURLChars reports whether s has none of the characters browsers strip
// or turn into a slash while parsing a URL: control characters and the
// backslash. Checked on the raw address and on its decoded path.
func safeURLChars(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f || c == '\\' {
			return false
		}
	}
	return true
}

// localOrHTTPURL reports whether s is a path on this site or an absolute
// http(s) address, as image and logo fields take.
func localOrHTTPURL(s string) bool {
	// The address is served as typed, so only LocalPath's own form is sure
	// to stay here: "///evil.example/x.png" cleans to a local path, but a
	// browser reads it as the host evil.example.
	if p, ok := LocalPath(s); ok {
		return p == s
	}
	if !safeURLChars(s) {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
