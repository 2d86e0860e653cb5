package langid

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parley-org/parley/internal/markup"
)

// benchComments are comment-length texts, from a few words to a long
// paragraph, in several languages and scripts, with the links and markup
// readers write.
var benchComments = func() []string {
	texts := []string{
		"Völlig richtig!",
		"Merci pour cet article.",
		"I agree with @maria on this one, see https://example.org/report.pdf",
		"> Die Gemeinden brauchen mehr Geld.\n\nDas stimmt, aber woher soll es kommen?",
		"Creo que el problema no es el dinero sino cómo se reparte entre las regiones, y eso nadie lo quiere discutir en serio.",
		"Το άρθρο ξεχνά ότι τα νησιά έχουν εντελώς διαφορετικές ανάγκες από την Αθήνα.",
		"Мы уже видели такие обещания раньше, и ничего не изменилось.",
	}
	for _, c := range comments {
		texts = append(texts, strings.Join(c, " "))
	}
	// Long comments: several paragraphs, past the MaxRunes cut.
	texts = append(texts,
		strings.Repeat(strings.Join(comments["pl"], " ")+"\n\n", 6),
		strings.Repeat(strings.Join(comments["en"], " ")+"\n\n", 3),
		strings.Repeat(strings.Join(comments["fi"], " ")+" [lähde](https://example.fi/raportti)\n\n", 4),
	)
	return texts
}()

// BenchmarkDetect reports the median and 99th percentile time of Detect on
// one comment, and its allocations, with the models loaded; beside it, as a
// baseline measured in the same run, rendering the same comments' Markdown,
// which every posted comment costs already.
func BenchmarkDetect(b *testing.B) {
	d := Default()
	for _, c := range benchComments {
		d.Detect(c)
	}
	b.Run("detect", func(b *testing.B) { timePerComment(b, func(s string) { d.Detect(s) }) })
	md := markup.NewComments()
	b.Run("render-baseline", func(b *testing.B) { timePerComment(b, func(s string) { md.Render(s) }) })
}

func timePerComment(b *testing.B, do func(string)) {
	var took []time.Duration
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		do(benchComments[i%len(benchComments)])
		took = append(took, time.Since(start))
	}
	slices.Sort(took)
	at := func(q float64) float64 { return float64(took[int(q*float64(len(took)-1))].Microseconds()) }
	b.ReportMetric(at(0.50), "p50-µs/comment")
	b.ReportMetric(at(0.99), "p99-µs/comment")
}
