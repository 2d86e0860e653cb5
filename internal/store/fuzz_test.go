package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/store"
	"github.com/parley-org/parley/internal/store/storetest"
)

// FuzzSearch holds a reader's search query to its promise: whatever is
// typed, the terms are a few plain words, and the database runs the search
// without a syntax error (on PostgreSQL too, with PARLEY_TEST_DATABASE).
func FuzzSearch(f *testing.F) {
	for _, q := range []string{"rent", `"unbalanced`, "a* OR b NOT c", "NEAR(x y)", "x:* & !y | (z)", "Wróbel e\u0301", "\u0301", "--;'", "a b c d e f g h i j"} {
		f.Add(q)
	}
	s := storetest.Open(f)
	ctx := context.Background()
	d := &parley.Debate{Slug: "searched", Title: "Rent and buses", Question: "Who pays?", BodyMD: "Rent.", BodyHTML: "<p>Rent.</p>", Status: parley.DebatePublished}
	if err := s.CreateDebate(ctx, d); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, q string) {
		terms := store.SearchTerms(q)
		if len(terms) > store.MaxSearchTerms {
			t.Fatalf("SearchTerms(%q) = %d terms", q, len(terms))
		}
		for i, term := range terms {
			if term == "" || !utf8.ValidString(term) || slices.Contains(terms[:i], term) ||
				strings.IndexFunc(term, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r) }) >= 0 {
				t.Fatalf("SearchTerms(%q) holds %q", q, term)
			}
		}
		if _, err := s.SearchDebates(ctx, terms, 5); err != nil {
			t.Fatalf("searching debates for %q (%q): %v", q, terms, err)
		}
		if _, err := s.SearchComments(ctx, terms, 0, 5); err != nil {
			t.Fatalf("searching comments for %q (%q): %v", q, terms, err)
		}
	})
}
