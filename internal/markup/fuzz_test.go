package markup

import (
	"html"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

var plainSeeds = []string{
	"", "<p>Hello world</p>", "<p>a</p>\n<p>b</p>", "un<em>believ</em>able", "a<br>b", "<p>&lt;b&gt; &amp;amp; &#128512;</p>",
	"<pre><code>x  y\n\tz</code></pre>", "<p>Árvíztűrő tükörfúrógép</p>", "<p>😀 😀 😀 😀</p>", "<a href=\"x\">link</a>text",
	"<script>alert(1)</script>", "<!-- c --><p>x</p>", "<p>bad \xff byte</p>", "&nbsp;\u00a0\u3000", "<p", "</p>x<",
	"end. Next sentence, and more — still more", "averyveryverylongwordwithoutspaces",
}

func FuzzPlainText(f *testing.F) {
	for _, s := range plainSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		got := PlainText(h)
		if got != strings.TrimSpace(got) || strings.Contains(got, "  ") {
			t.Fatalf("PlainText(%q) = %q: whitespace not collapsed", h, got)
		}
		for _, r := range got {
			if unicode.IsSpace(r) && r != ' ' {
				t.Fatalf("PlainText(%q) = %q keeps space %U", h, got, r)
			}
		}
		if utf8.ValidString(h) && !utf8.ValidString(got) {
			t.Fatalf("PlainText(%q) = %q: not valid UTF-8", h, got)
		}
		// Escaped text comes back as itself, its whitespace collapsed (the
		// tokenizer turns NUL into U+FFFD, so text without NUL).
		if utf8.ValidString(h) && !strings.Contains(h, "\x00") {
			if back, want := PlainText(html.EscapeString(h)), strings.Join(strings.Fields(h), " "); back != want {
				t.Fatalf("PlainText(EscapeString(%q)) = %q, want %q", h, back, want)
			}
		}
	})
}

func FuzzExcerpt(f *testing.F) {
	for i, s := range plainSeeds {
		f.Add(s, i-2)
	}
	f.Add("<p>Hello, world. This is long.</p>", 7)
	f.Add("<p>end. Next</p>", 5)
	f.Fuzz(func(t *testing.T, h string, n int) {
		n %= 2000 // an excerpt is short; keep the work of a run small
		plain := PlainText(h)
		got := Excerpt(h, n)
		if c := utf8.RuneCountInString(got); c > max(n, 0) {
			t.Fatalf("Excerpt(%q, %d) = %q: %d runes", h, n, got, c)
		}
		if utf8.RuneCountInString(plain) <= n {
			if got != plain {
				t.Fatalf("Excerpt(%q, %d) = %q, want all of %q", h, n, got, plain)
			}
			return
		}
		if n <= 0 {
			if got != "" {
				t.Fatalf("Excerpt(%q, %d) = %q, want nothing", h, n, got)
			}
			return
		}
		cut, ok := strings.CutSuffix(got, "…")
		if !ok || !strings.HasPrefix(plain, cut) {
			t.Fatalf("Excerpt(%q, %d) = %q: not a start of %q and \"…\"", h, n, got, plain)
		}
		if strings.HasSuffix(cut, " ") {
			t.Fatalf("Excerpt(%q, %d) = %q ends in a space before \"…\"", h, n, got)
		}
		if utf8.ValidString(h) && !utf8.ValidString(got) {
			t.Fatalf("Excerpt(%q, %d) = %q: not valid UTF-8", h, n, got)
		}
	})
}
