package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/markup"
	"github.com/parley-org/parley/internal/store"
)

// Search over debates and the comments readers can see (/search?q=…).
// Results are bounded: a few debates on the first page, then comments,
// searchPerPage a page, for at most searchPages pages.
const (
	searchPerPage  = 20
	searchPages    = 25
	searchDebates  = 5
	maxSearchQuery = 200 // bytes of the query kept
	snippetRunes   = 240
)

type searchPage struct {
	pageMeta
	Query   string
	Terms   []string
	Debates []searchDebate
	Hits    []searchHit
	Page    int
	PrevURL string
	NextURL string
	// Capped says the results go on beyond the last page shown.
	Capped bool
}

type searchDebate struct {
	*parley.Debate
	Snippet template.HTML
}

type searchHit struct {
	store.SearchHit
	Snippet template.HTML
}

func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if len(q) > maxSearchQuery {
		q = strings.ToValidUTF8(q[:maxSearchQuery], "")
	}
	pageNo, _ := strconv.Atoi(r.URL.Query().Get("page"))
	pageNo = min(max(pageNo, 1), searchPages)
	l := lang(r)
	p := searchPage{pageMeta: s.meta(r, l.T("Search")), Query: q, Terms: store.SearchTerms(q), Page: pageNo}
	p.Description = l.T("Search the debates and readers' comments.")
	if q != "" {
		p.Title = l.T("Search: %s", q)
	}
	if len(p.Terms) > 0 {
		ctx := r.Context()
		if pageNo == 1 {
			debates, err := s.store.SearchDebates(ctx, p.Terms, searchDebates)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			for _, d := range debates {
				p.Debates = append(p.Debates, searchDebate{Debate: d, Snippet: snippet(markup.PlainText(d.BodyHTML), p.Terms)})
			}
		}
		hits, err := s.store.SearchComments(ctx, p.Terms, (pageNo-1)*searchPerPage, searchPerPage+1)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		more := len(hits) > searchPerPage
		if more {
			hits = hits[:searchPerPage]
		}
		for _, h := range hits {
			p.Hits = append(p.Hits, searchHit{SearchHit: h, Snippet: snippet(markup.PlainText(h.Comment.BodyHTML), p.Terms)})
		}
		at := "/search?q=" + url.QueryEscape(q)
		if pageNo > 1 {
			p.PrevURL = at + "&page=" + strconv.Itoa(pageNo-1)
		}
		if more && pageNo < searchPages {
			p.NextURL = at + "&page=" + strconv.Itoa(pageNo+1)
		}
		p.Capped = more && pageNo == searchPages
	}
	cacheSiteWide(w)
	s.render(w, r, http.StatusOK, "search", p)
}

// snippet is a stretch of text around the first word a term finds, with
// every such word marked, escaped for HTML.
func snippet(text string, terms []string) template.HTML {
	words := wordSpans(text)
	first := -1
	for i, w := range words {
		if matchesTerm(text[w[0]:w[1]], terms) {
			first = i
			break
		}
	}
	start, end := 0, len(text)
	if first > 0 {
		// Start a few words before the first match.
		start = words[max(first-8, 0)][0]
	}
	// Cut after about snippetRunes runes, at a word's end.
	n := 0
	for i := start; i < len(text); {
		_, size := utf8.DecodeRuneInString(text[i:])
		i += size
		n++
		if n >= snippetRunes {
			end = i
			for end < len(text) && text[end] != ' ' {
				end++
			}
			break
		}
	}
	var b strings.Builder
	if start > 0 {
		b.WriteString("… ")
	}
	at := start
	for _, w := range words {
		if w[0] < start || w[1] > end {
			continue
		}
		if matchesTerm(text[w[0]:w[1]], terms) {
			b.WriteString(template.HTMLEscapeString(text[at:w[0]]))
			b.WriteString("<mark>")
			b.WriteString(template.HTMLEscapeString(text[w[0]:w[1]]))
			b.WriteString("</mark>")
			at = w[1]
		}
	}
	b.WriteString(template.HTMLEscapeString(text[at:end]))
	if end < len(text) {
		b.WriteString(" …")
	}
	return template.HTML(b.String())
}

// wordSpans are the byte spans of the words of text, split as SearchTerms
// splits a query.
func wordSpans(text string) [][2]int {
	var spans [][2]int
	start := -1
	for i, r := range text {
		word := unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
		switch {
		case word && start < 0:
			start = i
		case !word && start >= 0:
			spans = append(spans, [2]int{start, i})
			start = -1
		}
	}
	if start >= 0 {
		spans = append(spans, [2]int{start, len(text)})
	}
	return spans
}

// matchesTerm reports whether a search finds word by one of its terms.
func matchesTerm(word string, terms []string) bool {
	w := strings.ToLower(word)
	for _, t := range terms {
		if w == t || store.IsPrefixTerm(t) && strings.HasPrefix(w, t) {
			return true
		}
	}
	return false
}
