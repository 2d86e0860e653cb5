package wordlist

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		testList, "", "# only a comment\n\n", "idiot\nidiot\nIDIOT", "moron*\nmoron", "go back to\ngo*", "a*b",
		"*", "!!!", "i d i o t", "1d10t\na$$", "  spaced  \r\n\ttabbed\t", "笨蛋\nकुत्ता\nสวัสดี", "ǅ ℌ ﬁ ½",
		"\u200b\nx\u200by", strings.Repeat("x", MaxTermLen+1), "aaa\naaaa\naa", "ab ab ab\nab*", "\xff\xfe",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		l, err := Parse(text)
		lines := strings.Split(text, "\n")
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse(%q): %v is not a *ParseError", text, err)
			}
			if pe.Line < 1 || pe.Line > len(lines) || pe.Term != strings.TrimSpace(lines[pe.Line-1]) {
				t.Fatalf("Parse(%q): error names line %d %q, not a line of the text", text, pe.Line, pe.Term)
			}
			return
		}
		var want []string
		for _, line := range lines {
			if term := strings.TrimSpace(line); term != "" && !strings.HasPrefix(term, "#") {
				want = append(want, term)
			}
		}
		if got := l.Terms(); !slices.Equal(got, want) || l.Len() != len(want) {
			t.Fatalf("Parse(%q) terms %q (len %d), want %q", text, got, l.Len(), want)
		}
		// Each term matches its own text, and the match reported is that
		// term or one listed before it (both start at the first word).
		for i, term := range want[:min(len(want), 20)] {
			body := strings.TrimSuffix(term, "*")
			got, ok := l.Match(body)
			if !ok {
				t.Fatalf("list %q: term %q does not match its text %q", text, term, body)
			}
			if j := slices.Index(want, got); j < 0 || j > i {
				t.Fatalf("list %q: text %q of term %d %q matched %q, listed later", text, body, i, term, got)
			}
			if !utf8.ValidString(body) {
				continue
			}
			// So does its normalised form, and the term alone in a list.
			if _, ok := l.Match(Normalize(body)); !ok {
				t.Fatalf("list %q: term %q does not match its normalised text %q", text, term, Normalize(body))
			}
			one, err := Parse(term)
			if err != nil {
				t.Fatalf("term %q of a valid list does not parse alone: %v", term, err)
			}
			if got, ok := one.Match(body); !ok || got != term {
				t.Fatalf("the list of %q alone matches %q with %q, %v", term, body, got, ok)
			}
		}
	})
}
