package langid

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// MaxRunes is how much of a text Detect reads, after cleaning: a thousand
// characters settle the language of any comment, and bound the time one
// takes (lingua's is linear in the length).
const MaxRunes = 1000

// maxInput bounds the raw text cleaned: enough for MaxRunes even when
// much of the text is links and markup.
const maxInput = 16 * MaxRunes

var (
	// A Markdown image goes; a link leaves its text.
	mdImage = regexp.MustCompile(`!\[[^\]\n]*\]\([^)\n]*\)`)
	mdLink  = regexp.MustCompile(`\[([^\]\n]*)\]\([^)\n]*\)`)
	// Inline code, HTML tags, addresses: not the writer's language.
	inlineCode = regexp.MustCompile("`[^`\n]*`")
	htmlTag    = regexp.MustCompile(`</?[A-Za-z][^<>\n]*>`)
	webAddress = regexp.MustCompile(`(?i)\b(?:https?://|ftp://|www\.)\S*`)
	email      = regexp.MustCompile(`[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+`)
	// @mentions are names, #hashtags are often English whatever the
	// comment's language.
	tag = regexp.MustCompile(`(?:^|[^\p{L}\p{N}_])[@#][\p{L}\p{N}_.-]+`)
)

// clean returns what of text is the writer's own prose: without fenced
// code, quoted lines (someone else's words, often in another language),
// links' addresses, @mentions and the like, cut to MaxRunes. Markdown's
// punctuation (emphasis, lists, headings) can stay: lingua reads only
// letters.
func clean(text string) string {
	if len(text) > maxInput {
		text = text[:maxInput]
	}
	text = strings.ToValidUTF8(text, " ")

	var b strings.Builder
	fence := "" // the fence of the code block we are in
	for line := range strings.Lines(text) {
		trimmed := strings.TrimLeft(line, " \t")
		switch {
		case fence != "":
			if strings.HasPrefix(trimmed, fence) {
				fence = ""
			}
			continue
		case strings.HasPrefix(trimmed, "```"):
			fence = "```"
			continue
		case strings.HasPrefix(trimmed, "~~~"):
			fence = "~~~"
			continue
		case strings.HasPrefix(trimmed, ">"):
			continue
		}
		b.WriteString(line)
	}
	text = b.String()

	text = mdImage.ReplaceAllString(text, " ")
	text = mdLink.ReplaceAllString(text, " $1 ")
	text = inlineCode.ReplaceAllString(text, " ")
	text = htmlTag.ReplaceAllString(text, " ")
	text = webAddress.ReplaceAllString(text, " ")
	text = email.ReplaceAllString(text, " ")
	text = tag.ReplaceAllString(text, " ")
	return truncate(strings.Join(strings.Fields(text), " "), MaxRunes)
}

// truncate cuts s to at most n runes, at a space if there is one near the
// end, so that no word is read half.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for range n {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	if sp := strings.LastIndexByte(s[:i], ' '); sp > i-50 {
		i = sp
	}
	return s[:i]
}
