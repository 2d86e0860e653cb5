package spam

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// A typical comment (about 300 characters) and a long one (5,000, the
// default --max-comment-length).
var (
	comment300 = "I live in a village where the last bus leaves at seven, so for us the question is not trains " +
		"against planes but whether we can get to the station at all. If public money goes to night trains, " +
		"please make the connections from rural stops part of the deal; otherwise it helps the cities only."
	comment5000 = longComment(5000)
)

func longComment(n int) string {
	paragraphs := []string{
		"Thank you for putting this question so clearly. I have taken the sleeper from Vienna to Brussels four times " +
			"this year, and I want to share what worked and what did not, because the debate here is mostly about " +
			"principles and much less about the experience of actually travelling this way with children and luggage.",
		"First, the price. A couchette for a family of four cost us roughly the same as four economy flights booked " +
			"two months ahead, but it saved a hotel night, so overall it was cheaper. Booking was the hard part: three " +
			"different websites, one of which only worked in German, and no way to reserve a bicycle space online.",
		"Second, reliability. Twice we arrived on time, once forty minutes late, and once the train was cancelled at " +
			"short notice because of a strike in one of the transit countries. The operator rebooked us, but only after " +
			"hours on the phone, and the compensation rules were different for each part of the journey.",
		"Third, comfort. The newer carriages are excellent; the older ones are noisy, the air conditioning failed on " +
			"one trip, and the toilets were closed for half the night. None of this would stop me, but I understand " +
			"people who try it once and go back to flying. Subsidies should be tied to the quality of the rolling stock.",
		"So my answer to the lead question is yes, but with conditions: public money for new carriages and for one " +
			"common booking system across borders, published punctuality figures, and clear passenger rights that do " +
			"not depend on which country the delay happened in. Without those, the money will be spent and the trains " +
			"will still be half empty, which would be the worst outcome for the climate and for the idea itself.",
	}
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "%d. %s\n\n", i+1, paragraphs[i%len(paragraphs)])
	}
	return b.String()[:n]
}

// BenchmarkScore measures Score, feature extraction and reasons included,
// and reports the median and the 99th percentile of single calls.
func BenchmarkScore(b *testing.B) { benchVerdict(b, (*Model).Score) }

// BenchmarkJudge measures Judge, the verdict taken when a comment is
// posted, like BenchmarkScore.
func BenchmarkJudge(b *testing.B) { benchVerdict(b, (*Model).Judge) }

func benchVerdict(b *testing.B, rate func(m *Model, text string, links int) Result) {
	m := loadModel(b)
	for _, c := range []struct{ name, text string }{{"300chars", comment300}, {"5000chars", comment5000}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			var took []time.Duration
			for b.Loop() {
				start := time.Now()
				rate(m, c.text, 0)
				took = append(took, time.Since(start))
			}
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2].Nanoseconds()), "p50-ns")
			b.ReportMetric(float64(took[len(took)*99/100].Nanoseconds()), "p99-ns")
		})
	}
}

// BenchmarkLearn measures one decision (as replayed on start), each on a
// different comment.
func BenchmarkLearn(b *testing.B) {
	m := loadModel(b)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		m.Learn(fmt.Sprintf("%d %s", i, comment300), 0, i%2 == 0)
	}
}

// BenchmarkScoreParallel scores from every CPU at once, as a busy server
// would, with a moderator's decision every thousand comments.
func BenchmarkScoreParallel(b *testing.B) {
	m := loadModel(b)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for i := 0; pb.Next(); i++ {
			if i%1000 == 999 {
				m.Learn(comment300, 0, false)
				continue
			}
			m.Score(comment300, 0)
		}
	})
}

// A guard against gross slowdowns. The target (p99 under a millisecond on
// a 5,000-character comment) is measured by BenchmarkScore on a quiet
// machine; tests share the CPUs with other packages' tests, which make
// the tail of any latency meaningless, so this checks the median.
func TestSpamScoreLatency(t *testing.T) {
	if raceEnabled || testing.Short() {
		t.Skip("timing is meaningless under the race detector")
	}
	m := loadModel(t)
	took := make([]time.Duration, 0, 301)
	for range cap(took) {
		start := time.Now()
		m.Score(comment5000, 0)
		took = append(took, time.Since(start))
	}
	slices.Sort(took)
	t.Logf("Score on %d characters: median %v, p99 %v", len(comment5000), took[len(took)/2], took[len(took)*99/100])
	if median := took[len(took)/2]; median > time.Millisecond {
		t.Errorf("median time of Score on %d characters: %v, want well under 1ms", len(comment5000), median)
	}
}
