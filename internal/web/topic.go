package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/parley-org/parley"
)

// Topics are slugs on debates ("public-services"). Each has a page of its
// public debates, newest first, and an Atom feed of them.

// topicName is how a topic reads: "public-services" is "Public services".
func topicName(slug string) string {
	name := strings.ReplaceAll(slug, "-", " ")
	r, size := utf8.DecodeRuneInString(name)
	if size == 0 {
		return ""
	}
	return string(unicode.ToUpper(r)) + name[size:]
}

type topicPage struct {
	pageMeta
	Topic   string
	Name    string
	Debates []*parley.Debate
	Page    int
	Pages   int
	PrevURL string
	NextURL string
}

func (s *Server) handleTopic(w http.ResponseWriter, r *http.Request) {
	topic := r.PathValue("slug")
	pageNo, _ := strconv.Atoi(r.URL.Query().Get("page"))
	pageNo = max(pageNo, 1)
	list, total, err := s.store.Debates(r.Context(), parley.DebateFilter{Public: true, Topic: topic, Offset: (pageNo - 1) * debatesPerPage, Limit: debatesPerPage})
	if err == nil {
		list, err = s.debatesIn(r.Context(), lang(r), list)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if total == 0 || len(list) == 0 {
		s.fail(w, r, parley.Errorf(parley.ENOTFOUND, "There are no debates on this topic."))
		return
	}
	name := topicName(topic)
	base := "/topics/" + url.PathEscape(topic)
	p := topicPage{pageMeta: s.meta(r, name), Topic: topic, Name: name, Debates: list, Page: pageNo,
		Pages: (total + debatesPerPage - 1) / debatesPerPage}
	p.Description = lang(r).T("Debates on %s: read the question, say what you think, hear from experts.", strings.ToLower(name))
	p.Feed = base + "/feed.atom"
	if pageNo > 1 {
		p.PrevURL = base + "?page=" + strconv.Itoa(pageNo-1)
	}
	if pageNo < p.Pages {
		p.NextURL = base + "?page=" + strconv.Itoa(pageNo+1)
	}
	cacheSiteWide(w)
	s.render(w, r, http.StatusOK, "topic", p)
}

// handleTopicFeed is the Atom feed of a topic's debates, newest first.
func (s *Server) handleTopicFeed(w http.ResponseWriter, r *http.Request) {
	topic := r.PathValue("slug")
	list, _, err := s.store.Debates(r.Context(), parley.DebateFilter{Public: true, Topic: topic, Limit: feedSize})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if len(list) == 0 {
		s.fail(w, r, parley.Errorf(parley.ENOTFOUND, "There are no debates on this topic."))
		return
	}
	page := s.cfg.BaseURL + "/topics/" + url.PathEscape(topic)
	f := &atomFeed{
		ID: page, Title: s.siteName() + ": " + topicName(topic),
		Links: []atomLink{{Href: page + "/feed.atom", Rel: "self"}, {Href: page, Rel: "alternate", Type: "text/html"}},
	}
	var updated time.Time
	for _, d := range list {
		link := s.cfg.BaseURL + "/debates/" + d.Slug
		if d.UpdatedAt.After(updated) {
			updated = d.UpdatedAt
		}
		f.Entries = append(f.Entries, atomEntry{
			ID: link, Title: d.Title, Updated: atomTime(d.UpdatedAt), Published: atomTime(d.PublishedAt),
			Author: atomAuthor{Name: s.siteName()}, Link: atomLink{Href: link, Rel: "alternate", Type: "text/html"},
			Summary: d.Question, Content: atomText{Type: "html", Body: d.BodyHTML},
		})
	}
	f.Updated = atomTime(updated)
	cacheSiteWide(w)
	s.writeFeed(w, f)
}
