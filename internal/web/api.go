package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/parley-org/parley"
)

// The API's JSON shapes. Domain types are never encoded directly, so a
// private field such as an email address cannot leak by accident.

type apiDebate struct {
	Slug         string        `json:"slug"`
	Title        string        `json:"title"`
	Question     string        `json:"question"`
	BodyHTML     string        `json:"body_html,omitempty"`
	Image        *apiImage     `json:"image,omitempty"`
	Topics       []string      `json:"topics"`
	Status       string        `json:"status"`
	PublishedAt  *time.Time    `json:"published_at"`
	CommentCount int           `json:"comment_count"`
	Open         bool          `json:"open"`
	URL          string        `json:"url"`
	CommentsURL  string        `json:"comments_url"`
	Questions    []apiQuestion `json:"questions,omitempty"`
}

type apiImage struct {
	URL    string `json:"url"`
	Credit string `json:"credit"`
}

type apiQuestion struct {
	ID          int64       `json:"id"`
	FramingHTML string      `json:"framing_html"`
	Comment     *apiComment `json:"comment"`
	Answers     []apiAnswer `json:"answers"`
}

type apiAnswer struct {
	ID          int64     `json:"id"`
	CommentID   int64     `json:"comment_id"`
	LeadIn      string    `json:"lead_in"`
	BodyHTML    string    `json:"body_html"`
	PublishedAt time.Time `json:"published_at"`
	URL         string    `json:"url"`
	Expert      apiExpert `json:"expert"`
}

type apiExpert struct {
	Slug           string `json:"slug"`
	Name           string `json:"name"`
	Title          string `json:"title"`
	Affiliation    string `json:"affiliation"`
	PortraitURL    string `json:"portrait_url"`
	PortraitCredit string `json:"portrait_credit"`
}

type apiComment struct {
	ID        int64      `json:"id"`
	Debate    string     `json:"debate"`
	ParentID  *int64     `json:"parent_id"`
	ReplyToID *int64     `json:"reply_to_id"`
	Depth     int        `json:"depth"`
	Author    apiAuthor  `json:"author"`
	BodyHTML  string     `json:"body_html"`
	Status    string     `json:"status"`
	Language  string     `json:"language"`
	Source    string     `json:"source,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	EditedAt  *time.Time `json:"edited_at,omitempty"`
	// Deleted marks a comment its author deleted, kept for its replies.
	Deleted bool          `json:"deleted,omitempty"`
	URL     string        `json:"url"`
	Answers []apiAnswer   `json:"answers,omitempty"`
	Replies []*apiComment `json:"replies,omitempty"`
}

type apiAuthor struct {
	Name      string `json:"name"`
	AvatarURL string `json:"avatar_url"`
	// ProfileURL is the author's public profile, for comments made with an account.
	ProfileURL string `json:"profile_url,omitempty"`
	// InReplyTo names the author answered when the reply sits beside them.
	InReplyTo string `json:"in_reply_to,omitempty"`
}

func (s *Server) apiDebateOf(d *parley.Debate) apiDebate {
	a := apiDebate{
		Slug: d.Slug, Title: d.Title, Question: d.Question, Topics: d.Topics, Status: string(d.Status),
		CommentCount: d.CommentCount, Open: d.Open(),
		URL: s.cfg.BaseURL + "/debates/" + d.Slug, CommentsURL: s.cfg.BaseURL + "/api/v1/debates/" + d.Slug + "/comments",
	}
	if a.Topics == nil {
		a.Topics = []string{}
	}
	if !d.PublishedAt.IsZero() {
		t := d.PublishedAt
		a.PublishedAt = &t
	}
	if d.ImageURL != "" {
		a.Image = &apiImage{URL: d.ImageURL, Credit: d.ImageCredit}
	}
	return a
}

func (s *Server) apiCommentOf(slug string, c *parley.Comment) *apiComment {
	a := &apiComment{
		ID: c.ID, Debate: slug, Depth: c.Depth, BodyHTML: c.BodyHTML, Status: string(c.Status), Language: c.Language,
		Source: c.Source, CreatedAt: c.CreatedAt,
		Author: apiAuthor{Name: c.AuthorName, AvatarURL: "/avatars/" + c.AvatarKey + ".svg", InReplyTo: c.ReplyToName},
		URL:    s.cfg.BaseURL + "/debates/" + slug + "#comment-" + strconv.FormatInt(c.ID, 10),
	}
	if c.UserID != 0 {
		a.Author.ProfileURL = s.cfg.BaseURL + "/people/" + strconv.FormatInt(c.UserID, 10)
	}
	if !c.EditedAt.IsZero() {
		t := c.EditedAt
		a.EditedAt = &t
	}
	a.Deleted = !c.DeletedAt.IsZero()
	if c.ParentID != 0 {
		id := c.ParentID
		a.ParentID = &id
	}
	if c.ReplyToID != 0 {
		id := c.ReplyToID
		a.ReplyToID = &id
	}
	return a
}

func (s *Server) apiAnswerOf(slug string, an *parley.Answer) apiAnswer {
	e := an.Expert
	return apiAnswer{
		ID: an.ID, CommentID: an.CommentID, LeadIn: an.LeadIn, BodyHTML: an.BodyHTML, PublishedAt: an.PublishedAt,
		URL:    s.cfg.BaseURL + "/answers/" + strconv.FormatInt(an.ID, 10),
		Expert: apiExpert{Slug: e.Slug, Name: e.Name, Title: e.Title, Affiliation: e.Affiliation, PortraitURL: e.PortraitURL, PortraitCredit: e.PortraitCredit},
	}
}

type apiDebateList struct {
	Debates []apiDebate `json:"debates"`
	Total   int         `json:"total"`
	Page    int         `json:"page"`
	PerPage int         `json:"per_page"`
}

func (s *Server) apiListDebates(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	pageNo, perPage, err := pageParams(q.Get("page"), q.Get("per_page"), debatesPerPage, 100)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	list, total, err := s.store.Debates(r.Context(), parley.DebateFilter{Public: true, Topic: q.Get("topic"), Offset: (pageNo - 1) * perPage, Limit: perPage})
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	out := apiDebateList{Debates: make([]apiDebate, 0, len(list)), Total: total, Page: pageNo, PerPage: perPage}
	for _, d := range list {
		out.Debates = append(out.Debates, s.apiDebateOf(d))
	}
	cacheSiteWide(w)
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) apiGetDebate(w http.ResponseWriter, r *http.Request) {
	d, err := s.publicDebate(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	questions, err := s.store.Questions(r.Context(), d.ID)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	out := s.apiDebateOf(d)
	out.BodyHTML = d.BodyHTML
	out.Questions = []apiQuestion{}
	for _, q := range questions {
		aq := apiQuestion{ID: q.ID, FramingHTML: q.FramingHTML, Comment: s.apiCommentOf(d.Slug, q.Comment), Answers: []apiAnswer{}}
		for _, an := range q.Answers {
			aq.Answers = append(aq.Answers, s.apiAnswerOf(d.Slug, an))
		}
		out.Questions = append(out.Questions, aq)
	}
	cacheAs(w, d)
	writeJSON(w, http.StatusOK, out)
}

// apiThreadPage is the shape of a page of threads; threadJSON writes it.
type apiThreadPage struct {
	Comments   []*apiComment `json:"comments"`
	NextCursor *string       `json:"next_cursor"`
	Total      int           `json:"total"`
}

// maxThreadsPerRequest lets one API request take a whole large debate.
const maxThreadsPerRequest = 1000

func (s *Server) apiListComments(w http.ResponseWriter, r *http.Request) {
	d, err := s.publicDebate(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	q := r.URL.Query()
	p := parley.Problems{}
	f := parley.CommentFilter{DebateID: d.ID, Limit: s.cfg.ThreadsPerPage}
	switch q.Get("sort") {
	case "", "oldest":
	case "newest":
		f.NewestFirst = true
	default:
		p.Add("sort", "Sort must be oldest or newest.")
	}
	if v := q.Get("after"); v != "" {
		if f.After, err = strconv.ParseInt(v, 10, 64); err != nil || f.After <= 0 {
			p.Add("after", "The cursor is not one this API gave out.")
		}
	}
	if v := q.Get("limit"); v != "" {
		if f.Limit, err = strconv.Atoi(v); err != nil || f.Limit < 1 || f.Limit > maxThreadsPerRequest {
			p.Add("limit", "Limit must be a whole number from 1 to 1000.")
		}
	}
	if err := p.Err(); err != nil {
		s.apiFail(w, r, err)
		return
	}
	page, questions, err := s.threads(r.Context(), d, f)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	var next *string
	if page.Next != 0 {
		cursor := strconv.FormatInt(page.Next, 10)
		next = &cursor
	}
	cacheAs(w, d)
	buf := getBuffer()
	defer putBuffer(buf)
	j := &threadJSON{s: s, slug: d.Slug, answers: answersByComment(questions)}
	buf.Write(j.appendPage(buf.AvailableBuffer(), parley.BuildThread(page.Comments), next, d.CommentCount))
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(buf.Bytes())
}

type apiNewComment struct {
	AuthorName    string `json:"author_name"`
	AuthorEmail   string `json:"author_email"`
	Body          string `json:"body"`
	ParentID      int64  `json:"parent_id"`
	AnswerID      int64  `json:"answer_id"`
	NotifyReplies bool   `json:"notify_replies"`
	NotifyAll     bool   `json:"notify_all"`
}

func (s *Server) apiPostComment(w http.ResponseWriter, r *http.Request) {
	d, err := s.publicDebate(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	var body apiNewComment
	if err := decodeJSON(r, &body); err != nil {
		s.apiFail(w, r, err)
		return
	}
	in := &parley.NewComment{ParentID: body.ParentID, AnswerID: body.AnswerID, AuthorName: body.AuthorName, AuthorEmail: body.AuthorEmail,
		Body: body.Body, NotifyReplies: body.NotifyReplies, NotifyAll: body.NotifyAll}
	if key := r.Header.Get("Idempotency-Key"); key != "" {
		if len(key) > 60 {
			s.apiFail(w, r, &parley.Error{Code: parley.EBADREQUEST, Message: "The Idempotency-Key header is longer than 60 characters."})
			return
		}
		// A key belongs to the client that sent it: scoped by the account or
		// the author's address, so another client's key never returns someone
		// else's comment.
		scope := strings.ToLower(strings.TrimSpace(in.AuthorEmail))
		if u := currentUser(r); u != nil {
			scope = "user:" + strconv.FormatInt(u.ID, 10)
		}
		in.SubmissionKey = "k:" + s.keyed(key, scope)
	}
	c, created, err := s.postComment(r, d, in, trapVerdict{})
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	if !created {
		if c.BodyMD != in.Body || c.ParentID != in.ParentID && c.ReplyToID != in.ParentID {
			s.apiFail(w, r, &parley.Error{Code: parley.ECONFLICT, Message: "This Idempotency-Key was already used for a different comment."})
			return
		}
		w.Header().Set("Idempotent-Replayed", "true")
	}
	w.Header().Set("Location", "/api/v1/comments/"+strconv.FormatInt(c.ID, 10))
	writeJSON(w, http.StatusCreated, s.apiCommentOf(d.Slug, c))
}

func (s *Server) apiGetComment(w http.ResponseWriter, r *http.Request) {
	id := pathID(r, "id")
	c, err := s.store.Comment(r.Context(), id)
	if err == nil && c.Status != parley.CommentApproved || id == 0 {
		err = parley.Errorf(parley.ENOTFOUND, "There is no such comment.")
	}
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	d, err := s.store.DebateByID(r.Context(), c.DebateID)
	if err == nil && !d.Public() {
		err = parley.Errorf(parley.ENOTFOUND, "There is no such comment.")
	}
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.apiCommentOf(d.Slug, c))
}

func (s *Server) apiNotFound(w http.ResponseWriter, r *http.Request) {
	s.apiFail(w, r, parley.Errorf(parley.ENOTFOUND, "There is no API endpoint %s %s.", r.Method, r.URL.Path))
}

// decodeJSON reads a JSON request body strictly: valid UTF-8, known fields only.
func decodeJSON(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, _ := mime.ParseMediaType(ct); mt != "application/json" {
			return &parley.Error{Code: parley.EBADREQUEST, Message: "Send the body as application/json."}
		}
	}
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		return asDomain(err)
	}
	if !utf8.Valid(raw) {
		return &parley.Error{Code: parley.EINVALID, Message: "The body is not valid UTF-8 text."}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return &parley.Error{Code: parley.EBADREQUEST, Message: fmt.Sprintf("The body is not the JSON this endpoint takes: %s", err)}
	}
	// Only white space may follow: More() says false before a stray "}" or "]".
	if _, err := dec.Token(); err != io.EOF {
		return &parley.Error{Code: parley.EBADREQUEST, Message: "The body holds more than one JSON value."}
	}
	return nil
}

// pageParams parses 1-based page numbering.
func pageParams(page, perPage string, defPer, maxPer int) (int, int, error) {
	p := parley.Problems{}
	n, per := 1, defPer
	var err error
	if page != "" {
		if n, err = strconv.Atoi(page); err != nil || n < 1 {
			p.Add("page", "Page must be a whole number from 1.")
		}
	}
	if perPage != "" {
		if per, err = strconv.Atoi(perPage); err != nil || per < 1 || per > maxPer {
			p.Add("per_page", fmt.Sprintf("per_page must be a whole number from 1 to %d.", maxPer))
		}
	}
	return n, per, p.Err()
}
