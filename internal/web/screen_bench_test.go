package web

import (
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parley-org/parley"
)

// BenchmarkSpamCheck measures what screening adds to posting a comment:
// everything screen does (the ban lookup, both word lists of 200 terms,
// the duplicate lookup, the classifier's Judge) on a debate of 1,000
// comments, against posting the same comments whole through the API in the
// same run. Each reports its median and 99th percentile per call.
func BenchmarkSpamCheck(b *testing.B) {
	s := benchSite(b, 1000)
	d, err := s.store.DebateBySlug(b.Context(), "bench")
	if err != nil {
		b.Fatal(err)
	}
	var terms []string
	for i := range 200 {
		terms = append(terms, fmt.Sprintf("blocked%dterm", i))
	}
	d.Policy = parley.Policy{MaxLinks: 2, ReportThreshold: 3, HoldWords: strings.Join(terms, "\n"), RejectWords: strings.Join(terms, "\n") + "\nx"}
	r := rand.New(rand.NewPCG(5, 6))
	for _, size := range []int{300, 5000} {
		bodies := make([]string, 64)
		for i := range bodies {
			var sb strings.Builder
			for sb.Len() < size {
				sb.WriteString(benchBody(r))
				sb.WriteString("\n\n")
			}
			bodies[i] = sb.String()[:size]
		}
		b.Run(fmt.Sprintf("screen-%dchars", size), func(b *testing.B) {
			req := httptest.NewRequest("POST", "/debates/bench/comments", nil)
			var took []time.Duration
			i := 0
			for b.Loop() {
				in := &parley.NewComment{AuthorName: "Bench", AuthorEmail: "bench@example.org", Body: bodies[i%len(bodies)]}
				html := s.srv.comments.Render(in.Body)
				start := time.Now()
				if _, _, err := s.srv.screen(req, d, nil, in, html, trapVerdict{}, 0); err != nil {
					b.Fatal(err)
				}
				took = append(took, time.Since(start))
				i++
			}
			reportPercentiles(b, took)
		})
		b.Run(fmt.Sprintf("post-%dchars", size), func(b *testing.B) {
			var took []time.Duration
			i := 0
			for b.Loop() {
				body := fmt.Sprintf(`{"author_name":"Bench","author_email":"bench%d@example.org","body":%q}`, i, fmt.Sprint(i%10)+bodies[i%len(bodies)][1:])
				start := time.Now()
				s.serve(b, "POST", "/api/v1/debates/bench/comments", body)
				took = append(took, time.Since(start))
				i++
			}
			reportPercentiles(b, took)
		})
	}
}

func reportPercentiles(b *testing.B, took []time.Duration) {
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(took[len(took)*99/100].Microseconds()), "p99-µs")
}
