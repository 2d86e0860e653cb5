package parley

import (
	"net/mail"
	"net/url"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func FuzzCleanText(f *testing.F) {
	for _, s := range []string{
		"", "  hello\r\nworld\r ", "bell\x07 null\x00 esc\x1b", "tab\tkept\nnewline kept", "a\r\r\nb", "\r\n\r\n",
		"rtl\u202eoverride\u2066 zero\ufeffwidth", "Grüße 🙂", "\u0085next\u00a0nbsp\u3000", "bad \xff byte",
		"line\u2028sep\u2029para", "\u200b\u200c\u200d", " \t\n ", "a\x7fb\u009fc",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, ok := CleanText(s)
		if ok != utf8.ValidString(s) {
			t.Fatalf("CleanText(%q) ok = %v, want %v (valid UTF-8 or not)", s, ok, !ok)
		}
		line, lineOK := CleanLine(s)
		if lineOK != ok {
			t.Fatalf("CleanLine(%q) ok = %v, CleanText ok = %v", s, lineOK, ok)
		}
		if !ok {
			if out != "" || line != "" {
				t.Fatalf("invalid %q cleaned to %q, %q; want nothing", s, out, line)
			}
			return
		}
		checkClean(t, "CleanText", s, out)
		if out != strings.TrimSpace(out) {
			t.Fatalf("CleanText(%q) = %q: surrounding space left", s, out)
		}
		if len(out) > len(s) {
			t.Fatalf("CleanText(%q) = %q grew", s, out)
		}
		if again, _ := CleanText(out); again != out {
			t.Fatalf("CleanText not idempotent: %q -> %q -> %q", s, out, again)
		}

		checkClean(t, "CleanLine", s, line)
		if strings.ContainsAny(line, "\n\t") || strings.Contains(line, "  ") || line != strings.TrimSpace(line) {
			t.Fatalf("CleanLine(%q) = %q: not one line of single spaces", s, line)
		}
		for _, r := range line {
			if unicode.IsSpace(r) && r != ' ' {
				t.Fatalf("CleanLine(%q) = %q keeps space %U", s, line, r)
			}
		}
		if again, _ := CleanLine(line); again != line {
			t.Fatalf("CleanLine not idempotent: %q -> %q -> %q", s, line, again)
		}
		// A line made from the cleaned text is the line made from the input.
		if fromText, _ := CleanLine(out); fromText != line {
			t.Fatalf("CleanLine(%q) = %q but CleanLine(CleanText) = %q", s, line, fromText)
		}
	})
}

// checkClean fails unless out is valid UTF-8 without carriage returns or
// the controls and invisible characters cleaning removes.
func checkClean(t *testing.T, name, in, out string) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Fatalf("%s(%q) = %q: not valid UTF-8", name, in, out)
	}
	for _, r := range out {
		if r == '\r' || isStrippedControl(r) {
			t.Fatalf("%s(%q) = %q keeps %U", name, in, out, r)
		}
	}
}

func FuzzSlugify(f *testing.F) {
	for _, s := range []string{
		"", "Should city centres be car-free?", "  --Trams -- or buses?--  ", "Grüße aus Łódź", "Straße", "Ærø",
		"İstanbul", "re\u0301sume\u0301", "Καλημέρα", "日本語", "2026: the year", "a_b.c/d", "----",
		strings.Repeat("ab ", 60), strings.Repeat("ß", 120), "\xff\xfe", "KELVIN K",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, title string) {
		slug := Slugify(title)
		for i := 0; i < len(slug); i++ {
			c := slug[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				t.Fatalf("Slugify(%q) = %q holds %q", title, slug, c)
			}
		}
		if strings.HasPrefix(slug, "-") || strings.HasSuffix(slug, "-") || strings.Contains(slug, "--") {
			t.Fatalf("Slugify(%q) = %q: stray dashes", title, slug)
		}
		// Validate fills an empty slug from the title, then checks it: a
		// slug made from any title must pass.
		if slug != "" && !validSlug(slug) {
			t.Fatalf("Slugify(%q) = %q, which validSlug refuses", title, slug)
		}
		if again := Slugify(slug); again != slug {
			t.Fatalf("Slugify not idempotent: %q -> %q -> %q", title, slug, again)
		}
		// Combining marks belong to their letter; they never split a word.
		bare := strings.Map(func(r rune) rune {
			if unicode.IsMark(r) {
				return -1
			}
			return r
		}, title)
		if got := Slugify(bare); got != slug {
			t.Fatalf("Slugify(%q) = %q, but without its marks %q", title, slug, got)
		}
	})
}

func FuzzValidEmail(f *testing.F) {
	for _, s := range []string{
		"name@example.org", "a@b.c", "Name <a@b.c>", "a@b", "@b.c", "a@b.c ", `"a b"@example.org`, "\"a\tb\"@x.org",
		"a@[1.2.3.4]", "é@x.org", "a@x.org\u00a0", "a\u202e@x.org", "a@x\u200b.org", "a@b.c (comment)", "a@b.c, d@e.f",
		"a.b+tag@sub.example.co.uk", "a@b.c\r\nBcc: x@y.z",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !ValidEmail(s) {
			return
		}
		if !utf8.ValidString(s) {
			t.Fatalf("ValidEmail(%q) on invalid UTF-8", s)
		}
		// An address is typed by a person and shown to moderators: no
		// spaces, controls or invisible characters.
		for _, r := range s {
			if unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || isStrippedControl(r) {
				t.Fatalf("ValidEmail(%q) accepts %U", s, r)
			}
		}
		if clean, _ := CleanLine(s); clean != s {
			t.Fatalf("ValidEmail(%q), but CleanLine changes it to %q", s, clean)
		}
		at := strings.LastIndexByte(s, '@')
		if at <= 0 || !strings.Contains(s[at+1:], ".") {
			t.Fatalf("ValidEmail(%q) without a local part, or a dot in the domain", s)
		}
		// It must go into a mail header and come back unchanged.
		a, err := mail.ParseAddress((&mail.Address{Address: s}).String())
		if err != nil || a.Address != s {
			t.Fatalf("ValidEmail(%q), but as a header it reads back as %v, %v", s, a, err)
		}
	})
}

func FuzzLocalOrHTTPURL(f *testing.F) {
	for _, s := range []string{
		"/media/a.jpg", "//evil.example/a.jpg", "/\\evil.example/a.jpg", "/\t/evil.example", "https://example.org/a.jpg",
		"http://example.org", "https:example.org", "javascript:alert(1)", "https://", "/", "", "ftp://x/y",
		"HTTPS://EXAMPLE.ORG/x", "/a b?c#d", "http://[::1]:8080/x", "https://user@host/x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !localOrHTTPURL(s) {
			return
		}
		if strings.HasPrefix(s, "/") {
			// A browser reads "\" as "/" and drops tabs and newlines: a
			// path on this site must not become "//host" to it.
			seen := strings.NewReplacer("\\", "/", "\t", "", "\n", "", "\r", "").Replace(s)
			if strings.HasPrefix(seen, "//") {
				t.Fatalf("localOrHTTPURL(%q) accepts what a browser reads as %q, another host", s, seen)
			}
			return
		}
		u, err := url.Parse(s)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			t.Fatalf("localOrHTTPURL(%q) accepts a URL that is neither a path nor http(s) with a host: %v", s, err)
		}
	})
}
