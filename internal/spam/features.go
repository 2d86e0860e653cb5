package spam

import (
	"math"
	"strconv"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// This file turns a comment into features: hashed word unigrams and
// bigrams, character n-grams of each word, and a few facts about the text
// as a whole ("3 or more links", "phone number"). A feature is only an
// index into the model's weights; what it means is recovered from the text
// being scored, so the model file holds numbers, never training text.

// Feature kinds, mixed into the hash so that the word "free" and the
// character trigram "free" land in different places.
const (
	kindWord   = 'w'
	kindBigram = 'b'
	kindChar   = 'c'
	kindFact   = 'f'
)

// Character n-grams run from minGram to maxGram bytes of a word framed by
// '<' and '>'; words longer than maxGramWord bytes (video IDs, tracking
// codes) contribute only their first maxGramWord bytes.
const (
	minGram     = 3
	maxGram     = 5
	maxGramWord = 24
)

// maxAnalysed bounds the work done on one comment: spam shows itself early,
// and a 50,000-character paste must not cost more than a 5,000-character
// comment. Bytes after it are not read.
const maxAnalysed = 6000

// feature is one hashed feature of a text.
type feature struct {
	hash uint32 // FNV-1a of the kind and the feature's bytes
	kind byte
	// weight is the model's weight for it, noted while scoring.
	weight float32
	// word is the token the feature came from (for a bigram, its first
	// word; for a fact, the fact's index in facts), so that its weight
	// can be credited to something a moderator can read.
	word int32
}

// span is a token's place in analysis.words.
type span struct{ start, end int32 }

// analysis is the scratch space of one feature extraction, pooled so that
// scoring allocates almost nothing.
type analysis struct {
	scratch []byte // the NFKD form of non-ASCII text
	text    []byte // normalized text: NFKD, marks and format characters dropped, lower case
	words   []byte // the tokens, back to back
	spans   []span
	feats   []feature
	facts   []fact
	// textFeats counts word, bigram and character features; each of
	// them weighs 1/sqrt(textFeats), so long and short comments score on
	// the same scale.
	textFeats int

	// Scratch space of Model.reasons.
	credit, pairCredit []float64
	first              map[uint32]int32
}

// fact is a property of the whole comment, with the name a moderator sees.
type fact struct {
	key  string // hashed: stable across versions
	name string // shown: may say more than key ("7 links")
}

func (a *analysis) reset() {
	a.text, a.words, a.spans, a.feats, a.facts = a.text[:0], a.words[:0], a.spans[:0], a.feats[:0], a.facts[:0]
	a.textFeats = 0
}

// word returns token i.
func (a *analysis) word(i int32) []byte {
	s := a.spans[i]
	return a.words[s.start:s.end]
}

// textScale is the value of each word, bigram and character feature.
func (a *analysis) textScale() float64 {
	if a.textFeats == 0 {
		return 0
	}
	return 1 / math.Sqrt(float64(a.textFeats))
}

// analyse extracts the features of text; links is the number of links the
// caller found in it (say, by rendering its Markdown), or 0: the text's own
// URLs are counted too, and the larger count wins.
func (a *analysis) analyse(text string, links int) {
	a.reset()
	if len(text) > maxAnalysed {
		// Cut at a rune boundary.
		cut := maxAnalysed
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut]
	}
	st := a.normalize(text)
	a.text = joinSpaced(a.text)
	a.tokenize()

	for i := range a.spans {
		w := a.word(int32(i))
		a.feats = append(a.feats, feature{hash: hashBytes(hashStart(kindWord), w), kind: kindWord, word: int32(i)})
		if i > 0 {
			h := hashBytes(hashStart(kindBigram), a.word(int32(i-1)))
			h = hashByte(h, ' ')
			a.feats = append(a.feats, feature{hash: hashBytes(h, w), kind: kindBigram, word: int32(i - 1)})
		}
		a.charGrams(int32(i), w)
	}
	a.textFeats = len(a.feats)

	// Facts about the whole text. The classifier learns how much each
	// one matters; nothing here decides anything by itself.
	if n := max(links, countLinks(a.text)); n > 0 {
		switch {
		case n == 1:
			a.addFact(fact{"links:1", "1 link"})
		case n == 2:
			a.addFact(fact{"links:2", "2 links"})
		default:
			a.addFact(fact{"links:3+", strconv.Itoa(n) + " links"})
		}
	}
	if hasPhoneNumber(a.text) {
		a.addFact(fact{"phone", "phone number"})
	}
	if hasEmailAddress(a.text) {
		a.addFact(fact{"email", "email address"})
	}
	if st.currency > 0 {
		a.addFact(fact{"currency", "currency symbol"})
	}
	if st.letters >= 8 {
		switch share := float64(st.upper) / float64(st.letters); {
		case share >= 0.5:
			a.addFact(fact{"caps:most", "mostly capitals"})
		case share >= 0.2:
			a.addFact(fact{"caps:many", "many capitals"})
		}
	}
	if st.exclaim >= 3 {
		a.addFact(fact{"exclaim:3+", "!!!"})
	}
}

func (a *analysis) addFact(f fact) {
	a.feats = append(a.feats, feature{hash: hashString(hashStart(kindFact), f.key), kind: kindFact, word: int32(len(a.facts))})
	a.facts = append(a.facts, f)
}

// charGrams adds the character n-grams of token i, framed as "<word>".
// They recognise a word's pieces in misspellings, run-together words and
// inflections ("subscribe", "subscribers", "subscribeee").
func (a *analysis) charGrams(i int32, w []byte) {
	var buf [maxGramWord + 2]byte
	if len(w) > maxGramWord {
		w = w[:maxGramWord]
	}
	buf[0] = '<'
	n := 1 + copy(buf[1:], w)
	buf[n] = '>'
	n++
	framed := buf[:n]
	for s := 0; s+minGram <= n; s++ {
		h := hashStart(kindChar)
		for e := s; e < n && e < s+maxGram; e++ {
			h = hashByte(h, framed[e])
			if e-s+1 >= minGram {
				a.feats = append(a.feats, feature{hash: h, kind: kindChar, word: i})
			}
		}
	}
}

// stats are counts taken from the text before it is lower-cased.
type stats struct {
	letters, upper, currency, exclaim int
}

// normalize writes the normalized form of text to a.text: compatibility
// decomposition (NFKD: full-width and mathematical letters, ligatures and
// circled digits become plain ones), without combining marks (é → e) or
// invisible format characters (zero-width spaces, byte-order marks), in
// lower case, with curly and straight apostrophes removed (don't → dont).
func (a *analysis) normalize(text string) stats {
	var st stats
	if isASCII(text) {
		for i := 0; i < len(text); i++ {
			st.ascii(&a.text, text[i])
		}
		return st
	}
	a.scratch = norm.NFKD.AppendString(a.scratch[:0], text)
	for src := a.scratch; len(src) > 0; {
		r, n := utf8.DecodeRune(src)
		src = src[n:]
		switch {
		case r < utf8.RuneSelf:
			st.ascii(&a.text, byte(r))
			continue
		case unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Cf, r) || r == '\u2019' || r == '\u2018':
			continue
		case unicode.IsLetter(r):
			st.letters++
			if unicode.IsUpper(r) {
				st.upper++
				r = unicode.ToLower(r)
			}
		case unicode.Is(unicode.Sc, r):
			st.currency++
		case unicode.IsSpace(r):
			r = ' '
		}
		a.text = utf8.AppendRune(a.text, r)
	}
	return st
}

// ascii counts and writes one ASCII byte of the text being normalized.
func (st *stats) ascii(out *[]byte, c byte) {
	switch {
	case 'A' <= c && c <= 'Z':
		st.letters++
		st.upper++
		c += 'a' - 'A'
	case 'a' <= c && c <= 'z':
		st.letters++
	case c == '!':
		st.exclaim++
	case c == '$':
		st.currency++
	case c == '\'':
		return
	case c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
		c = ' '
	}
	*out = append(*out, c)
}

// tokenize splits a.text into tokens: runs of letters and digits, with a
// Latin letter repeated more than three times kept three times
// ("pleassssse" and "pleasssse" are one word, "www" stays). A token that mixes Latin letters with Cyrillic or Greek look-alikes ("frее" with
// two Cyrillic е) is spelt in Latin letters; a number of five or more
// digits becomes its shape ("#####"), since spam's phone numbers and short
// codes vary but their length does not.
func (a *analysis) tokenize() {
	t := a.text
	for i := 0; i < len(t); {
		r, n := rune(t[i]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRune(t[i:])
		}
		if !isWordRune(r) {
			i += n
			continue
		}
		start := len(a.words)
		latin, other, digits, runes := false, false, 0, 0
		for i < len(t) {
			r, n = rune(t[i]), 1
			if r >= utf8.RuneSelf {
				r, n = utf8.DecodeRune(t[i:])
			}
			if !isWordRune(r) {
				break
			}
			switch {
			case 'a' <= r && r <= 'z':
				latin = true
			case '0' <= r && r <= '9':
				digits++
			case lookalike[r] != 0:
				other = true
			}
			runes++
			if w := a.words[start:]; isLetterByte(t[i]) && len(w) >= 3 && w[len(w)-1] == t[i] && w[len(w)-2] == t[i] && w[len(w)-3] == t[i] {
				i++ // a fourth "s" in "pleassssse" adds nothing
				continue
			}
			a.words = append(a.words, t[i:i+n]...)
			i += n
		}
		w := a.words[start:]
		switch {
		case latin && other:
			// Folded, "fееее" (Cyrillic е) reads "feeee": keep three of a
			// letter as for Latin text, or the disguise makes another word.
			w = squeezeRepeats(foldLookalikes(w))
			a.words = a.words[:start+len(w)]
		case digits == runes && digits >= 5:
			a.words = a.words[:start]
			for range min(digits, 12) {
				a.words = append(a.words, '#')
			}
		}
		a.spans = append(a.spans, span{int32(start), int32(len(a.words))})
	}
}

func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || '0' <= r && r <= '9' || 'A' <= r && r <= 'Z'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// lookalike maps Cyrillic and Greek lower-case letters to the Latin letters
// they imitate. It applies only inside words that also hold Latin letters,
// so Russian and Greek text is left alone.
var lookalike = map[rune]byte{
	'а': 'a', 'в': 'b', 'е': 'e', 'ё': 'e', 'і': 'i', 'ї': 'i', 'ј': 'j', 'к': 'k', 'м': 'm', 'н': 'h',
	'о': 'o', 'р': 'p', 'с': 'c', 'т': 't', 'у': 'y', 'х': 'x', 'ѕ': 's', 'һ': 'h', 'ԁ': 'd', 'ԛ': 'q',
	'ԝ': 'w', 'ь': 'b', 'α': 'a', 'β': 'b', 'ε': 'e', 'η': 'n', 'ι': 'i', 'κ': 'k', 'ν': 'v', 'ο': 'o',
	'ρ': 'p', 'τ': 't', 'υ': 'u', 'χ': 'x', 'γ': 'y', 'ω': 'w',
}

// foldLookalikes rewrites w in place with look-alikes replaced by Latin
// letters, and returns it (shorter or the same length).
func foldLookalikes(w []byte) []byte {
	out := w[:0]
	for i := 0; i < len(w); {
		r, n := utf8.DecodeRune(w[i:])
		if b := lookalike[r]; b != 0 {
			out = append(out, b)
		} else {
			out = append(out, w[i:i+n]...)
		}
		i += n
	}
	return out
}

// squeezeRepeats keeps at most three of a Latin letter in a row, in place.
func squeezeRepeats(w []byte) []byte {
	out := w[:0]
	for _, c := range w {
		if n := len(out); isLetterByte(c) && n >= 3 && out[n-1] == c && out[n-2] == c && out[n-3] == c {
			continue
		}
		out = append(out, c)
	}
	return out
}

// joinSpaced rejoins words spelt out letter by letter to dodge filters:
// four or more single ASCII letters, each separated by one space, dot,
// dash or similar ("f r e e", "c.l.i.c.k"), become one word. Three are
// left alone, so that text-speak such as "u r a star" keeps its words.
// It works in place.
func joinSpaced(t []byte) []byte {
	// Writing in place is safe: out never gets ahead of i, and what it
	// overwrites behind i is either read no more or unchanged.
	out := t[:0]
	for i := 0; i < len(t); {
		if !singleLetter(t, i) {
			out = append(out, t[i])
			i++
			continue
		}
		j, count := i, 1
		for j+2 < len(t) && isSpacer(t[j+1]) && singleLetter(t, j+2) {
			j += 2
			count++
		}
		if count >= 4 {
			for k := i; k <= j; k += 2 {
				out = append(out, t[k])
			}
		} else {
			out = append(out, t[i:j+1]...)
		}
		i = j + 1
	}
	return out
}

// singleLetter reports whether t[i] is an ASCII letter standing alone.
func singleLetter(t []byte, i int) bool {
	return isLetterByte(t[i]) && (i == 0 || !isWordByte(t[i-1])) && (i+1 == len(t) || !isWordByte(t[i+1]))
}

func isLetterByte(b byte) bool { return 'a' <= b && b <= 'z' }

// isWordByte reports whether b may be part of a word; bytes of multi-byte
// runes count as word bytes, so "é" is not mistaken for a gap.
func isWordByte(b byte) bool { return isLetterByte(b) || '0' <= b && b <= '9' || b >= utf8.RuneSelf }

func isSpacer(b byte) bool {
	switch b {
	case ' ', '.', '-', '_', '*', '/', '|', '+', '~', ',':
		return true
	}
	return false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// countLinks counts the URLs in normalized text: "http://", "https://",
// and "www." not already part of one of those.
func countLinks(t []byte) int {
	n := 0
	for i := 0; i+4 <= len(t); i++ {
		switch t[i] {
		case 'h':
			if hasPrefixAt(t, i, "http://") || hasPrefixAt(t, i, "https://") {
				n++
			}
		case 'w':
			if hasPrefixAt(t, i, "www.") && (i < 1 || t[i-1] != '/') {
				n++
			}
		}
	}
	return n
}

func hasPrefixAt(t []byte, i int, p string) bool {
	return len(t)-i >= len(p) && string(t[i:i+len(p)]) == p
}

// hasPhoneNumber reports a run of nine or more digits, allowing single
// spaces, dashes, dots and brackets between them ("0800 123 4567").
func hasPhoneNumber(t []byte) bool {
	digits := 0
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case '0' <= c && c <= '9':
			digits++
			if digits >= 9 {
				return true
			}
		case (c == ' ' || c == '-' || c == '.' || c == '(' || c == ')') && digits > 0 &&
			i+1 < len(t) && ('0' <= t[i+1] && t[i+1] <= '9' || t[i+1] == '('):
		case c == '+' || c == '(':
		default:
			digits = 0
		}
	}
	return false
}

// hasEmailAddress reports "name@host.tld". A mention ("@Anna") is not one.
func hasEmailAddress(t []byte) bool {
	for i := 1; i < len(t)-3; i++ {
		if t[i] != '@' || !isWordByte(t[i-1]) {
			continue
		}
		dot := false
		j := i + 1
		for ; j < len(t) && (isWordByte(t[j]) || t[j] == '.' || t[j] == '-'); j++ {
			if t[j] == '.' && j+1 < len(t) && isLetterByte(t[j+1]) {
				dot = true
			}
		}
		if dot && j > i+3 {
			return true
		}
	}
	return false
}

// FNV-1a, 32 bits: fast, good enough for feature hashing, and fixed, so a
// model file means the same thing on every machine.
const (
	fnvOffset = 2166136261
	fnvPrime  = 16777619
)

func hashStart(kind byte) uint32 { return hashByte(fnvOffset, kind) }

func hashByte(h uint32, b byte) uint32 { return (h ^ uint32(b)) * fnvPrime }

func hashBytes(h uint32, p []byte) uint32 {
	for _, b := range p {
		h = (h ^ uint32(b)) * fnvPrime
	}
	return h
}

func hashString(h uint32, s string) uint32 {
	for i := 0; i < len(s); i++ {
		h = (h ^ uint32(s[i])) * fnvPrime
	}
	return h
}

// slot maps a feature hash to one of 1<<bits weights (Fibonacci hashing
// spreads FNV's low-entropy high bits).
func slot(h uint32, bits uint8) uint32 { return (h * 0x9E3779B1) >> (32 - bits) }
