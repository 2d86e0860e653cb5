package markup

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// inline elements do not separate words: "un<em>believ</em>able" is one word.
var inline = map[string]bool{"a": true, "em": true, "strong": true, "code": true}

// PlainText returns the text of rendered HTML without tags, whitespace collapsed, for excerpts, feeds and mail.
func PlainText(h string) string {
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(h))
	for {
		switch z.Next() {
		case html.ErrorToken: // io.EOF: the tokenizer never fails on a strings.Reader
			return strings.Join(strings.Fields(b.String()), " ")
		case html.TextToken:
			b.Write(z.Text()) // entities decoded
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			// Block boundaries and <br> separate words even when no newline does.
			if name, _ := z.TagName(); !inline[string(name)] {
				b.WriteByte(' ')
			}
		}
	}
}

// Excerpt returns at most n runes of PlainText, cut at a word boundary, with "…" when cut.
// The "…" counts towards n, so the result always fits in n runes.
func Excerpt(h string, n int) string {
	s := PlainText(h)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n <= 0 {
		return ""
	}
	// cut is the byte offset of rune n-1: what fits before the "…".
	cut := 0
	for range n - 1 {
		_, size := utf8.DecodeRuneInString(s[cut:])
		cut += size
	}
	// Back up to the last space unless the cut already falls on one; a
	// single word longer than n (a URL, CJK text) is cut mid-word.
	if s[cut] != ' ' {
		if i := strings.LastIndexByte(s[:cut], ' '); i > 0 {
			cut = i
		}
	}
	// Drop separators left dangling at the cut ("end. Next" gives "end…").
	return strings.TrimRight(s[:cut], " ,;:.-–—") + "…"
}
