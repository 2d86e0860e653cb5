package i18n

import (
	"testing"
	"unicode/utf8"
)

// FuzzMatch: any Accept-Language header picks a language of the interface.
func FuzzMatch(f *testing.F) {
	for _, s := range []string{"", "de-AT,de;q=0.9,en;q=0.5", "*", "fr;q=abc", "en-GB;q=0.8, pt-BR", "zh-Hant-TW;q=1.0", ";;;,,,q=", "x-klingon"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		l := Match(header)
		if l == nil || Get(l.Code) != l {
			t.Fatalf("Match(%q) = %v, not a language of the interface", header, l)
		}
	})
}

// FuzzMessage: reading any sentence back into a format and its values
// never panics, and a sentence no catalogue holds comes back unchanged.
func FuzzMessage(f *testing.F) {
	for _, s := range []string{"", "1,234 comments", "Your comment is 5,001 characters long; the limit is 5,000.", "%d %s %[2]s", "Comment #12 belongs to another debate."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, l := range All() {
			got := l.Message(s)
			if l.Code == "en" && utf8.ValidString(s) && got == "" && s != "" {
				t.Fatalf("Message(%q) is empty", s)
			}
		}
	})
}
