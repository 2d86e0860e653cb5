package web

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
)

// BenchmarkDebatePageForeignComments renders a page of 50 threads, half of
// them in Spanish, for a German reader, with machine translation off and
// on: the page offers a "Translate" link under each Spanish comment but
// never asks the provider (provider-calls/op must stay 0), and the links
// cost little against the baseline without a translator.
func BenchmarkDebatePageForeignComments(b *testing.B) {
	for _, on := range []bool{false, true} {
		name := "translator-off"
		if on {
			name = "translator-on"
		}
		b.Run(name, func(b *testing.B) {
			lt := newLibreTranslate(b)
			cfg := Config{}
			if on {
				cfg.Translator = lt.provider(b)
				cfg.TranslateBudget = 1 << 30
			}
			s := benchSiteWith(b, 300, cfg, func(i int) string {
				if i%2 == 0 {
					return "es"
				}
				return "de"
			})
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				// A new address each time: rendered, not served from the page cache.
				req := httptest.NewRequest(http.MethodGet, "/debates/bench?v="+strconv.Itoa(i), nil)
				req.Header.Set("Accept-Language", "de")
				w := httptest.NewRecorder()
				s.srv.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatalf("status %d", w.Code)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(lt.calls.Load())/float64(b.N), "provider-calls/op")
			if lt.calls.Load() != 0 {
				b.Fatalf("page views called the provider %d times", lt.calls.Load())
			}
		})
	}
}
