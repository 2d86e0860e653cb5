package spam

// Judge is the verdict Parley trusts when a comment is posted. Score is
// the model as trained: its thresholds were chosen on the training
// collections, whose legitimate messages are short chat; comments in a
// debate look unlike them, and measured there (the eu-haveyoursay
// consultation answers, testdata/debate_ham.txt) three things make Score
// silence readers:
//
//   - the text evidence of a short comment is a handful of n-grams whose
//     weights were learnt on other kinds of text: "Agreed." scores 0.80,
//     "Merci pour ce débat" 0.86;
//   - one link (citing a source) or one currency symbol (quoting a budget)
//     adds 2 to 2.6 in log-odds, enough on its own to reach the spam
//     threshold from a neutral text, while legitimate debate comments
//     carry them often;
//   - nothing in a short comment without a link, phone number or e-mail
//     address gives a spammer anything to gain, so a confident verdict
//     on it rests on little.
//
// Judge therefore weighs the same features differently:
//
//  1. Shrinkage. The text evidence (the words, pairs and n-grams) counts
//     w/(w+judgeHalfWords) of its value for a comment of w words, as if
//     judgeHalfWords words of no opinion were added: a one-word comment
//     scores almost the model's prior, a 20-word one half its text
//     evidence, a 200-word one 91%. judgeHalfWords is the smallest
//     (in steps of 10) at which at most 5% of the legitimate
//     consultation comments are held as pending, the share the pending
//     threshold was chosen for on the training data.
//  2. Little evidence. A comment of fewer than judgeMinWords words
//     without a link, phone number or e-mail address is never spam, and
//     is held as pending only when its (shrunk) score reaches the spam
//     threshold.
//  3. No common fact decides. One or two links and a currency symbol
//     count in the score (so they can hold a comment as pending), but a
//     spam verdict must stand without the strongest of them: the words
//     or a rarer fact (phone number, e-mail address, three or more links,
//     capitals, "!!!") must carry it over the spam threshold too. A
//     comment held only for such a fact is marked Marginal, so that
//     Parley can publish it when its author is already trusted.
//
// Otherwise the model's own thresholds apply to the shrunk score.
const (
	judgeHalfWords = 20
	judgeMinWords  = 30
)

// Judge rates a comment for posting: Result.Score is the score Judge's
// verdict is taken from (Score's, with the text evidence of short
// comments shrunk toward the prior), and Result.Reasons are Score's. links
// is as for Score. See the comment on judgeHalfWords for the rule; the
// package documentation gives the figures.
func (m *Model) Judge(text string, links int) Result {
	a := pool.Get().(*analysis)
	defer pool.Put(a)
	a.analyse(text, links)
	m.mu.RLock()
	m.logit(a) // notes each feature's weight
	bias, pendingAt, spamAt := m.bias, m.pending, m.spam
	m.mu.RUnlock()

	var txt, facts, common float64
	payload := false
	for i := range a.feats {
		f := &a.feats[i]
		w := float64(f.weight)
		if f.kind != kindFact {
			txt += w
			continue
		}
		facts += w
		switch a.facts[f.word].key {
		case "links:1", "links:2", "currency":
			common = max(common, w)
		}
		switch a.facts[f.word].key {
		case "links:1", "links:2", "links:3+", "phone", "email":
			payload = true
		}
	}
	words := float64(len(a.spans))
	z := bias + words/(words+judgeHalfWords)*txt*a.textScale() + facts
	score := sigmoid(z)

	r := Result{Score: score, Verdict: Ham, Reasons: reasons(a)}
	switch {
	case len(a.spans) < judgeMinWords && !payload:
		if score >= spamAt {
			r.Verdict = Pending
		}
	case score >= spamAt && sigmoid(z-common) >= spamAt:
		r.Verdict = Spam
	case score >= pendingAt:
		r.Verdict = Pending
		r.Marginal = sigmoid(z-common) < pendingAt
	}
	return r
}
