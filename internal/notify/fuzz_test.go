package notify

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/parley-org/parley"
)

func FuzzMentions(f *testing.F) {
	names := "Ana\nAna Lima\nJörg\nbob"
	for _, text := range []string{
		"@Ana Lima is right", "@ana, and @Jörg: yes", "@Anatole is not Ana", "mail me at x@bob", "@Bob!", "no mentions",
		"see https://mastodon.social/@Ana", "`@Ana` in code, (@Jörg) out", "@", "@@Ana", "“@Ana” [@bob] (@bob)",
		"@ANA LIMA", "@Ana\u00a0Lima", "@Ana_", "@bob\xff", "```\n@Ana\n```\n@bob", "@Ana @Ana @Ana",
	} {
		f.Add(text, names)
	}
	f.Add("@Ana and @ana", "Ana\nana\nANA")
	f.Add("@K and @k", "K\nk") // U+212A KELVIN SIGN lowers to k
	f.Add("@x](https://evil.example) y", "x](https://evil.example)")
	f.Add("@ⱥ and @Ⱥ", "Ⱥ") // lower-casing makes it longer
	f.Add("@a`b `@bob` @bob", "a`b\nbob")
	f.Fuzz(func(t *testing.T, text, nameList string) {
		// Names are at most 80 characters (parley.MaxNameLen), and the
		// checks below are quadratic: a comment's worth of text will do.
		text = text[:min(len(text), 2000)]
		authors := map[string]int64{}
		for i, name := range strings.Split(nameList, "\n") {
			if name != "" && i < 50 && len(name) <= 4*parley.MaxNameLen {
				authors[name] = int64(i + 1)
			}
		}
		ms := FindMentions(text, authors)
		// Map order is random: the same text and authors always give the
		// same mentions.
		for range 3 {
			if again := FindMentions(text, authors); !slices.Equal(again, ms) {
				t.Fatalf("FindMentions(%q, %q) = %v, then %v", text, nameList, ms, again)
			}
		}
		// Text without Markdown's code and links, where every name is a mention.
		// (No run of spaces or tab, so no line is indented as code.)
		plain := !strings.ContainsAny(text, "`~[\t") && !strings.Contains(text, "  ")
		lowered := map[string]bool{}
		for n := range authors {
			lowered[strings.ToLower(n)] = true
		}
		prev := 0
		for _, m := range ms {
			if m.Start < prev || m.End <= m.Start+1 || m.End > len(text) || text[m.Start] != '@' {
				t.Fatalf("FindMentions(%q): mention %+v out of place (after %d)", text, m, prev)
			}
			prev = m.End
			name := text[m.Start+1 : m.End]
			id, ok := int64(0), false
			for n, nid := range authors {
				if strings.ToLower(n) == strings.ToLower(name) && nid > id {
					id, ok = nid, true
				}
			}
			// Of authors whose names differ only in case, the latest comment.
			if !ok || id != m.CommentID {
				t.Fatalf("FindMentions(%q): %q names comment %d, want %d", text, name, m.CommentID, id)
			}
			// The longest name wins.
			for end := m.End + 1; end <= len(text) && end-m.Start <= 400; end++ {
				if end < len(text) && (!utf8.RuneStart(text[end]) || isNameRune(firstRune(text[end:]))) {
					continue
				}
				if plain && lowered[strings.ToLower(text[m.Start+1:end])] {
					t.Fatalf("FindMentions(%q): mention %q, but %q is a longer name", text, name, text[m.Start+1:end])
				}
			}
			if m.Start > 0 && !mentionMayFollow(lastRune(text[:m.Start])) {
				t.Fatalf("FindMentions(%q): mention %q inside a word", text, name)
			}
			if m.End < len(text) && isNameRune(firstRune(text[m.End:])) {
				t.Fatalf("FindMentions(%q): mention %q ends inside a word", text, name)
			}
		}

		// And none is missed there: every "@" where a mention may start
		// that is followed by a name, out of other mentions, is one.
		// (Code and links are FuzzRenderMentions' to check, rendered.)
		next, covered := 0, 0
		for i := 0; i < len(text); i++ {
			if next < len(ms) && ms[next].Start == i {
				covered = ms[next].End
				next++
				continue
			}
			if !plain || text[i] != '@' || i < covered || i > 0 && !mentionMayFollow(lastRune(text[:i])) {
				continue
			}
			for end := i + 2; end <= len(text) && end-i <= 400; end++ {
				if end < len(text) && (!utf8.RuneStart(text[end]) || isNameRune(firstRune(text[end:]))) {
					continue
				}
				if lowered[strings.ToLower(text[i+1:end])] {
					t.Fatalf("FindMentions(%q, %q) = %v misses %q at %d", text, nameList, ms, text[i:end], i)
				}
			}
		}

		const base = "https://parley.example"
		linked := LinkMentions(text, base, ms)
		if len(ms) == 0 && linked != text {
			t.Fatalf("LinkMentions(%q) without mentions = %q", text, linked)
		}
		if utf8.ValidString(text) && !utf8.ValidString(linked) {
			t.Fatalf("LinkMentions(%q) = %q: not valid UTF-8", text, linked)
		}
		// Taking the links out gives the text back: each is "[@" and the
		// name, escaped where Markdown would read it otherwise, then "](",
		// the comment's address and ")".
		rest := linked
		prev = 0
		for _, m := range ms {
			head := text[prev:m.Start] + "[@"
			tail := "](" + base + "/comments/" + strconv.FormatInt(m.CommentID, 10) + ")"
			if !strings.HasPrefix(rest, head) {
				t.Fatalf("LinkMentions(%q) = %q: %q does not come next", text, linked, head)
			}
			rest = rest[len(head):]
			i := strings.Index(rest, tail)
			if i < 0 {
				t.Fatalf("LinkMentions(%q) = %q lacks %q", text, linked, tail)
			}
			label, name := rest[:i], text[m.Start+1:m.End]
			if unescape(label) != unescape(name) || strings.ContainsAny(strings.ReplaceAll(strings.ReplaceAll(strings.ReplaceAll(label, `\\`, ""), `\[`, ""), `\]`, ""), "[]") {
				t.Fatalf("LinkMentions(%q): name %q written as %q", text, name, label)
			}
			rest, prev = rest[i+len(tail):], m.End
		}
		if rest != text[prev:] {
			t.Fatalf("LinkMentions(%q) = %q ends in %q, want %q", text, linked, rest, text[prev:])
		}
	})
}

// unescape reads Markdown's backslash escapes of ASCII punctuation.
func unescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && strings.IndexByte(markdownPunct, s[i+1]) >= 0 {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func FuzzTokens(f *testing.F) {
	f.Add([]byte("a 32-byte secret for the tokens!"), int64(42), int64(1767225600000), "daily", uint16(3), "42.1767225600000.AAAAAAAAAAAAAAAAAAAAAA")
	f.Add([]byte{}, int64(0), int64(-1), "", uint16(0), "")
	f.Add([]byte("k"), int64(-9), int64(1<<62), "weekly", uint16(40), "s1.xxxxxxxxxxxxxxxxxxxxxx")
	f.Add([]byte(strings.Repeat("long key ", 20)), int64(7), int64(7), "d-x.y", uint16(9), "d7-daily..")
	f.Fuzz(func(t *testing.T, secret []byte, id, sent int64, delivery string, at uint16, junk string) {
		n := &Notifier{secret: secret}
		// Another key: one byte changed. (HMAC pads short keys with zeros
		// and hashes long ones, so "k" and "k\x00" would be the same key.)
		other := &Notifier{secret: []byte("x")}
		if len(secret) > 0 {
			other.secret = slices.Clone(secret)
			other.secret[0] ^= 1
		}
		delivery = strings.Map(func(r rune) rune { // as the store names deliveries
			if r == '.' {
				return -1
			}
			return r
		}, delivery)
		for _, tc := range []struct {
			purpose string
			fields  []string
		}{
			{"confirm", []string{itoa(id), itoa(sent)}},
			{"manage", []string{itoa(id)}},
			{"unsubscribe", []string{"s" + itoa(id)}},
			{"unsubscribe", []string{"d" + itoa(id) + "-" + delivery}},
		} {
			tok := n.token(tc.purpose, tc.fields...)
			count := len(tc.fields)
			if got, ok := n.check(tc.purpose, tok, count); !ok || !slices.Equal(got, tc.fields) {
				t.Fatalf("%s token %q for %q reads %q, %v", tc.purpose, tok, tc.fields, got, ok)
			}
			if _, ok := other.check(tc.purpose, tok, count); ok {
				t.Fatalf("%s token %q verifies under another key", tc.purpose, tok)
			}
			for _, p := range []string{"confirm", "manage", "unsubscribe"} {
				for c := 1; c <= 2; c++ {
					if _, ok := n.check(p, tok, c); ok && (p != tc.purpose || c != count) {
						t.Fatalf("%s token %q verifies as a %s token of %d fields", tc.purpose, tok, p, c)
					}
				}
			}
			// Any one byte changed, or the token cut short, and it fails.
			i, flip := int(at)%len(tok), byte(1+(at>>8)%255)
			for _, bad := range []string{tok[:i] + string(tok[i]^flip) + tok[i+1:], tok[:i], tok + "x"} {
				if _, ok := n.check(tc.purpose, bad, count); ok {
					t.Fatalf("%s token %q, altered to %q, still verifies", tc.purpose, tok, bad)
				}
			}
		}
		// Made-up input verifies only if it is exactly a token the key makes.
		for _, purpose := range []string{"confirm", "manage", "unsubscribe"} {
			for count := 0; count <= 3; count++ {
				fields, ok := n.check(purpose, junk, count)
				if ok && junk != n.token(purpose, fields...) {
					t.Fatalf("junk %q verifies as %s with %d fields", junk, purpose, count)
				}
			}
			if n.CheckLink(purpose, junk) == nil && purpose == "manage" {
				t.Fatalf("CheckLink takes a %s token", purpose)
			}
		}
		if err := n.CheckLink("unsubscribe", junk); err == nil {
			if f, _ := n.check("unsubscribe", junk, 1); junk != n.token("unsubscribe", f...) {
				t.Fatalf("CheckLink accepts junk %q", junk)
			}
		}
	})
}
