package wordlist

import (
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Normalisation pipeline (applied identically to terms and to comments):
//
//  1. Full Unicode case folding (cases.Fold: "ß" → "ss", "ς" → "σ",
//     "İ" → "i̇"), then NFKD (fullwidth, ligatures, mathematical and
//     circled letters become plain letters; accented letters are split into
//     base letter + combining mark), then a per-rune lower-casing for the few
//     characters NFKD turns back into capitals (ℌ → H → h).
//  2. Invisible characters are deleted without splitting the word: format
//     characters (category Cf: zero-width space/joiners, soft hyphen, BOM,
//     word joiner, bidi controls…) and the Hangul fillers.
//  3. Combining marks are deleted when their base letter belongs to a script
//     where they are optional diacritics (Latin, Greek, Cyrillic, Hebrew,
//     Arabic, …), so "idiöt", "ìdiot" and Zalgo text reduce to "idiot". Marks
//     are kept for Brahmic and South-East-Asian scripts, where they are
//     vowels and removing them would merge unrelated words.
//  4. Look-alike letters are mapped to a Latin skeleton: Cyrillic "і", "о",
//     "а", Greek "ο", "ι", Turkish dotless "ı", … (see confusables). The
//     mapping is applied to terms too, so a Cyrillic or Greek term still
//     matches itself; it only means that e.g. a Russian word made entirely of
//     look-alike letters is treated like its Latin look-alike.
//  5. Tokenisation: a word is a maximal run of letters, digits and kept
//     marks. Everything else (spaces, punctuation, symbols, emoji) separates
//     words. Characters of scripts written without spaces (Han, Hiragana,
//     Katakana, Thai, Lao, Khmer, Myanmar) are each a word of their own, so
//     a term in those scripts matches as a character sequence.
//  6. Leetspeak: '@' and '$' count as word characters when they touch a word
//     and '!' when it sits between two word characters ("a$$", "id!ot"). In a
//     word that contains a real letter (or '@'), the digits 0 1 3 4 5 7 and
//     the symbols @ $ ! are read as o i e a s t a s i ("1d10t" → "idiot").
//     Words made only of digits are left alone, so "455 apples" stays "455",
//     and the symbols are dropped from them ("$100" → "100").
//
// Normalize returns the resulting words separated by single spaces.

// foldSeg applies step 1 of the pipeline to a run of non-ASCII characters
// (folding and decomposition are per character, so segments can be
// processed separately). The result is valid until the next call.
func (sc *scratch) foldSeg(seg string) []byte {
	if sc.caser == nil {
		c := cases.Fold()
		sc.caser = &c
	}
	sc.src = append(sc.src[:0], seg...)
	n := 4*len(seg) + 16
	for {
		if cap(sc.fbuf) < n {
			sc.fbuf = make([]byte, n)
		}
		sc.caser.Reset()
		nDst, _, err := sc.caser.Transform(sc.fbuf[:cap(sc.fbuf)], sc.src, true)
		if err == transform.ErrShortDst {
			n = 2 * cap(sc.fbuf)
			continue
		}
		// norm.Iter keeps its buffers inside the (pooled) scratch, unlike
		// norm.Form.Append, which allocates on every call.
		sc.iter.Init(norm.NFKD, sc.fbuf[:nDst])
		sc.nbuf = sc.nbuf[:0]
		for !sc.iter.Done() {
			sc.nbuf = append(sc.nbuf, sc.iter.Next()...)
		}
		return sc.nbuf
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// keepMarkScripts are scripts whose combining marks carry meaning (mostly
// vowel signs) and are therefore not stripped.
var keepMarkScripts = []*unicode.RangeTable{
	unicode.Devanagari, unicode.Bengali, unicode.Gurmukhi, unicode.Gujarati,
	unicode.Oriya, unicode.Tamil, unicode.Telugu, unicode.Kannada,
	unicode.Malayalam, unicode.Sinhala, unicode.Thai, unicode.Lao,
	unicode.Tibetan, unicode.Myanmar, unicode.Khmer, unicode.Balinese,
	unicode.Javanese, unicode.Sundanese, unicode.Tai_Tham, unicode.Tai_Viet,
	unicode.New_Tai_Lue, unicode.Buginese, unicode.Ethiopic,
}

// perCharScripts are written without spaces between words; each of their
// characters is a token of its own.
var perCharScripts = []*unicode.RangeTable{
	unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Thai,
	unicode.Lao, unicode.Khmer, unicode.Myanmar,
}

// confusables maps (already lower-cased) look-alike letters to the Latin
// letter they imitate.
var confusables = map[rune]rune{
	// Latin
	'ı': 'i', 'ȷ': 'j', 'ɑ': 'a', 'ɡ': 'g', 'ɩ': 'i', 'ɪ': 'i', 'ʏ': 'y',
	'ɴ': 'n', 'ʀ': 'r', 'ᴀ': 'a', 'ᴄ': 'c', 'ᴅ': 'd', 'ᴇ': 'e', 'ᴋ': 'k',
	'ᴍ': 'm', 'ᴏ': 'o', 'ᴘ': 'p', 'ᴛ': 't', 'ᴜ': 'u', 'ᴠ': 'v', 'ᴡ': 'w',
	'ᴢ': 'z', 'ſ': 's', 'ł': 'l', 'ø': 'o', 'đ': 'd', 'ħ': 'h', 'ƀ': 'b',
	// Cyrillic
	'а': 'a', 'в': 'b', 'е': 'e', 'к': 'k', 'м': 'm', 'н': 'h', 'о': 'o',
	'п': 'n', 'р': 'p', 'с': 'c', 'т': 't', 'у': 'y', 'х': 'x', 'і': 'i',
	'ј': 'j', 'ѕ': 's', 'һ': 'h', 'ԁ': 'd', 'ԛ': 'q', 'ԝ': 'w', 'ӏ': 'l',
	'ү': 'y', 'ɜ': 'e', 'ѵ': 'v', 'ԍ': 'g', 'ь': 'b',
	// Greek
	'α': 'a', 'β': 'b', 'ε': 'e', 'η': 'n', 'ι': 'i', 'κ': 'k', 'ν': 'v',
	'ο': 'o', 'ρ': 'p', 'τ': 't', 'υ': 'u', 'χ': 'x', 'ω': 'w', 'ϲ': 'c',
	'ϳ': 'j', 'ϱ': 'p', 'ϵ': 'e',
	// Armenian
	'օ': 'o', 'ս': 'u', 'հ': 'h', 'ո': 'n', 'ց': 'g', 'զ': 'q',
}

// leet maps leetspeak characters inside a word that contains a letter.
func leet(r rune) rune {
	switch r {
	case '0':
		return 'o'
	case '1', '!':
		return 'i'
	case '3':
		return 'e'
	case '4', '@':
		return 'a'
	case '5', '$':
		return 's'
	case '7':
		return 't'
	}
	return r
}

// canonRune maps r to the lower case of its upper case, so that
// characters NFKD produces after folding ("ϲ" → "ς", "ℌ" → "H") end up in
// the form folding gives them ("σ", "h"), which keeps Normalize idempotent.
func canonRune(r rune) rune { return unicode.ToLower(unicode.ToUpper(r)) }

func isInvisible(r rune) bool {
	switch r {
	case '\u115F', '\u1160', '\u3164', '\uFFA0', '\u034F':
		return true
	}
	return r > 0x7f && unicode.Is(unicode.Cf, r)
}

func isMark(r rune) bool { return r > 0x7f && unicode.In(r, unicode.Mn, unicode.Me, unicode.Mc) }

// character classes of preprocessed runes
const (
	clSep   = iota
	clWord  // letter, digit or kept mark
	clMark  // kept combining mark (also a word character)
	clAtDol // '@' or '$': word character when touching a word
	clBang  // '!': word character when between word characters
)

type scratch struct {
	caser           *cases.Caser
	iter            norm.Iter
	src, fbuf, nbuf []byte
	pre             []rune  // preprocessed runes
	cls             []uint8 // class of each preprocessed rune
	toks            []token
	runs            []run
	spelled         []rune // letters of spelled-out runs, leetspeak applied
	spRuns          []spRun
}

// token is one word of the text; its letters are the run-length encoding
// scratch.runs[ra:rb].
type token struct {
	ra, rb   int32
	spr      int32 // index into scratch.spRuns if part of a spelled-out run, or -1
	joinable bool  // exactly one rune, not a per-character script
}

// spRun is a run of two or more consecutive single-character tokens (a
// spelled-out word such as "i d i o t"): tokens [start, end), whose letters
// are scratch.spelled[off : off+end-start].
type spRun struct {
	start, end, off int32
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// preprocess performs steps 1–4 into sc.pre / sc.cls.
func (sc *scratch) preprocess(s string) {
	sc.pre = sc.pre[:0]
	sc.cls = sc.cls[:0]
	if isASCII(s) {
		pre, cls := slices.Grow(sc.pre, len(s))[:len(s)], slices.Grow(sc.cls, len(s))[:len(s)]
		for i := 0; i < len(s); i++ {
			c := s[i]
			pre[i] = rune(asciiLower[c])
			cls[i] = asciiCls[c]
		}
		sc.pre, sc.cls = pre, cls
		return
	}
	stripMarks := true
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			sc.pre = append(sc.pre, rune(asciiLower[c]))
			sc.cls = append(sc.cls, asciiCls[c])
			stripMarks = true
			i++
			continue
		}
		j := i + 1
		for j < len(s) && s[j] >= utf8.RuneSelf {
			j++
		}
		stripMarks = sc.preprocessSeg(s[i:j], stripMarks)
		i = j
	}
}

func (sc *scratch) preprocessSeg(seg string, stripMarks bool) bool {
	b := sc.foldSeg(seg)
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		b = b[size:]
		if r < utf8.RuneSelf {
			sc.pre = append(sc.pre, rune(asciiLower[r]))
			sc.cls = append(sc.cls, asciiCls[r])
			stripMarks = true
			continue
		}
		if isInvisible(r) {
			continue
		}
		if isMark(r) {
			if stripMarks {
				continue
			}
			sc.pre = append(sc.pre, r)
			sc.cls = append(sc.cls, clMark)
			continue
		}
		r = canonRune(r)
		if m, ok := confusables[r]; ok {
			r = m
		}
		cl := uint8(clSep)
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			cl = clWord
		}
		stripMarks = cl == clSep || !unicode.In(r, keepMarkScripts...)
		sc.pre = append(sc.pre, r)
		sc.cls = append(sc.cls, cl)
	}
	return stripMarks
}

var asciiCls, asciiLower, leetTab [utf8.RuneSelf]uint8

func init() {
	for c := range utf8.RuneSelf {
		lc := c
		if 'A' <= c && c <= 'Z' {
			lc += 'a' - 'A'
		}
		asciiLower[c] = uint8(lc)
		leetTab[c] = uint8(leet(rune(c)))
		switch {
		case 'a' <= lc && lc <= 'z', '0' <= lc && lc <= '9':
			asciiCls[c] = clWord
		case lc == '@' || lc == '$':
			asciiCls[c] = clAtDol
		case lc == '!':
			asciiCls[c] = clBang
		default:
			asciiCls[c] = clSep
		}
	}
}

// tokenize performs steps 5–6 and builds runs and joined candidates.
func (sc *scratch) tokenize(s string) {
	sc.preprocess(s)
	pre, cls := sc.pre, sc.cls
	// Resolve contextual leet symbols to clWord or clSep.
	for i := 0; i < len(pre); {
		if cls[i] != clAtDol && cls[i] != clBang {
			i++
			continue
		}
		j := i
		for j < len(pre) && (cls[j] == clAtDol || cls[j] == clBang) {
			j++
		}
		before := i > 0 && cls[i-1] >= clWord && cls[i-1] <= clMark
		after := j < len(pre) && (cls[j] == clWord || cls[j] == clMark)
		for k := i; k < j; k++ {
			switch {
			case cls[k] == clAtDol && (before || after):
				cls[k] = clWord
			case cls[k] == clBang && before && after:
				cls[k] = clWord
			default:
				cls[k] = clSep
			}
		}
		i = j
	}

	sc.toks = sc.toks[:0]
	sc.runs = sc.runs[:0]
	for i := 0; i < len(pre); {
		if cls[i] == clSep || cls[i] == clMark && i == 0 {
			i++
			continue
		}
		j := i + 1
		if pre[i] > 0x7f && unicode.In(pre[i], perCharScripts...) {
			for j < len(pre) && cls[j] == clMark {
				j++
			}
			sc.emit(pre[i:j], false)
			i = j
			continue
		}
		for j < len(pre) && cls[j] != clSep && (pre[j] < utf8.RuneSelf || cls[j] != clWord || !unicode.In(pre[j], perCharScripts...)) {
			j++
		}
		sc.emit(pre[i:j], true)
		i = j
	}
}

// emit appends one token and its run-length encoding, applying leetspeak
// rules.
func (sc *scratch) emit(rs []rune, mayJoin bool) {
	hasLetter := false
	for _, r := range rs {
		if r < utf8.RuneSelf {
			if r == '@' || 'a' <= r && r <= 'z' {
				hasLetter = true
				break
			}
		} else if unicode.IsLetter(r) {
			hasLetter = true
			break
		}
	}
	runs := sc.runs
	ra := len(runs)
	for _, r := range rs {
		if r < utf8.RuneSelf {
			if hasLetter {
				r = rune(leetTab[r])
			} else if r == '@' || r == '$' || r == '!' {
				continue
			}
		}
		if k := len(runs); k > ra && runs[k-1].r == r {
			runs[k-1].n++
		} else {
			runs = append(runs, run{r, 1})
		}
	}
	sc.runs = runs
	if len(runs) == ra {
		return
	}
	sc.toks = append(sc.toks, token{
		ra:       int32(ra),
		rb:       int32(len(runs)),
		spr:      -1,
		joinable: mayJoin && len(runs) == ra+1 && runs[ra].n == 1,
	})
}

type run struct {
	r rune
	n int32
}

// buildRuns collects the letters of runs of single-character tokens ("i d i o t", "i.d.i.o.t").
func (sc *scratch) buildRuns() {
	sc.spelled = sc.spelled[:0]
	sc.spRuns = sc.spRuns[:0]
	for i := 0; i < len(sc.toks); {
		if !sc.toks[i].joinable {
			i++
			continue
		}
		j := i + 1
		for j < len(sc.toks) && sc.toks[j].joinable {
			j++
		}
		if j-i >= 2 {
			a := len(sc.spelled)
			sc.spRuns = append(sc.spRuns, spRun{int32(i), int32(j), int32(a)})
			hasLetter := false
			for k := i; k < j; k++ {
				t := &sc.toks[k]
				r := sc.runs[t.ra].r
				if !unicode.IsDigit(r) {
					hasLetter = true
				}
				t.spr = int32(len(sc.spRuns) - 1)
				sc.spelled = append(sc.spelled, r)
			}
			if hasLetter {
				for k := a; k < len(sc.spelled); k++ {
					sc.spelled[k] = leet(sc.spelled[k])
				}
			}
		}
		i = j
	}
}

// spelledAt returns the (leetspeak-mapped) letter of token p, which must be
// part of a spelled-out run.
func (sc *scratch) spelledAt(p int) rune {
	sr := sc.spRuns[sc.toks[p].spr]
	return sc.spelled[int(sr.off)+p-int(sr.start)]
}

// Normalize is the text form matching works on: the words of s after case
// folding, compatibility decomposition, removal of diacritics and invisible
// characters, mapping of look-alike letters and leetspeak, separated by
// single spaces. Matching does not depend on anything Normalize drops, so
// Match(Normalize(s)) reports the same as Match(s).
func Normalize(s string) string {
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	sc.tokenize(s)
	var b strings.Builder
	for i, t := range sc.toks {
		if i > 0 {
			b.WriteByte(' ')
		}
		for _, r := range sc.runs[t.ra:t.rb] {
			for range r.n {
				b.WriteRune(r.r)
			}
		}
	}
	return b.String()
}
