package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/markup"
)

// shareMeta is what a page says about itself to the sites it is shared
// on (Open Graph and Twitter card metadata, in the layout) and the plain
// share links it offers. No third-party script runs: the links are
// ordinary links to each network's share address, and app.js adds the
// browser's own share sheet where there is one.
type shareMeta struct {
	// Type is the Open Graph type: "article" or "profile".
	Type string
	// URL is the page's absolute address.
	URL         string
	Title       string
	Description string
	// Image is an absolute address. Its description, in the reader's
	// language, names whose picture it is: the debate's, or the portrait of
	// the person ImageOf names, with its credit.
	Image       string
	ImageOf     string
	Portrait    bool
	ImageCredit string
	Links       []shareLink
}

// Card is the kind of Twitter card the page makes.
func (m *shareMeta) Card() string {
	if m.Image != "" {
		return "summary_large_image"
	}
	return "summary"
}

type shareLink struct {
	Name, Href string
	// Mail is the link that shares by email, named in the reader's language.
	Mail bool
}

// absolute makes a site path absolute on the base URL; other addresses
// are kept.
func (s *Server) absolute(u string) string {
	if strings.HasPrefix(u, "/") && !strings.HasPrefix(u, "//") {
		return s.cfg.BaseURL + u
	}
	return u
}

// queryEscape escapes a query value with spaces as %20, which mail
// programs read too, rather than the "+" of a form.
func queryEscape(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "+", "%20") }

// shareLinks are plain links that share a page by mail and on a few
// networks.
func shareLinks(page, title string) []shareLink {
	u, t, both := queryEscape(page), queryEscape(title), queryEscape(title+" "+page)
	return []shareLink{
		{"Email", "mailto:?subject=" + t + "&body=" + queryEscape(title+"\n\n"+page), true},
		{"Bluesky", "https://bsky.app/intent/compose?text=" + both, false},
		{"Facebook", "https://www.facebook.com/sharer/sharer.php?u=" + u, false},
		{"LinkedIn", "https://www.linkedin.com/sharing/share-offsite/?url=" + u, false},
		{"WhatsApp", "https://wa.me/?text=" + both, false},
		{"X", "https://x.com/intent/post?text=" + t + "&url=" + u, false},
	}
}

// debateImage sets a debate's picture for the sites it is shared on.
// Debates carry no description of their picture, so its description says
// whose picture it is, with its credit.
func (s *Server) debateImage(m *shareMeta, d *parley.Debate) {
	m.Image, m.ImageOf, m.ImageCredit = s.absolute(d.ImageURL), d.Title, d.ImageCredit
}

// portrait sets an expert's portrait as the picture shared.
func (s *Server) portrait(m *shareMeta, e *parley.Expert) {
	m.Image, m.ImageOf, m.Portrait, m.ImageCredit = s.absolute(e.PortraitURL), e.Name, true, e.PortraitCredit
}

func (s *Server) debateShare(d *parley.Debate) *shareMeta {
	page := s.cfg.BaseURL + "/debates/" + url.PathEscape(d.Slug)
	m := &shareMeta{Type: "article", URL: page, Title: d.Title, Description: d.Question, Links: shareLinks(page, d.Title)}
	if d.ImageURL != "" {
		s.debateImage(m, d)
	}
	return m
}

func (s *Server) expertShare(e *parley.Expert) *shareMeta {
	page := s.cfg.BaseURL + "/experts/" + url.PathEscape(e.Slug)
	m := &shareMeta{Type: "profile", URL: page, Title: e.Name, Description: expertLine(e), Links: shareLinks(page, e.Name)}
	if e.PortraitURL != "" {
		s.portrait(m, e)
	}
	return m
}

// expertLine is an expert's title and affiliation, as one line.
func expertLine(e *parley.Expert) string {
	switch {
	case e.Title != "" && e.Affiliation != "":
		return e.Title + ", " + e.Affiliation
	case e.Title != "":
		return e.Title
	}
	return e.Affiliation
}

// sharedAnswerPage is an expert's answer on a page of its own, the one its
// share links and metadata name: the question, the reader's comment, the
// answer, and the way back into the debate.
type sharedAnswerPage struct {
	pageMeta
	Debate   *parley.Debate
	Question *parley.Question
	Answer   *parley.Answer
	// InThread is the answer's place in the debate's thread.
	InThread string
}

func (s *Server) handleAnswerPage(w http.ResponseWriter, r *http.Request) {
	d, err := s.publicDebate(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	_, questions, err := s.threads(r.Context(), d, parley.CommentFilter{DebateID: d.ID, Limit: 1})
	if err == nil {
		// In the reader's language, where the editors translated it.
		d, questions, _, err = s.debateIn(r.Context(), d, questions, lang(r))
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	id := pathID(r, "id")
	for _, q := range questions {
		for _, a := range q.Answers {
			if a.ID != id {
				continue
			}
			l := lang(r)
			p := sharedAnswerPage{pageMeta: s.meta(r, l.T("%[1]s answers %[2]s", a.Expert.Name, q.Comment.AuthorName)), Debate: d, Question: q, Answer: a,
				InThread: "/answers/" + strconv.FormatInt(a.ID, 10)}
			p.Description = markup.Excerpt(a.BodyHTML, 200)
			title := l.T("%[1]s answers %[2]s: %[3]s", a.Expert.Name, q.Comment.AuthorName, d.Title)
			m := &shareMeta{Type: "article", URL: s.cfg.BaseURL + r.URL.Path, Title: title, Description: p.Description,
				Links: shareLinks(s.cfg.BaseURL+r.URL.Path, title)}
			if e := a.Expert; e.PortraitURL != "" {
				s.portrait(m, e)
			} else if d.ImageURL != "" {
				s.debateImage(m, d)
			}
			p.Share = m
			p.Feed = "/debates/" + d.Slug + "/comments.atom"
			cacheAs(w, d)
			s.render(w, r, http.StatusOK, "shared_answer", p)
			return
		}
	}
	s.fail(w, r, parley.Errorf(parley.ENOTFOUND, "There is no such answer in this debate."))
}
