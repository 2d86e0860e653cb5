package spam

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
)

func loadModel(t testing.TB) *Model {
	t.Helper()
	m, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// fixture is the hand-written data in testdata/spamdata.
func fixture(t testing.TB) []Example {
	t.Helper()
	examples, missing, err := LoadDir("testdata/spamdata")
	if err != nil || len(missing) > 0 {
		t.Fatalf("LoadDir(testdata/spamdata): %v, missing %q", err, missing)
	}
	return examples
}

func marshal(t testing.TB, m *Model) []byte {
	t.Helper()
	b, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var (
	spammy = []string{
		"WINNER!! You have won a £1000 cash prize. Call 09061701461 now to claim, T&C apply",
		"Check out my channel http://www.example.test/mychannel and subscribe, I subscribe back!!!",
		"Free entry! Text WIN to 87121 to receive your free ringtone now",
		"Kaspersky antivirus support phone number 1-800-555-0199, call our experts 24x7 for any installation error",
	}
	legitimate = []string{
		"I think the night train needs public money only if the operators publish their punctuality data.",
		"Thank you for the article. In my town the bus was cut in 2019 and nobody asked us.",
		"Could the authors say where the figure for rural households comes from? It seems high to me.",
		"We tried a car-free Sunday in our street last summer; the children loved it, the shop owners less so.",
		"Ich halte das Verbot für richtig, aber die Übergangsfrist ist zu kurz.",
	}
)

func TestSpamBuiltInModel(t *testing.T) {
	m := loadModel(t)
	pending, spamAt := m.Thresholds()
	if !(minPendingThreshold <= pending && pending <= spamAt && spamAt < 1 && spamAt >= minSpamThreshold) {
		t.Fatalf("thresholds %v, %v", pending, spamAt)
	}
	for _, text := range spammy {
		if r := m.Score(text, 0); r.Verdict != Spam {
			t.Errorf("Score(%q) = %.3f %s, want spam", text, r.Score, r.Verdict)
		}
	}
	for _, text := range legitimate {
		if r := m.Score(text, 0); r.Verdict != Ham {
			t.Errorf("Score(%q) = %.3f %s (%v), want ham", text, r.Score, r.Verdict, r.Reasons)
		}
	}
	// Each Load is a separate copy.
	other := loadModel(t)
	other.Learn(legitimate[0], 0, true)
	if m.Score(legitimate[0], 0).Score == other.Score(legitimate[0], 0).Score {
		t.Error("learning in one loaded model changed another")
	}
}

func TestSpamScoreExplainsItself(t *testing.T) {
	m := loadModel(t)
	facts := map[string]bool{"1 link": true, "2 links": true, "phone number": true, "email address": true,
		"currency symbol": true, "mostly capitals": true, "many capitals": true, "!!!": true}
	number := regexp.MustCompile(`^\d+-digit number$`)
	for _, text := range spammy {
		r := m.Score(text, 0)
		if len(r.Reasons) == 0 || len(r.Reasons) > maxReasons {
			t.Fatalf("Score(%q) gave %d reasons", text, len(r.Reasons))
		}
		words := tokens(text)
		sum := 0.0
		for i, reason := range r.Reasons {
			if reason.Weight <= 0 || i > 0 && reason.Weight > r.Reasons[i-1].Weight {
				t.Errorf("%q: reasons not positive and strongest first: %v", text, r.Reasons)
			}
			sum += reason.Weight
			f := reason.Feature
			first, second, pair := strings.Cut(f, " ")
			switch {
			case facts[f], strings.HasSuffix(f, " links"), number.MatchString(f):
			case !pair && slices.Contains(words, f):
			case pair && adjacent(words, first, second):
			default:
				t.Errorf("%q: reason %q is neither a word, a pair of words nor a fact of it (words %q)", text, f, words)
			}
		}
		if sum < 1 {
			t.Errorf("%q scored %.3f, yet its reasons add up to only %.2f in log-odds: %v", text, r.Score, sum, r.Reasons)
		}
	}
	// The reasons of a phone-number spam name the number.
	r := m.Score(spammy[0], 0)
	if !slices.ContainsFunc(r.Reasons, func(x Reason) bool { return x.Feature == "phone number" || number.MatchString(x.Feature) }) {
		t.Errorf("reasons of %q do not mention its phone number: %v", spammy[0], r.Reasons)
	}
	// A word said three times is one reason, three times as strong.
	once, thrice := m.Score("subscribe to me", 0), m.Score("subscribe subscribe subscribe to me", 0)
	if n := countReasons(thrice.Reasons, "subscribe"); n != 1 {
		t.Errorf("\"subscribe\" three times gave %d reasons: %v", n, thrice.Reasons)
	}
	if len(once.Reasons) == 0 || len(thrice.Reasons) == 0 || thrice.Reasons[0].Feature != "subscribe" ||
		thrice.Reasons[0].Weight <= once.Reasons[0].Weight {
		t.Errorf("reasons: once %v, thrice %v", once.Reasons, thrice.Reasons)
	}
	// A comment with nothing spammy about it may have no reasons at all,
	// but never a negative one.
	for _, text := range legitimate {
		for _, reason := range m.Score(text, 0).Reasons {
			if reason.Weight <= 0 {
				t.Errorf("%q: reason %v", text, reason)
			}
		}
	}
}

func adjacent(words []string, a, b string) bool {
	for i := 1; i < len(words); i++ {
		if words[i-1] == a && words[i] == b {
			return true
		}
	}
	return false
}

func countReasons(rs []Reason, feature string) int {
	n := 0
	for _, r := range rs {
		if r.Feature == feature {
			n++
		}
	}
	return n
}

func TestSpamLinksArgument(t *testing.T) {
	m := loadModel(t)
	text := "Great discussion, more on my page"
	if without, with := m.Score(text, 0), m.Score(text, 3); with.Score <= without.Score ||
		!slices.ContainsFunc(with.Reasons, func(r Reason) bool { return r.Feature == "3 links" }) {
		t.Errorf("three links the caller found: %.3f %v; without %.3f", with.Score, with.Reasons, without.Score)
	}
}

func TestSpamSetThresholds(t *testing.T) {
	m := loadModel(t)
	text := legitimate[0]
	s := m.Score(text, 0).Score
	for _, tt := range []struct {
		pending, spam float64
		want          string
	}{
		{0, 0, Spam},
		{0, 1, Pending},
		{s, s, Spam},
		{s / 2, (1 + s) / 2, Pending},
		{(1 + s) / 2, 1, Ham},
	} {
		m.SetThresholds(tt.pending, tt.spam)
		if got := m.Score(text, 0).Verdict; got != tt.want {
			t.Errorf("score %.3f with thresholds %.3f, %.3f: %s, want %s", s, tt.pending, tt.spam, got, tt.want)
		}
	}
}

func TestSpamTrainIsDeterministic(t *testing.T) {
	examples := fixture(t)
	o := Options{Bits: 16, Folds: 2}
	a, b := Train(examples, o), Train(examples, o)
	ba, bb := marshal(t, a), marshal(t, b)
	if !bytes.Equal(ba, bb) {
		t.Fatal("two trainings on the same examples made different model files")
	}
	// A different seed shuffles differently and makes another model.
	o.Seed = 2
	if bytes.Equal(ba, marshal(t, Train(examples, o))) {
		t.Error("the seed changes nothing")
	}
	// The fixture is learnt: its spam scores above its ham.
	for _, e := range examples {
		score := a.Score(e.Text, 0).Score
		if e.Spam && score < 0.5 || !e.Spam && score > 0.5 {
			t.Errorf("trained on it, yet %q (spam %v) scores %.3f", e.Text, e.Spam, score)
		}
	}
}

func TestSpamModelFileRoundTrip(t *testing.T) {
	m := Train(fixture(t), Options{Bits: 16, Folds: 2})
	b := marshal(t, m)
	var back Model
	if err := back.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(marshal(t, &back), b) {
		t.Error("a model read back writes different bytes")
	}
	for _, text := range append(slices.Clone(spammy), legitimate...) {
		if got, want := back.Score(text, 0), m.Score(text, 0); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("read back, %q scores %v; trained, %v", text, got, want)
		}
	}
	// The embedded file reads and writes back to itself.
	if !bytes.Equal(marshal(t, loadModel(t)), embedded) {
		t.Error("the built-in model does not write back to model.bin")
	}
}

func TestSpamUnmarshalBinaryRejects(t *testing.T) {
	good := marshal(t, Train(fixture(t), Options{Bits: 12, Folds: 1}))
	scheme := len(modelMagic) // the scheme's byte
	tests := map[string][]byte{
		"empty":        nil,
		"not a model":  []byte("hello"),
		"other scheme": slices.Concat(good[:scheme], []byte{featureScheme + 1}, good[scheme+1:]),
		"bits":         slices.Concat(good[:scheme+1], []byte{40}, good[scheme+2:]),
		"truncated":    good[:len(good)-1],
		"trailing":     slices.Concat(good, []byte{0}),
	}
	for name, b := range tests {
		var m Model
		if err := m.UnmarshalBinary(b); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestSpamLearnMovesScores(t *testing.T) {
	tests := []struct {
		decided, similar string
		spam             bool
	}{
		{"Visit my bakery blog for the best croissant recipes online", "the best croissant recipes are on my bakery blog", true},
		{"Stream the match live on sportsfeed, link in my profile", "watch the match live on sportsfeed", true},
		{"Free entry to win a holiday! Text WIN to 87654 now", "text WIN to 87654 to win", false},
		{"Check out this report on rail subsidies, it is free to read", "this report on rail subsidies is free", false},
	}
	for _, tt := range tests {
		m := loadModel(t)
		before, beforeSimilar, beforeOther := m.Score(tt.decided, 0).Score, m.Score(tt.similar, 0).Score, m.Score(legitimate[1], 0).Score
		m.Learn(tt.decided, 0, tt.spam)
		after, afterSimilar, afterOther := m.Score(tt.decided, 0).Score, m.Score(tt.similar, 0).Score, m.Score(legitimate[1], 0).Score
		if tt.spam != (after > before) || tt.spam != (afterSimilar > beforeSimilar) {
			t.Errorf("learning %q is spam=%v moved it %.3f → %.3f and %q %.3f → %.3f",
				tt.decided, tt.spam, before, after, tt.similar, beforeSimilar, afterSimilar)
		}
		if d := afterOther - beforeOther; d > 0.02 || d < -0.02 {
			t.Errorf("learning %q moved an unrelated comment by %.3f", tt.decided, d)
		}
		if m.Decisions() != 1 {
			t.Errorf("Decisions() = %d after one", m.Decisions())
		}
	}
	// A few decisions turn a new kind of spam from ham to spam.
	m := loadModel(t)
	text := "Visit my bakery blog for the best croissant recipes online"
	if m.Score(text, 0).Verdict == Spam {
		t.Fatalf("%q is already spam", text)
	}
	for range 3 {
		m.Learn(text, 0, true)
	}
	if r := m.Score(text, 0); r.Verdict != Spam {
		t.Errorf("after three decisions %q scores %.3f %s", text, r.Score, r.Verdict)
	}
}

var decisions = []struct {
	text string
	spam bool
}{
	{"Visit my bakery blog for the best croissant recipes online", true},
	{"I disagree: the subsidy helps mostly people who already fly.", false},
	{"Earn from home, message me for details", true},
	{"Free entry to win a holiday! Text WIN to 87654 now", false},
}

func TestSpamLearnedRoundTrip(t *testing.T) {
	m := loadModel(t)
	for _, d := range decisions {
		m.Learn(d.text, 0, d.spam)
	}
	saved := m.MarshalLearned()

	restarted := loadModel(t)
	if err := restarted.ApplyLearned(saved); err != nil {
		t.Fatal(err)
	}
	if restarted.Decisions() != len(decisions) {
		t.Errorf("Decisions() = %d after applying %d", restarted.Decisions(), len(decisions))
	}
	if !bytes.Equal(restarted.MarshalLearned(), saved) {
		t.Error("applied lessons save differently")
	}
	for _, text := range append(slices.Clone(spammy), append(legitimate, decisions[0].text, decisions[2].text)...) {
		if got, want := restarted.Score(text, 0), m.Score(text, 0); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%q: restarted %v, before %v", text, got, want)
		}
	}
	// Replaying the decisions gives the same model too.
	replayed := loadModel(t)
	for _, d := range decisions {
		replayed.Learn(d.text, 0, d.spam)
	}
	if !bytes.Equal(replayed.MarshalLearned(), saved) || !bytes.Equal(marshal(t, replayed), marshal(t, m)) {
		t.Error("replaying the decisions made a different model")
	}
	// A model that learnt nothing saves lessons that change nothing.
	fresh := loadModel(t)
	if err := fresh.ApplyLearned(loadModel(t).MarshalLearned()); err != nil || !bytes.Equal(marshal(t, fresh), embedded) {
		t.Errorf("applying empty lessons: %v, model changed: %v", err, !bytes.Equal(marshal(t, fresh), embedded))
	}
}

func TestSpamApplyLearnedRejects(t *testing.T) {
	m := loadModel(t)
	m.Learn(decisions[0].text, 0, true)
	saved := m.MarshalLearned()
	small := Train(fixture(t), Options{Bits: 12, Folds: 1})
	if err := small.ApplyLearned(saved); err == nil {
		t.Error("lessons of a 20-bit model applied to a 12-bit one")
	}
	for name, b := range map[string][]byte{
		"empty":     nil,
		"model":     embedded,
		"truncated": saved[:len(saved)-2],
		"trailing":  append(slices.Clone(saved), 1),
	} {
		fresh := loadModel(t)
		if err := fresh.ApplyLearned(b); err == nil {
			t.Errorf("%s: no error", name)
		}
		if !bytes.Equal(marshal(t, fresh), embedded) {
			t.Errorf("%s: a refused ApplyLearned changed the model", name)
		}
	}
}

// Run with -race: Score and Learn share the model.
func TestSpamScoreWhileLearning(t *testing.T) {
	m := loadModel(t)
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			for j := range 50 {
				if (i+j)%5 == 0 {
					m.Learn(decisions[j%len(decisions)].text, 0, j%2 == 0)
				} else {
					m.Score(spammy[j%len(spammy)], 0)
				}
			}
		})
	}
	wg.Wait()
	if m.Decisions() != 40 {
		t.Errorf("Decisions() = %d, want 40", m.Decisions())
	}
}
