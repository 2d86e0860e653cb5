package spam

//go:generate go run ../../cmd/parley spam train --out model.bin

import (
	"strconv"
	"sync"
)

// Verdicts.
const (
	Ham     = "ham"     // publish
	Pending = "pending" // hold for a moderator
	Spam    = "spam"    // file as spam
)

// Result is a comment's score and why.
type Result struct {
	Score   float64  // 0 (surely not spam) to 1 (surely spam)
	Verdict string   // Ham, Pending or Spam
	Reasons []Reason // up to five features that pushed the score up, strongest first
	// Marginal (Judge only) says a Pending verdict rests on one or two
	// links or a currency symbol alone: without it the comment would pass.
	Marginal bool
}

// Reason is a feature of a comment and how far it pushed the score toward
// spam, in log-odds: a word ("subscribe"), a pair of words ("check out"),
// or a fact ("3 links", "phone number").
type Reason struct {
	Feature string
	Weight  float64
}

// Model is a trained classifier. Score and Learn may be called
// concurrently.
type Model struct {
	mu      sync.RWMutex
	bits    uint8     // len(weights) == 1<<bits
	weights []float32 // by slot; the trained weights plus what Learn added
	bias    float64

	// Thresholds on the score.
	pending, spam float64

	// learned is what Learn changed since the model was trained or loaded.
	learned lessons
}

// Thresholds returns the scores from which a comment is pending and spam.
func (m *Model) Thresholds() (pending, spam float64) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.pending, m.spam
}

// SetThresholds changes them (a site that wants more or less caught);
// 0 <= pending <= spam <= 1.
func (m *Model) SetThresholds(pending, spam float64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.pending, m.spam = pending, spam
}

var pool = sync.Pool{New: func() any { return new(analysis) }}

// Score rates a comment. links is the number of links the caller found in
// it (by rendering its Markdown, say), or 0 to rely on the URLs in the
// text. It takes well under a millisecond, even for a long comment.
func (m *Model) Score(text string, links int) Result {
	a := pool.Get().(*analysis)
	defer pool.Put(a)
	a.analyse(text, links)
	m.mu.RLock()
	score := sigmoid(m.logit(a))
	pending, spam := m.pending, m.spam
	m.mu.RUnlock()
	r := Result{Score: score, Verdict: Ham, Reasons: reasons(a)}
	switch {
	case score >= spam:
		r.Verdict = Spam
	case score >= pending:
		r.Verdict = Pending
	}
	return r
}

// logit is the model's log-odds that the analysed text is spam. It notes
// each feature's weight in a.feats for reasons.
func (m *Model) logit(a *analysis) float64 {
	var text, facts float64
	for i := range a.feats {
		f := &a.feats[i]
		f.weight = m.weights[slot(f.hash, m.bits)]
		if f.kind == kindFact {
			facts += float64(f.weight)
		} else {
			text += float64(f.weight)
		}
	}
	return m.bias + float64(text*a.textScale()) + facts
}

// maxReasons is how many reasons a Result gives at most.
const maxReasons = 5

// reasons names what pushed the score up, strongest first. A word is
// credited with its own weight and its n-grams'; a pair of words with its
// bigram's; a fact with its own. A word or pair that occurs several times
// is one reason with the sum of its credits. It reads the weights logit
// noted.
func reasons(a *analysis) []Reason {
	scale := a.textScale()
	n := len(a.spans)
	a.credit = resize(a.credit, n)
	a.pairCredit = resize(a.pairCredit, n)
	if a.first == nil {
		a.first = make(map[uint32]int32)
	}
	clear(a.first)
	// canonical returns the first token with the same feature hash.
	canonical := func(f *feature) int32 {
		if c, ok := a.first[f.hash]; ok {
			return c
		}
		a.first[f.hash] = f.word
		return f.word
	}
	var best [maxReasons]credit // the strongest so far, strongest first
	var word int32
	for i := range a.feats {
		f := &a.feats[i]
		w := float64(f.weight)
		switch f.kind {
		case kindWord:
			word = canonical(f)
			a.credit[word] += w * scale
		case kindChar: // a word's n-grams follow the word
			a.credit[word] += w * scale
		case kindBigram:
			a.pairCredit[canonical(f)] += w * scale
		case kindFact:
			consider(&best, credit{kindFact, f.word, w})
		}
	}
	for i := range n {
		if c := a.credit[i]; c > 0 {
			consider(&best, credit{kindWord, int32(i), c})
		}
		if c := a.pairCredit[i]; c > 0 {
			consider(&best, credit{kindBigram, int32(i), c})
		}
	}
	var out []Reason
	for _, c := range best {
		if c.weight <= 0 {
			break
		}
		out = append(out, Reason{Feature: a.name(c.kind, c.index), Weight: c.weight})
	}
	return out
}

// credit is a readable feature's share of a score.
type credit struct {
	kind   byte
	index  int32 // token or fact
	weight float64
}

// consider puts c among the strongest credits if it is one of them.
func consider(best *[maxReasons]credit, c credit) {
	if c.weight <= best[maxReasons-1].weight {
		return
	}
	i := maxReasons - 1
	for ; i > 0 && best[i-1].weight < c.weight; i-- {
		best[i] = best[i-1]
	}
	best[i] = c
}

// resize returns s with n zeros, reusing its memory.
func resize(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	s = s[:n]
	clear(s)
	return s
}

// name is what a moderator reads for a credited feature.
func (a *analysis) name(kind byte, i int32) string {
	switch kind {
	case kindBigram:
		return displayWord(a.word(i)) + " " + displayWord(a.word(i+1))
	case kindFact:
		return a.facts[i].name
	}
	return displayWord(a.word(i))
}

// displayWord spells a token for people: a number's shape ("#####") as
// "5-digit number".
func displayWord(w []byte) string {
	if len(w) > 0 && w[0] == '#' {
		return strconv.Itoa(len(w)) + "-digit number"
	}
	return string(w)
}

// Learn teaches the model a moderator's decision that text is spam (or is
// not): one step of gradient descent on the logistic loss of that comment.
// The step is large for its words, pairs and n-grams, so that one decision
// visibly moves the scores of comments like it (by about learnRate×(1−p)
// in log-odds for the same text, when the model gave it p), and small for
// facts such as "1 link", which one comment says little about. A decision
// the model already agreed with changes little. The changes are kept for
// MarshalLearned, which says how to keep them across restarts.
func (m *Model) Learn(text string, links int, spam bool) {
	a := pool.Get().(*analysis)
	defer pool.Put(a)
	a.analyse(text, links)
	m.mu.Lock()
	defer m.mu.Unlock()
	y := 0.0
	if spam {
		y = 1
	}
	g := y - sigmoid(m.logit(a))
	scale := a.textScale()
	for _, f := range a.feats {
		rate := float64(learnRate * scale)
		if f.kind == kindFact {
			rate = learnFactRate
		}
		m.change(slot(f.hash, m.bits), float32(rate*g))
	}
	m.learned.decisions++
}

// Learn's step sizes.
const (
	learnRate     = 1.5
	learnFactRate = 0.05
)
