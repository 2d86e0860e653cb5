package notify

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Mention is an "@Name" in a comment that names another commenter of the
// same debate.
type Mention struct {
	Start, End int   // byte offsets of "@Name" in the text
	CommentID  int64 // the named author's latest comment in the debate
}

// FindMentions finds the mentions in text of the debate's authors, given
// as name → their latest comment. Names match whole and ignoring case; the
// longest name wins ("@Ana Lima" over "@Ana").
func FindMentions(text string, authors map[string]int64) []Mention {
	if len(authors) == 0 || !strings.Contains(text, "@") {
		return nil
	}
	lower := make(map[string]int64, len(authors))
	longest := 0
	for name, id := range authors {
		lower[strings.ToLower(name)] = id
		longest = max(longest, len(name))
	}
	var out []Mention
	code := false // inside `code`, where nothing is a mention
	for i := 0; i < len(text); i++ {
		if text[i] == '`' {
			code = !code
		}
		// A mention starts the text or follows a space or an opening
		// bracket: not "mastodon.social/@Ana", not "x@bob".
		if code || text[i] != '@' || (i > 0 && !mentionMayFollow(lastRune(text[:i]))) {
			continue
		}
		best, bestID := 0, int64(0)
		for end := i + 2; end <= len(text) && end-i-1 <= longest; end++ {
			if end < len(text) && !utf8.RuneStart(text[end]) {
				continue
			}
			if end < len(text) && isNameRune(firstRune(text[end:])) {
				continue // the name must end at a word boundary
			}
			if id, ok := lower[strings.ToLower(text[i+1:end])]; ok {
				best, bestID = end, id
			}
		}
		if best > 0 {
			out = append(out, Mention{Start: i, End: best, CommentID: bestID})
			i = best - 1
		}
	}
	return out
}

// LinkMentions writes each mention in Markdown as a link to the comment it
// names, so that readers can follow it. base is the site's address: comment
// Markdown takes only absolute links.
func LinkMentions(md, base string, mentions []Mention) string {
	if len(mentions) == 0 {
		return md
	}
	var b strings.Builder
	prev := 0
	for _, m := range mentions {
		b.WriteString(md[prev:m.Start])
		b.WriteString("[")
		b.WriteString(md[m.Start:m.End])
		b.WriteString("](")
		b.WriteString(base)
		b.WriteString("/comments/")
		b.WriteString(strconv.FormatInt(m.CommentID, 10))
		b.WriteString(")")
		prev = m.End
	}
	b.WriteString(md[prev:])
	return b.String()
}

func mentionMayFollow(r rune) bool {
	return unicode.IsSpace(r) || r == '(' || r == '[' || r == '"' || r == '“'
}

func isNameRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' }

func firstRune(s string) rune { r, _ := utf8.DecodeRuneInString(s); return r }

func lastRune(s string) rune { r, _ := utf8.DecodeLastRuneInString(s); return r }
