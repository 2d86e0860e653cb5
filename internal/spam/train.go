package spam

import (
	"hash/fnv"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Example is a labelled comment to train or evaluate on.
type Example struct {
	Text    string
	Spam    bool
	Dataset string // its collection ("youtube", "sms", …): see Train
}

// Options tune Train. The zero value means the defaults, which are what
// `parley spam train` uses; they were chosen by cross-validation on
// ../shared/data/spam (see the package documentation).
type Options struct {
	Bits   uint8   // the model has 1<<Bits weights; default 20 (4 MB in memory)
	Epochs int     // passes over the examples; default 12
	Rate   float64 // AdaGrad learning rate; default 0.3
	L2     float64 // weight decay, applied to the weights an example touches; default 1e-3
	Seed   uint64  // shuffles and folds; default 1

	// Thresholds are chosen on scores from Folds-fold cross-validation of
	// the training examples (default 5; 1 keeps 0.5 and 0.9): the lowest
	// score at which, averaged over the datasets, at most SpamFPR of the
	// legitimate examples (default 0.0075) would be marked spam, and in no
	// dataset more than SpamWorstFPR (default 0.01); likewise for pending
	// with PendingFPR and PendingWorstFPR (defaults 0.05 and 0.10).
	Folds                       int
	SpamFPR, SpamWorstFPR       float64
	PendingFPR, PendingWorstFPR float64
}

func (o Options) withDefaults() Options {
	def := func(p *float64, v float64) {
		if *p == 0 {
			*p = v
		}
	}
	if o.Bits == 0 {
		o.Bits = 20
	}
	if o.Epochs == 0 {
		o.Epochs = 12
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.Folds == 0 {
		o.Folds = 5
	}
	def(&o.Rate, 0.3)
	def(&o.L2, 1e-3)
	def(&o.SpamFPR, 0.0075)
	def(&o.SpamWorstFPR, 0.01)
	def(&o.PendingFPR, 0.05)
	def(&o.PendingWorstFPR, 0.10)
	return o
}

// Bounds on the thresholds, whatever cross-validation says: nothing below
// an even chance is spam, and nothing below 0.2 waits for a moderator.
const (
	minSpamThreshold    = 0.5
	minPendingThreshold = 0.2
)

// maxUpweight bounds how much more each example of a small dataset weighs
// than one of the largest (see vectorize).
const maxUpweight = 3

// Train fits a model to the examples and chooses its thresholds. The same
// examples in the same order with the same options make the same model,
// bit for bit, on any machine.
//
// The model is logistic regression, fitted by AdaGrad. Three things keep
// what is peculiar to one dataset out of what it learns, since Parley's
// comments are none of them:
//
//   - each dataset has its own bias while training (spam is half of the
//     YouTube comments but an eighth of the SMS), and the model keeps their
//     mean, so that words merely common in one dataset do not learn to
//     stand for its share of spam;
//   - a comment's length, in buckets, is a feature while training but is
//     never scored: spam is longer than the rest in all three datasets,
//     and without this the words of any long comment (a considered answer
//     in a public consultation) drift toward spam;
//   - smaller datasets weigh more, up to maxUpweight times, so that the
//     SMS collection (two thirds of the examples) does not drown the
//     comments.
func Train(examples []Example, o Options) *Model {
	o = o.withDefaults()
	vecs := vectorize(examples, o.Bits)
	m := fit(vecs, nil, o)
	m.pending, m.spam = 0.5, 0.9
	if o.Folds > 1 {
		scores := crossScores(vecs, examples, o)
		m.pending, m.spam = chooseThresholds(examples, scores, o)
	}
	return m
}

// vector is an example's features as slots.
type vector struct {
	text   []uint32 // word, bigram and n-gram features, each worth scale
	facts  []uint32 // facts, each worth 1
	length uint32   // the length feature: fitted, never scored
	scale  float64
	spam   bool
	domain int     // index of the example's dataset among those trained on
	weight float64 // of the example in the loss
	key    string  // the normalized text, to keep duplicates in one fold
}

func vectorize(examples []Example, bits uint8) []vector {
	domains, sizes := map[string]int{}, map[string]int{}
	largest := 0
	for _, e := range examples {
		if _, ok := domains[e.Dataset]; !ok {
			domains[e.Dataset] = len(domains)
		}
		sizes[e.Dataset]++
		largest = max(largest, sizes[e.Dataset])
	}
	vecs := make([]vector, len(examples))
	var a analysis
	for i, e := range examples {
		a.analyse(e.Text, 0)
		v := vector{
			length: slot(hashString(hashStart('n'), lengthBucket(len(a.spans))), bits),
			scale:  a.textScale(),
			spam:   e.Spam,
			domain: domains[e.Dataset],
			weight: min(maxUpweight, float64(largest)/float64(sizes[e.Dataset])),
			key:    strings.Join(strings.Fields(string(a.text)), " "),
		}
		for _, f := range a.feats {
			if f.kind == kindFact {
				v.facts = append(v.facts, slot(f.hash, bits))
			} else {
				v.text = append(v.text, slot(f.hash, bits))
			}
		}
		vecs[i] = v
	}
	return vecs
}

// lengthBucket names a comment's length in words.
func lengthBucket(words int) string {
	for _, b := range []int{3, 8, 15, 30, 60, 120} {
		if words <= b {
			return "length:" + strconv.Itoa(b)
		}
	}
	return "length:more"
}

// fit runs AdaGrad on the weighted logistic loss over the examples in use
// (all of them when use is nil). Floating-point steps carry explicit
// conversions so that no machine fuses them (see exp).
func fit(vecs []vector, use []int, o Options) *Model {
	if use == nil {
		use = make([]int, len(vecs))
		for i := range use {
			use[i] = i
		}
	}
	n := 1 << o.Bits
	w := make([]float64, n)
	sq := make([]float64, n) // AdaGrad: sum of squared gradients per slot
	ndom := 0
	for _, i := range use {
		ndom = max(ndom, vecs[i].domain+1)
	}
	bias, sqBias := make([]float64, ndom), make([]float64, ndom)
	const eps = 1e-8
	sum := func(slots []uint32) (t float64) {
		for _, s := range slots {
			t += w[s]
		}
		return t
	}
	update := func(s uint32, g float64) {
		grad := g + float64(o.L2*w[s])
		sq[s] += float64(grad * grad)
		w[s] -= float64(o.Rate*grad) / math.Sqrt(sq[s]+eps)
	}
	order := slices.Clone(use)
	rng := rand.New(rand.NewPCG(o.Seed, 0x5eed))
	for range o.Epochs {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, i := range order {
			v := &vecs[i]
			z := bias[v.domain] + float64(sum(v.text)*v.scale) + sum(v.facts) + w[v.length]
			g := sigmoid(z) // the loss's gradient with respect to z
			if v.spam {
				g--
			}
			g *= v.weight
			for _, s := range v.text {
				update(s, float64(g*v.scale))
			}
			for _, s := range v.facts {
				update(s, g)
			}
			update(v.length, g)
			sqBias[v.domain] += float64(g * g)
			bias[v.domain] -= float64(o.Rate*g) / math.Sqrt(sqBias[v.domain]+eps)
		}
	}
	m := &Model{bits: o.Bits, weights: make([]float32, n)}
	for _, b := range bias {
		m.bias += b / float64(ndom)
	}
	for s, x := range w {
		m.weights[s] = fromBF16(toBF16(float32(x))) // as the model file keeps it
	}
	// The length features must not be scored. A word feature could share
	// a slot with one (1 in 2^20); then the slot keeps its weight, and
	// the length's share of it is noise.
	inUse := make([]bool, n)
	for _, i := range use {
		for _, s := range vecs[i].text {
			inUse[s] = true
		}
		for _, s := range vecs[i].facts {
			inUse[s] = true
		}
	}
	for _, i := range use {
		if s := vecs[i].length; !inUse[s] {
			m.weights[s] = 0
		}
	}
	return m
}

// scoreVector is Model.Score's probability for a vectorized example.
func (m *Model) scoreVector(v *vector) float64 {
	var text, facts float64
	for _, s := range v.text {
		text += float64(m.weights[s])
	}
	for _, s := range v.facts {
		facts += float64(m.weights[s])
	}
	return sigmoid(m.bias + float64(text*v.scale) + facts)
}

// folds assigns each example to one of k folds: stratified by dataset and
// label, shuffled with the seed, and with identical texts (after
// normalization) always in the same fold, so that a message sent many
// times cannot be learnt in one fold and "recognised" in another.
func folds(vecs []vector, examples []Example, k int, seed uint64) []int {
	type group struct {
		stratum string
		members []int
	}
	var groups []*group
	byKey := map[string]*group{}
	for i, v := range vecs {
		key := examples[i].Dataset + "\x00" + v.key
		g := byKey[key]
		if g == nil {
			label := "ham"
			if v.spam {
				label = "spam"
			}
			g = &group{stratum: examples[i].Dataset + "/" + label}
			byKey[key] = g
			groups = append(groups, g)
		}
		g.members = append(g.members, i)
	}
	strata := map[string][]*group{}
	for _, g := range groups {
		strata[g.stratum] = append(strata[g.stratum], g)
	}
	fold := make([]int, len(vecs))
	for _, name := range slices.Sorted(maps.Keys(strata)) {
		gs := strata[name]
		h := fnv.New64a()
		h.Write([]byte(name))
		rng := rand.New(rand.NewPCG(seed, h.Sum64()))
		rng.Shuffle(len(gs), func(i, j int) { gs[i], gs[j] = gs[j], gs[i] })
		for i, g := range gs {
			for _, e := range g.members {
				fold[e] = i % k
			}
		}
	}
	return fold
}

// crossScores returns each example's score from a model that did not see
// it: o.Folds models, each trained on the other folds, in parallel.
func crossScores(vecs []vector, examples []Example, o Options) []float64 {
	fold := folds(vecs, examples, o.Folds, o.Seed)
	scores := make([]float64, len(vecs))
	var wg sync.WaitGroup
	for f := range o.Folds {
		wg.Go(func() {
			var train, test []int
			for i, fi := range fold {
				if fi == f {
					test = append(test, i)
				} else {
					train = append(train, i)
				}
			}
			m := fit(vecs, train, o)
			for _, i := range test {
				scores[i] = m.scoreVector(&vecs[i])
			}
		})
	}
	wg.Wait()
	return scores
}

// chooseThresholds finds the lowest thresholds, in thousandths, that meet
// the options' false-positive targets on the cross-validated scores. The
// average over the datasets guides, since the worst dataset's tail is a
// handful of comments and the largest of a few noisy estimates is biased
// up; the worst dataset is bounded too.
func chooseThresholds(examples []Example, scores []float64, o Options) (pending, spam float64) {
	hams := map[string][]float64{}
	for i, e := range examples {
		if !e.Spam {
			hams[e.Dataset] = append(hams[e.Dataset], scores[i])
		}
	}
	names := slices.Sorted(maps.Keys(hams))
	for _, h := range hams {
		slices.Sort(h)
	}
	rates := func(t float64) (mean, worst float64) {
		for _, name := range names {
			h := hams[name]
			at, _ := slices.BinarySearch(h, t) // h[at:] score t or more
			r := float64(len(h)-at) / float64(len(h))
			mean += r / float64(len(names))
			worst = max(worst, r)
		}
		return mean, worst
	}
	lowest := func(from, meanFPR, worstFPR float64) float64 {
		for k := int(math.Round(from * 1000)); k < 1000; k++ {
			t := float64(k) / 1000
			if mean, worst := rates(t); mean <= meanFPR && worst <= worstFPR {
				return t
			}
		}
		return 1
	}
	spam = lowest(minSpamThreshold, o.SpamFPR, o.SpamWorstFPR)
	pending = min(lowest(minPendingThreshold, o.PendingFPR, o.PendingWorstFPR), spam)
	return pending, spam
}
