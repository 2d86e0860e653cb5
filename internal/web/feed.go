package web

import (
	"encoding/xml"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/markup"
)

// Atom feeds (RFC 4287). Authors are named, never with an email address.

type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
}

type atomEntry struct {
	// Lang is the entry's language (xml:lang), left off when unknown.
	Lang      string     `xml:"http://www.w3.org/XML/1998/namespace lang,attr,omitempty"`
	ID        string     `xml:"id"`
	Title     string     `xml:"title"`
	Updated   string     `xml:"updated"`
	Published string     `xml:"published,omitempty"`
	Author    atomAuthor `xml:"author"`
	Link      atomLink   `xml:"link"`
	Summary   string     `xml:"summary,omitempty"`
	Content   atomText   `xml:"content"`
}

type atomAuthor struct {
	Name string `xml:"name"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

const feedSize = 50

func (s *Server) writeFeed(w http.ResponseWriter, f *atomFeed) {
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	w.Write([]byte(xml.Header))
	enc := xml.NewEncoder(w)
	enc.Indent("", " ")
	if err := enc.Encode(f); err != nil {
		s.log.Error("write feed", "err", err)
	}
}

func atomTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func (s *Server) handleDebatesFeed(w http.ResponseWriter, r *http.Request) {
	list, _, err := s.store.Debates(r.Context(), parley.DebateFilter{Public: true, Limit: feedSize})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f := &atomFeed{
		ID: s.cfg.BaseURL + "/", Title: lang(r).T("%s: debates", s.siteName()), Updated: atomTime(time.Unix(0, 0)),
		Links: []atomLink{{Href: s.cfg.BaseURL + "/feeds/debates.atom", Rel: "self"}, {Href: s.cfg.BaseURL + "/", Rel: "alternate", Type: "text/html"}},
	}
	// The feed changes when any entry does, an edit included.
	var updated time.Time
	for _, d := range list {
		changed := latest(d.PublishedAt, d.UpdatedAt)
		updated = latest(updated, changed)
		link := s.cfg.BaseURL + "/debates/" + d.Slug
		f.Entries = append(f.Entries, atomEntry{
			ID: link, Title: d.Title, Updated: atomTime(changed), Published: atomTime(d.PublishedAt),
			Author: atomAuthor{Name: s.siteName()}, Link: atomLink{Href: link, Rel: "alternate", Type: "text/html"},
			Summary: d.Question, Content: atomText{Type: "html", Body: d.BodyHTML},
		})
	}
	if !updated.IsZero() {
		f.Updated = atomTime(updated)
	}
	cacheSiteWide(w)
	s.writeFeed(w, f)
}

func (s *Server) handleCommentsFeed(w http.ResponseWriter, r *http.Request) {
	d, err := s.publicDebate(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	comments, err := s.store.RecentComments(r.Context(), d.ID, feedSize)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	questions, err := s.store.Questions(r.Context(), d.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := s.cfg.BaseURL + "/debates/" + d.Slug
	f := &atomFeed{
		ID: page + "/comments", Title: lang(r).T("Comments on %s", d.Title), Updated: atomTime(d.PublishedAt),
		Links: []atomLink{{Href: page + "/comments.atom", Rel: "self"}, {Href: page, Rel: "alternate", Type: "text/html"}},
	}
	updated := d.PublishedAt
	// Experts' published answers are entries too, beside the comments.
	type dated struct {
		at      time.Time // placed in the feed by it
		updated time.Time
		entry   atomEntry
	}
	var entries []dated
	for _, q := range questions {
		for _, a := range q.Answers {
			link := s.cfg.BaseURL + "/answers/" + strconv.FormatInt(a.ID, 10)
			title := lang(r).T("%[1]s answers %[2]s", a.Expert.Name, q.Comment.AuthorName)
			entries = append(entries, dated{a.PublishedAt, a.PublishedAt, atomEntry{
				ID: page + "#answer-" + strconv.FormatInt(a.ID, 10), Title: title, Updated: atomTime(a.PublishedAt), Published: atomTime(a.PublishedAt),
				Author: atomAuthor{Name: a.Expert.Name}, Link: atomLink{Href: link, Rel: "alternate", Type: "text/html"},
				Summary: a.LeadIn, Content: atomText{Type: "html", Body: a.BodyHTML},
			}})
		}
	}
	for _, c := range comments {
		link := s.cfg.BaseURL + "/comments/" + strconv.FormatInt(c.ID, 10)
		entries = append(entries, dated{c.CreatedAt, latest(c.CreatedAt, c.UpdatedAt), atomEntry{
			Lang: c.Language, ID: page + "#comment-" + strconv.FormatInt(c.ID, 10), Title: c.AuthorName + ": " + markup.Excerpt(c.BodyHTML, 80),
			Updated: atomTime(latest(c.CreatedAt, c.UpdatedAt)), Published: atomTime(c.CreatedAt), Author: atomAuthor{Name: c.AuthorName},
			Link: atomLink{Href: link, Rel: "alternate", Type: "text/html"}, Content: atomText{Type: "html", Body: c.BodyHTML},
		}})
	}
	// Newest first, as many as a feed holds.
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].at.After(entries[j].at) })
	for i, e := range entries {
		if i == feedSize {
			break
		}
		// Not older than any entry: an edit or an answer counts.
		updated = latest(updated, e.updated)
		f.Entries = append(f.Entries, e.entry)
	}
	f.Updated = atomTime(updated)
	cacheAs(w, d)
	s.writeFeed(w, f)
}

// latest is the latest of ts.
func latest(ts ...time.Time) time.Time {
	var l time.Time
	for _, t := range ts {
		if t.After(l) {
			l = t
		}
	}
	return l
}
