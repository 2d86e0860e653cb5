package notify

import (
	"slices"
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
	longest := 0 // in runes: lower-casing keeps the runes, not the bytes ("Ⱥ" is 2, "ⱥ" 3)
	for name, id := range authors {
		// Names that differ only in case read as one: the latest comment
		// wins, not whichever the map's random order gives last.
		if l := strings.ToLower(name); id > lower[l] {
			lower[l] = id
		}
		longest = max(longest, utf8.RuneCountInString(name))
	}
	var out []Mention
	inert := inertBytes(text)
	for i := 0; i < len(text); i++ {
		// A mention starts the text or follows a space or an opening
		// bracket: not "mastodon.social/@Ana", not "x@bob".
		if text[i] != '@' || inert[i] || (i > 0 && !mentionMayFollow(lastRune(text[:i]))) {
			continue
		}
		// A name runs to where code or a link begins, at the latest.
		stop := len(text)
		if k := slices.Index(inert[i:], true); k >= 0 {
			stop = i + k
		}
		best, bestID := 0, int64(0)
		for end, n := i+1, 0; end < stop && n < longest; n++ {
			_, size := utf8.DecodeRuneInString(text[end:])
			if end += size; end > stop {
				break
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

// inertBytes marks the bytes of Markdown text where a mention cannot
// become a link: code, which shows a link's Markdown as typed, and the
// reader's own links and reference definitions, which a link inside
// would break. It follows CommonMark closely enough for comments; where
// it is unsure it marks, since an unlinked mention costs nothing.
func inertBytes(text string) []bool {
	inert := make([]bool, len(text))
	mark := func(from, to int) {
		for k := from; k < to; k++ {
			inert[k] = true
		}
	}
	// Code blocks, line by line: fenced (``` or ~~~) and indented.
	fence := ""
	para := false // the line before continues a paragraph, which code cannot interrupt
	for start := 0; start < len(text); {
		end := strings.IndexByte(text[start:], '\n')
		if end < 0 {
			end = len(text)
		} else {
			end += start + 1
		}
		content := stripQuotes(text[start:end])
		indent, rest := leading(content)
		blank := strings.TrimSpace(rest) == ""
		switch {
		case fence != "":
			mark(start, end)
			if indent < 4 && strings.HasPrefix(rest, fence) && strings.Trim(strings.TrimSpace(rest), fence[:1]) == "" {
				fence = ""
			}
			para = false
		case indent < 4 && (strings.HasPrefix(rest, "```") || strings.HasPrefix(rest, "~~~")):
			mark(start, end)
			fence = rest[:len(rest)-len(strings.TrimLeft(rest, rest[:1]))]
			para = false
		case !blank && indent >= 4 && !para, listCode(rest):
			mark(start, end)
			para = false
		default:
			para = !blank
		}
		start = end
	}
	// Code spans: a run of backticks up to the next run of the same length.
	for i := 0; i < len(text); {
		if text[i] != '`' || inert[i] {
			i++
			continue
		}
		n := runOf(text, i, '`')
		closed := false
		for j := i + n; j < len(text); {
			if text[j] != '`' {
				j++
				continue
			}
			m := runOf(text, j, '`')
			if m == n {
				mark(i, j+m)
				i, closed = j+m, true
				break
			}
			j += m
		}
		if !closed {
			i += n // literal backticks
		}
	}
	// Links: "[text](address)", "[text][ref]" and "[ref]: address".
	for i := 0; i < len(text); i++ {
		if text[i] != '[' || inert[i] {
			continue
		}
		depth, j := 0, i
		for ; j < len(text); j++ {
			if text[j] == '\\' {
				j++
				continue
			}
			if text[j] == '[' {
				depth++
			} else if text[j] == ']' {
				if depth--; depth == 0 {
					break
				}
			}
		}
		if j >= len(text)-1 {
			continue
		}
		switch text[j+1] {
		case '(':
			k, paren := j+1, 0
			for ; k < len(text); k++ {
				if text[k] == '(' {
					paren++
				} else if text[k] == ')' {
					if paren--; paren == 0 {
						break
					}
				}
			}
			mark(i, min(k+1, len(text)))
		case '[':
			if k := strings.IndexByte(text[j+1:], ']'); k >= 0 {
				mark(i, j+2+k)
			}
		case ':':
			mark(i, j+2)
		}
	}
	return inert
}

// stripQuotes removes the block quote markers ("> ") that start a line.
func stripQuotes(line string) string {
	for {
		indent, rest := leading(line)
		if indent > 3 || !strings.HasPrefix(rest, ">") {
			return line
		}
		line = strings.TrimPrefix(rest[1:], " ")
	}
}

// leading returns the width of a line's indentation (a tab reaching the
// next multiple of 4) and what follows it.
func leading(line string) (int, string) {
	w := 0
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case ' ':
			w++
		case '\t':
			w += 4 - w%4
		default:
			return w, line[i:]
		}
	}
	return w, ""
}

// listCode reports a list item that opens with indented code: its marker
// ("-", "*", "+", "1." or "1)") followed by five or more columns of space.
func listCode(rest string) bool {
	i := 0
	for i < len(rest) && i < 9 && rest[i] >= '0' && rest[i] <= '9' {
		i++
	}
	switch {
	case i > 0 && i < len(rest) && (rest[i] == '.' || rest[i] == ')'):
		i++
	case i == 0 && rest != "" && strings.IndexByte("-*+", rest[0]) >= 0:
		i = 1
	default:
		return false
	}
	w, after := leading(rest[i:])
	return w >= 5 && strings.TrimSpace(after) != ""
}

func runOf(s string, i int, c byte) int {
	n := 0
	for i+n < len(s) && s[i+n] == c {
		n++
	}
	return n
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
		b.WriteString("[@")
		// A name such as "x](https://elsewhere" must stay text: brackets,
		// backslashes, backticks and angle brackets are escaped, escapes as
		// typed are kept, and the rest renders as it did without the link.
		name := md[m.Start+1 : m.End]
		for k := 0; k < len(name); k++ {
			switch c := name[k]; {
			case c == '\\' && k+1 < len(name) && strings.IndexByte(markdownPunct, name[k+1]) >= 0:
				b.WriteString(name[k : k+2])
				k++
			case strings.IndexByte("[]\\`<>", c) >= 0:
				b.WriteByte('\\')
				b.WriteByte(c)
			default:
				b.WriteByte(c)
			}
		}
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

// markdownPunct is what CommonMark lets a backslash escape.
const markdownPunct = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"

func mentionMayFollow(r rune) bool {
	return unicode.IsSpace(r) || r == '(' || r == '[' || r == '"' || r == '“'
}

func isNameRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' }

func firstRune(s string) rune { r, _ := utf8.DecodeRuneInString(s); return r }

func lastRune(s string) rune { r, _ := utf8.DecodeLastRuneInString(s); return r }
