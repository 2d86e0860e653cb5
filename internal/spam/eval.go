package spam

import "fmt"

// Metrics counts a model's verdicts on one dataset; a comment counts as
// caught when its verdict is Spam (pending is not caught).
type Metrics struct {
	Dataset        string
	TP, FP, TN, FN int // true and false positives (spam verdicts), true and false negatives
}

// Precision is the share of comments marked spam that are spam.
func (m Metrics) Precision() float64 { return ratio(m.TP, m.TP+m.FP) }

// Recall is the share of spam marked spam.
func (m Metrics) Recall() float64 { return ratio(m.TP, m.TP+m.FN) }

// F1 is the harmonic mean of precision and recall.
func (m Metrics) F1() float64 {
	p, r := m.Precision(), m.Recall()
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

// FPR is the false-positive rate: the share of legitimate comments marked
// spam.
func (m Metrics) FPR() float64 { return ratio(m.FP, m.FP+m.TN) }

// String is the line `parley spam eval` prints.
func (m Metrics) String() string {
	return fmt.Sprintf("%s precision=%.4f recall=%.4f f1=%.4f fpr=%.4f", m.Dataset, m.Precision(), m.Recall(), m.F1(), m.FPR())
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// Evaluate scores the examples with m and counts the verdicts per dataset,
// in the order of Datasets.
func Evaluate(m *Model, examples []Example) []Metrics {
	spam := make([]bool, len(examples))
	for i, e := range examples {
		spam[i] = m.Score(e.Text, 0).Verdict == Spam
	}
	return count(examples, spam)
}

func count(examples []Example, caught []bool) []Metrics {
	byName := map[string]*Metrics{}
	var names []string
	for i, e := range examples {
		m := byName[e.Dataset]
		if m == nil {
			m = &Metrics{Dataset: e.Dataset}
			byName[e.Dataset] = m
			names = append(names, e.Dataset)
		}
		switch {
		case e.Spam && caught[i]:
			m.TP++
		case e.Spam:
			m.FN++
		case caught[i]:
			m.FP++
		default:
			m.TN++
		}
	}
	var out []Metrics
	for _, n := range datasetOrder(names) {
		out = append(out, *byName[n])
	}
	return out
}

// CrossValidate estimates how a model trained with o does on comments it
// has not seen: the examples are split into k folds (stratified, with
// duplicates kept together, seeded by o.Seed), and each fold is judged by
// a model Train made from the others, thresholds included, so nothing of
// a fold leaks into its verdicts.
func CrossValidate(examples []Example, k int, o Options) []Metrics {
	score, _ := CrossValidateJudged(examples, k, o)
	return score
}

// CrossValidateJudged is CrossValidate, and also counts, in the same folds
// and with the same models, the verdicts of Judge (what posting a comment
// does).
func CrossValidateJudged(examples []Example, k int, o Options) (score []Metrics, judged []JudgeMetrics) {
	o = o.withDefaults()
	vecs := vectorize(examples, o.Bits)
	fold := folds(vecs, examples, k, o.Seed)
	caught := make([]bool, len(examples))
	verdicts := make([]string, len(examples))
	for f := range k {
		var train []Example
		var test []int
		for i, fi := range fold {
			if fi == f {
				test = append(test, i)
			} else {
				train = append(train, examples[i])
			}
		}
		m := Train(train, o)
		for _, i := range test {
			caught[i] = m.scoreVector(&vecs[i]) >= m.spam
			verdicts[i] = m.Judge(examples[i].Text, 0).Verdict
		}
	}
	return count(examples, caught), countJudged(examples, verdicts)
}

// JudgeMetrics counts Judge's verdicts on one dataset: Metrics as for
// Score (a comment is caught when its verdict is Spam), and how many of
// the legitimate comments and of the spam were held as pending.
type JudgeMetrics struct {
	Metrics
	HamPending, SpamPending int
}

// PendingHam is the share of legitimate comments held as pending.
func (m JudgeMetrics) PendingHam() float64 { return ratio(m.HamPending, m.FP+m.TN) }

// Stopped is the share of spam not published: marked spam or held as
// pending.
func (m JudgeMetrics) Stopped() float64 { return ratio(m.TP+m.SpamPending, m.TP+m.FN) }

// String is the line `parley spam eval` prints: the dataset's name with
// "/judge", so that it is not mistaken for Score's line.
func (m JudgeMetrics) String() string {
	return fmt.Sprintf("%s/judge precision=%.4f recall=%.4f f1=%.4f fpr=%.4f pending-ham=%.4f spam-stopped=%.4f",
		m.Dataset, m.Precision(), m.Recall(), m.F1(), m.FPR(), m.PendingHam(), m.Stopped())
}

// EvaluateJudged judges the examples with m and counts the verdicts per
// dataset, in the order of Datasets.
func EvaluateJudged(m *Model, examples []Example) []JudgeMetrics {
	verdicts := make([]string, len(examples))
	for i, e := range examples {
		verdicts[i] = m.Judge(e.Text, 0).Verdict
	}
	return countJudged(examples, verdicts)
}

func countJudged(examples []Example, verdicts []string) []JudgeMetrics {
	caught := make([]bool, len(examples))
	pending := map[string][2]int{}
	for i, e := range examples {
		caught[i] = verdicts[i] == Spam
		if verdicts[i] == Pending {
			p := pending[e.Dataset]
			if e.Spam {
				p[1]++
			} else {
				p[0]++
			}
			pending[e.Dataset] = p
		}
	}
	var out []JudgeMetrics
	for _, m := range count(examples, caught) {
		p := pending[m.Dataset]
		out = append(out, JudgeMetrics{Metrics: m, HamPending: p[0], SpamPending: p[1]})
	}
	return out
}

// Judged returns the shares of texts Judge marks spam and holds as
// pending.
func (m *Model) Judged(texts []string) (spam, pending float64) {
	var s, p int
	for _, t := range texts {
		switch m.Judge(t, 0).Verdict {
		case Spam:
			s++
		case Pending:
			p++
		}
	}
	return ratio(s, len(texts)), ratio(p, len(texts))
}

// MarkedSpam returns the share of texts m marks as spam.
func (m *Model) MarkedSpam(texts []string) float64 {
	n := 0
	for _, t := range texts {
		if m.Score(t, 0).Verdict == Spam {
			n++
		}
	}
	return ratio(n, len(texts))
}
