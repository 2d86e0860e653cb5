// Package wordlist matches comments against moderator-maintained word lists
// ("hold for review", "reject") in a way that resists the usual evasions:
// case, spacing ("i d i o t", "i.d.i.o.t"), look-alike letters from other
// scripts, fullwidth and decorated letters, diacritics, zero-width
// characters, leetspeak ("1d10t") and stretched letters ("idiooot").
//
// Matching rules:
//
//   - Both terms and comments go through the same normalisation (see
//     Normalize) and are compared word by word, never as raw substrings, so a
//     term "ass" does not fire on "class", "passage" or "assessment" (the
//     Scunthorpe problem), and "idiot" does not match "idiotic".
//   - A term ending in '*' is a prefix term: its last word matches any word
//     beginning with it ("idiot*" matches "idiotic", "idiots").
//   - A term of several words ("go back to") matches those words in sequence
//     with any amount of whitespace or punctuation between them.
//   - Stretched letters: a letter repeated three or more times in the comment
//     matches the same letter repeated any number of times in the term, so
//     "idiooot" and "iiidiot" match "idiot". A doubled letter is NOT treated
//     as stretched, because doubling changes many real words ("good"/"god",
//     "too"/"to"): "idioot" does not match "idiot", and "as" does not match
//     the term "ass".
//   - Spaced-out words: a run of two or more consecutive single-character
//     words ("i d i o t", "i.d.i.o.t", "i-d-1-o-t") is also read as words
//     made of those characters. Because evaders mix spelled-out words with
//     real single-letter words ("u r a n i d i o t"), any piece of the run at
//     least three letters long is a candidate word; a two-letter piece only
//     counts when it is the whole run ("o k"). Ordinary text stays harmless
//     ("a b c" can only match a term "abc"); the price is that a spelled-out
//     innocent word containing a term matches it ("a s s e t s" matches
//     "ass"), which is rare outside evasion attempts. The letters are still
//     matched as whole candidate words against the trie, never by substring
//     search on the text.
//   - Scripts written without spaces (Chinese, Japanese, Thai, …) are
//     compared character by character, so such a term matches wherever its
//     characters appear in sequence.
package wordlist

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// Limits enforced by Parse.
const (
	MaxTerms   = 5000 // terms per list
	MaxTermLen = 100  // characters per term, as written
)

// List is a compiled word list. The zero List matches nothing. Safe for
// concurrent use.
type List struct {
	root  *node
	terms []string // terms as the moderator wrote them, in list order
}

type node struct {
	groups []group // children, by letter
	// For nodes with many children (the root and its neighbours), an index
	// of groups built by freeze.
	asc    *[utf8.RuneSelf][]edge
	other  map[rune][]edge
	sep    *node // continuation with the next word of a multi-word term
	term   int32 // index of a term whose last word ends here, or -1
	prefix int32 // index of a prefix term whose last word ends here, or -1
}

// edge consumes a run of n copies of one letter.
type edge struct {
	n  int32
	to *node
}

type group struct {
	r     rune
	edges []edge
}

func newNode() *node { return &node{term: -1, prefix: -1} }

// edges returns the edges of n for runs of r.
func (n *node) edges(r rune) []edge {
	if n.asc != nil {
		if r < utf8.RuneSelf {
			return n.asc[r]
		}
		return n.other[r]
	}
	for i := range n.groups {
		if n.groups[i].r == r {
			return n.groups[i].edges
		}
	}
	return nil
}

// freeze builds the lookup index of nodes with many children.
func (n *node) freeze() {
	if len(n.groups) > 8 {
		n.asc = new([utf8.RuneSelf][]edge)
		for _, g := range n.groups {
			if g.r < utf8.RuneSelf {
				n.asc[g.r] = g.edges
			} else {
				if n.other == nil {
					n.other = make(map[rune][]edge)
				}
				n.other[g.r] = g.edges
			}
		}
	}
	for _, g := range n.groups {
		for _, e := range g.edges {
			e.to.freeze()
		}
	}
	if n.sep != nil {
		n.sep.freeze()
	}
}

// ParseError reports a bad line in a word list.
type ParseError struct {
	Line int    // 1-based line number
	Term string // the offending line, trimmed
	Msg  string
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("wordlist: line %d: %s", e.Line, e.Msg)
}

// Parse compiles one term per line; blank lines and lines starting with '#'
// are ignored. It returns a *ParseError naming the line for a term that
// normalises to nothing, or is longer than MaxTermLen characters, or has a
// '*' anywhere but at its end, or if there are more than MaxTerms terms.
// Terms that normalise identically are allowed; the first one is reported
// by Match.
func Parse(text string) (*List, error) {
	l := &List{root: newNode()}
	for i, line := range strings.Split(text, "\n") {
		lineNo := i + 1
		term := strings.TrimSpace(line)
		if term == "" || strings.HasPrefix(term, "#") {
			continue
		}
		if len(l.terms) == MaxTerms {
			return nil, &ParseError{lineNo, term, fmt.Sprintf("more than %d terms", MaxTerms)}
		}
		if n := utf8.RuneCountInString(term); n > MaxTermLen {
			return nil, &ParseError{lineNo, term, fmt.Sprintf("term is %d characters long, the limit is %d", n, MaxTermLen)}
		}
		body, prefix := strings.CutSuffix(term, "*")
		if strings.Contains(body, "*") {
			return nil, &ParseError{lineNo, term, fmt.Sprintf("term %q: '*' is only allowed at the end", term)}
		}
		words := termWords(body)
		if len(words) == 0 {
			return nil, &ParseError{lineNo, term, fmt.Sprintf("term %q normalises to nothing", term)}
		}
		l.insert(words, prefix, int32(len(l.terms)))
		l.terms = append(l.terms, term)
	}
	l.root.freeze()
	return l, nil
}

// termWords returns the run-length encoded words of a term.
func termWords(s string) [][]run {
	sc := new(scratch)
	sc.tokenize(s)
	sc.buildRuns()
	words := make([][]run, len(sc.toks))
	for i, t := range sc.toks {
		words[i] = append([]run(nil), sc.runs[t.ra:t.rb]...)
	}
	return words
}

func (l *List) insert(words [][]run, prefix bool, idx int32) {
	n := l.root
	for wi, w := range words {
		if wi > 0 {
			if n.sep == nil {
				n.sep = newNode()
			}
			n = n.sep
		}
		for _, r := range w {
			gi := slices.IndexFunc(n.groups, func(g group) bool { return g.r == r.r })
			if gi < 0 {
				n.groups = append(n.groups, group{r: r.r})
				gi = len(n.groups) - 1
			}
			g := &n.groups[gi]
			var to *node
			for _, e := range g.edges {
				if e.n == r.n {
					to = e.to
					break
				}
			}
			if to == nil {
				to = newNode()
				g.edges = append(g.edges, edge{r.n, to})
			}
			n = to
		}
	}
	if prefix {
		if n.prefix < 0 {
			n.prefix = idx
		}
	} else if n.term < 0 {
		n.term = idx
	}
}

// Len returns the number of terms in the list.
func (l *List) Len() int {
	if l == nil {
		return 0
	}
	return len(l.terms)
}

// Terms returns the terms as written, in list order.
func (l *List) Terms() []string {
	if l == nil {
		return nil
	}
	return append([]string(nil), l.terms...)
}

// Match reports the first term (as the moderator wrote it) found in text, if
// any. "First" means the match starting at the earliest word of text; if
// several terms match there, the one listed first wins.
func (l *List) Match(text string) (term string, ok bool) {
	if l == nil || l.root == nil || len(l.terms) == 0 {
		return "", false
	}
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	sc.tokenize(text)
	sc.buildRuns()
	m := matcher{sc: sc, best: -1}
	for p := range sc.toks {
		// Cheap pre-check: the word (or joined run) must start with a
		// letter the list has a term for.
		t := &sc.toks[p]
		if l.root.edges(sc.runs[t.ra].r) == nil && (t.spr < 0 || l.root.edges(sc.spelledAt(p)) == nil) {
			continue
		}
		m.from(l.root, p)
		if m.best >= 0 {
			return l.terms[m.best], true
		}
	}
	return "", false
}

type matcher struct {
	sc   *scratch
	best int32
}

func (m *matcher) found(idx int32) {
	if m.best < 0 || idx < m.best {
		m.best = idx
	}
}

// from tries to match the trie below n starting at the word at token p.
func (m *matcher) from(n *node, p int) {
	t := &m.sc.toks[p]
	m.word(n, m.sc.runs[t.ra:t.rb], p+1)
	if t.spr >= 0 {
		sr := m.sc.spRuns[t.spr]
		off := int(sr.off) + p - int(sr.start)
		letters := m.sc.spelled[off : off+int(sr.end)-p]
		// A candidate cut from a spelled-out run must be at least three
		// letters long; a run of exactly two letters is only read as a whole.
		minLen := 3
		if sr.end-sr.start == 2 {
			minLen = 2
		}
		m.spelled(n, letters, 0, p, minLen)
	}
}

// spelled walks the letters of a spelled-out run from n, starting at a new
// run of equal letters at letters[i]; p is the token index of letters[0].
// Any prefix of letters at least minLen long is a candidate word.
func (m *matcher) spelled(n *node, letters []rune, i, p, minLen int) {
	c := letters[i]
	edges := n.edges(c)
	if len(edges) == 0 {
		return
	}
	prefixOK := len(letters) >= minLen
	cnt := int32(0)
	j := i
	for {
		j++
		cnt++
		// Candidate letters[:j], whose last run is cnt copies of c.
		for _, e := range edges {
			ok := e.n == cnt || cnt >= 3
			if e.to.prefix >= 0 && prefixOK && (ok || cnt > e.n) {
				m.found(e.to.prefix)
			}
			if ok && j >= minLen {
				if e.to.term >= 0 {
					m.found(e.to.term)
				}
				if e.to.sep != nil && p+j < len(m.sc.toks) {
					m.from(e.to.sep, p+j)
				}
			}
		}
		if j == len(letters) || letters[j] != c {
			break
		}
	}
	if j == len(letters) {
		return
	}
	for _, e := range edges {
		if e.n == cnt || cnt >= 3 {
			m.spelled(e.to, letters, j, p, minLen)
		}
	}
}

// word walks the runs of one word from n; next is the token after it.
func (m *matcher) word(n *node, runs []run, next int) {
	for i, r := range runs {
		edges := n.edges(r.r)
		if len(edges) == 0 {
			return
		}
		var follow *node
		for _, e := range edges {
			switch {
			case e.n == r.n || r.n >= 3:
				if e.to.prefix >= 0 {
					m.found(e.to.prefix)
				}
				if follow == nil {
					follow = e.to
				} else {
					// Several counts match a stretched run: branch.
					m.word(e.to, runs[i+1:], next)
				}
			case r.n > e.n && e.to.prefix >= 0:
				m.found(e.to.prefix)
			}
		}
		if follow == nil {
			return
		}
		n = follow
	}
	if n.term >= 0 {
		m.found(n.term)
	}
	if n.sep != nil && next < len(m.sc.toks) {
		m.from(n.sep, next)
	}
}
