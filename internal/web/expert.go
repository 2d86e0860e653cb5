package web

import (
	"html/template"
	"net/http"
	"strconv"
	"time"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/store"
)

// maxProfileAnswers bounds the answers listed on an expert's profile.
const maxProfileAnswers = 50

type expertPage struct {
	pageMeta
	Expert  *parley.Expert
	Bio     template.HTML
	Answers []store.ExpertAnswer
}

func (s *Server) handleExpert(w http.ResponseWriter, r *http.Request) {
	e, answers, err := s.expertProfile(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := expertPage{pageMeta: s.meta(r, e.Name), Expert: e, Bio: template.HTML(e.BioHTML), Answers: answers}
	p.Description = e.Title
	p.Share = s.expertShare(e)
	cacheSiteWide(w) // the answers come from many debates
	s.render(w, r, http.StatusOK, "expert", p)
}

func (s *Server) expertProfile(r *http.Request) (*parley.Expert, []store.ExpertAnswer, error) {
	e, err := s.store.ExpertBySlug(r.Context(), r.PathValue("slug"))
	if err != nil {
		return nil, nil, err
	}
	answers, err := s.store.ExpertAnswers(r.Context(), e.ID, maxProfileAnswers)
	return e, answers, err
}

type apiExpertProfile struct {
	apiExpert
	BioHTML string             `json:"bio_html"`
	URL     string             `json:"url"`
	Answers []apiProfileAnswer `json:"answers"`
}

type apiProfileAnswer struct {
	ID          int64             `json:"id"`
	LeadIn      string            `json:"lead_in"`
	BodyHTML    string            `json:"body_html"`
	PublishedAt time.Time         `json:"published_at"`
	URL         string            `json:"url"`
	Debate      apiDebateRef      `json:"debate"`
	Comment     apiAnsweredTarget `json:"comment"`
}

type apiDebateRef struct {
	Slug  string `json:"slug"`
	Title string `json:"title"`
}

type apiAnsweredTarget struct {
	ID         int64  `json:"id"`
	AuthorName string `json:"author_name"`
	URL        string `json:"url"`
}

func (s *Server) apiGetExpert(w http.ResponseWriter, r *http.Request) {
	e, answers, err := s.expertProfile(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	out := apiExpertProfile{
		apiExpert: apiExpert{Slug: e.Slug, Name: e.Name, Title: e.Title, Affiliation: e.Affiliation, PortraitURL: e.PortraitURL, PortraitCredit: e.PortraitCredit},
		BioHTML:   e.BioHTML, URL: s.cfg.BaseURL + "/experts/" + e.Slug, Answers: []apiProfileAnswer{},
	}
	for _, ea := range answers {
		page := s.cfg.BaseURL + "/debates/" + ea.DebateSlug
		out.Answers = append(out.Answers, apiProfileAnswer{
			ID: ea.Answer.ID, LeadIn: ea.Answer.LeadIn, BodyHTML: ea.Answer.BodyHTML, PublishedAt: ea.Answer.PublishedAt,
			URL:     page + "#answer-" + strconv.FormatInt(ea.Answer.ID, 10),
			Debate:  apiDebateRef{Slug: ea.DebateSlug, Title: ea.DebateTitle},
			Comment: apiAnsweredTarget{ID: ea.Comment.ID, AuthorName: ea.Comment.AuthorName, URL: page + "#comment-" + strconv.FormatInt(ea.Comment.ID, 10)},
		})
	}
	cacheSiteWide(w)
	writeJSON(w, http.StatusOK, out)
}
