package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parley-org/parley"
)

func TestAPIListsAndShowsDebates(t *testing.T) {
	s := newSite(t, Config{})
	ctx := context.Background()
	d := s.debate("cars", parley.DebatePublished, false)
	s.debate("draft", parley.DebateDraft, false)
	c := s.comment(d, 0, "Ana", "Featured thought.")
	e := &parley.Expert{Slug: "x", Name: "Expert X", Title: "Professor"}
	s.store.SaveExpert(ctx, e)
	q := &parley.Question{DebateID: d.ID, CommentID: c.ID, FramingHTML: "<p>Ana thinks so.</p>"}
	s.store.AddQuestion(ctx, q)
	s.store.AddAnswer(ctx, &parley.Answer{QuestionID: q.ID, ExpertID: e.ID, BodyHTML: "<p>She is right.</p>", BodyMD: "x", Status: parley.AnswerPublished})
	s.srv.Invalidate(d.ID)

	var list apiDebateList
	r := s.api("GET", "/api/v1/debates", nil)
	wantStatus(t, r, http.StatusOK)
	r.json(t, &list)
	if list.Total != 1 || len(list.Debates) != 1 || list.Debates[0].Slug != "cars" || list.Debates[0].CommentCount != 1 || !list.Debates[0].Open {
		t.Fatalf("got %+v, want only the published debate with 1 comment", list)
	}
	wantStatus(t, s.api("GET", "/api/v1/debates?per_page=0", nil), http.StatusUnprocessableEntity)

	var got apiDebate
	r = s.api("GET", "/api/v1/debates/cars", nil)
	wantStatus(t, r, http.StatusOK)
	r.json(t, &got)
	if len(got.Questions) != 1 || got.Questions[0].Comment.ID != c.ID || len(got.Questions[0].Answers) != 1 ||
		got.Questions[0].Answers[0].Expert.Name != "Expert X" || got.BodyHTML == "" {
		t.Fatalf("got %+v, want the featured comment with its answer", got)
	}
	wantStatus(t, s.api("GET", "/api/v1/debates/draft", nil), http.StatusNotFound)
	wantStatus(t, s.api("GET", "/api/v1/nothing", nil), http.StatusNotFound)
}

func TestAPIThreadsWithCursor(t *testing.T) {
	s := newSite(t, Config{ThreadsPerPage: 2})
	d := s.debate("cars", parley.DebatePublished, false)
	var roots []int64
	for i := 0; i < 3; i++ {
		c := s.comment(d, 0, fmt.Sprintf("P%d", i), "top")
		roots = append(roots, c.ID)
		r := s.comment(d, c.ID, "R", "reply")
		s.comment(d, r.ID, "RR", "reply to reply")
	}
	var page apiThreadPage
	r := s.api("GET", "/api/v1/debates/cars/comments", nil)
	wantStatus(t, r, http.StatusOK)
	r.json(t, &page)
	if len(page.Comments) != 2 || page.NextCursor == nil || page.Total != 9 {
		t.Fatalf("got %d threads, next %v, total %d; want 2, a cursor, 9", len(page.Comments), page.NextCursor, page.Total)
	}
	if got := page.Comments[0].Replies[0].Replies[0].Author.Name; got != "RR" {
		t.Fatalf("nested reply author %q, want RR", got)
	}
	r = s.api("GET", "/api/v1/debates/cars/comments?after="+*page.NextCursor, nil)
	page = apiThreadPage{}
	r.json(t, &page)
	if len(page.Comments) != 1 || page.Comments[0].ID != roots[2] || page.NextCursor != nil {
		t.Fatalf("second page: %d threads, want the last one and no cursor", len(page.Comments))
	}
	page = apiThreadPage{}
	s.api("GET", "/api/v1/debates/cars/comments?limit=1000&sort=newest", nil).json(t, &page)
	if len(page.Comments) != 3 || page.Comments[0].ID != roots[2] {
		t.Fatalf("newest, all: got %d threads", len(page.Comments))
	}
	for _, q := range []string{"limit=0", "limit=1001", "sort=sideways", "after=-3", "after=x"} {
		r := s.api("GET", "/api/v1/debates/cars/comments?"+q, nil)
		wantStatus(t, r, http.StatusUnprocessableEntity)
	}
}

func TestAPIPostComment(t *testing.T) {
	s := newSite(t, Config{})
	d := s.debate("cars", parley.DebatePublished, false)
	parent := s.comment(d, 0, "Ana", "parent")
	var c apiComment
	r := s.api("POST", "/api/v1/debates/cars/comments", map[string]any{"author_name": "Ben", "author_email": "b@example.org", "body": "A **reply**", "parent_id": parent.ID})
	wantStatus(t, r, http.StatusCreated)
	r.json(t, &c)
	if c.ParentID == nil || *c.ParentID != parent.ID || c.Status != "approved" || c.BodyHTML != "<p>A <strong>reply</strong></p>" {
		t.Fatalf("got %+v", c)
	}
	if loc := r.header.Get("Location"); loc != "/api/v1/comments/"+strconv.FormatInt(c.ID, 10) {
		t.Errorf("Location %q", loc)
	}
	wantStatus(t, s.api("GET", r.header.Get("Location"), nil), http.StatusOK)

	// An idempotency key replays the first comment.
	body := map[string]any{"author_name": "Cleo", "author_email": "c@example.org", "body": "once"}
	first := s.api("POST", "/api/v1/debates/cars/comments", body, "Idempotency-Key", "k-1")
	again := s.api("POST", "/api/v1/debates/cars/comments", body, "Idempotency-Key", "k-1")
	wantStatus(t, again, http.StatusCreated)
	if again.header.Get("Idempotent-Replayed") != "true" || first.header.Get("Location") != again.header.Get("Location") {
		t.Errorf("replay: header %q, locations %q vs %q", again.header.Get("Idempotent-Replayed"), first.header.Get("Location"), again.header.Get("Location"))
	}
	// The same key with another text is refused, not silently dropped.
	body["body"] = "once, but edited"
	wantStatus(t, s.api("POST", "/api/v1/debates/cars/comments", body, "Idempotency-Key", "k-1"), http.StatusConflict)
	// Another client's key of the same name is theirs alone.
	other := s.api("POST", "/api/v1/debates/cars/comments", map[string]any{"author_name": "Dan", "author_email": "d@example.org", "body": "mine"}, "Idempotency-Key", "k-1")
	wantStatus(t, other, http.StatusCreated)
	if other.header.Get("Idempotent-Replayed") != "" || other.header.Get("Location") == first.header.Get("Location") {
		t.Errorf("another client's same key returned the first client's comment")
	}
}

func TestAPIPostErrors(t *testing.T) {
	s := newSite(t, Config{})
	s.debate("cars", parley.DebatePublished, false)
	s.debate("closed", parley.DebateClosed, false)
	held := s.debate("held", parley.DebatePublished, true)
	type apiErr struct {
		Error apiErrorBody `json:"error"`
	}
	cases := []struct {
		name   string
		path   string
		body   any
		status int
		code   string
		field  string
	}{
		{"missing fields", "/api/v1/debates/cars/comments", map[string]any{}, 422, "invalid", "author_email"},
		{"bad email", "/api/v1/debates/cars/comments", map[string]any{"author_name": "A", "author_email": "x", "body": "b"}, 422, "invalid", "author_email"},
		{"unknown field", "/api/v1/debates/cars/comments", map[string]any{"author_name": "A", "email": "x"}, 400, "bad_request", ""},
		{"not json", "/api/v1/debates/cars/comments", []byte("{nope"), 400, "bad_request", ""},
		{"invalid utf-8", "/api/v1/debates/cars/comments", []byte("{\"author_name\":\"\xff\"}"), 422, "invalid", ""},
		{"closed", "/api/v1/debates/closed/comments", map[string]any{"author_name": "A", "author_email": "a@example.org", "body": "b"}, 409, "debate_closed", ""},
		{"unknown debate", "/api/v1/debates/nope/comments", map[string]any{"author_name": "A", "author_email": "a@example.org", "body": "b"}, 404, "not_found", ""},
		{"unknown parent", "/api/v1/debates/cars/comments", map[string]any{"author_name": "A", "author_email": "a@example.org", "body": "b", "parent_id": 999}, 422, "invalid", "parent_id"},
		{"too large", "/api/v1/debates/cars/comments", []byte(`{"body":"` + strings.Repeat("x", 70_000) + `"}`), 413, "too_large", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := s.api("POST", tc.path, tc.body)
			wantStatus(t, r, tc.status)
			var e apiErr
			r.json(t, &e)
			if e.Error.Code != tc.code || e.Error.Message == "" || (tc.field != "" && e.Error.Fields[tc.field] == "") {
				t.Errorf("got %+v, want code %s with field %q", e.Error, tc.code, tc.field)
			}
		})
	}

	var c apiComment
	r := s.api("POST", "/api/v1/debates/held/comments", map[string]any{"author_name": "A", "author_email": "a@example.org", "body": "wait for me"})
	wantStatus(t, r, http.StatusCreated)
	r.json(t, &c)
	if c.Status != "pending" {
		t.Errorf("status %q, want pending", c.Status)
	}
	wantStatus(t, s.api("GET", "/api/v1/comments/"+strconv.FormatInt(c.ID, 10), nil), http.StatusNotFound)
	if got, _ := s.store.DebateBySlug(context.Background(), "held"); got.CommentCount != 0 || held.ID != got.ID {
		t.Errorf("pending comment counted")
	}
}

func TestExpertProfilePageAndAPI(t *testing.T) {
	s := newSite(t, Config{})
	ctx := context.Background()
	d := s.debate("cars", parley.DebatePublished, false)
	draft := s.debate("secret", parley.DebatePublished, false)
	c := s.comment(d, 0, "Zofia", "Trams first.")
	e := &parley.Expert{Slug: "ines", Name: "Ines Okafor", Title: "Economist", Affiliation: "Institute", BioMD: "x",
		BioHTML: "<p>Studies <em>streets</em>.</p>", ContactEmail: "ines.private@example.org"}
	s.store.SaveExpert(ctx, e)
	q := &parley.Question{DebateID: d.ID, CommentID: c.ID}
	s.store.AddQuestion(ctx, q)
	s.store.AddAnswer(ctx, &parley.Answer{QuestionID: q.ID, ExpertID: e.ID, LeadIn: "What would she say?", BodyMD: "x", BodyHTML: "<p>Trams pay back.</p>", Status: parley.AnswerPublished})
	// An answer in a draft debate is not public yet.
	hidden := s.comment(draft, 0, "Hidden", "In a draft.")
	q2 := &parley.Question{DebateID: draft.ID, CommentID: hidden.ID}
	s.store.AddQuestion(ctx, q2)
	s.store.AddAnswer(ctx, &parley.Answer{QuestionID: q2.ID, ExpertID: e.ID, BodyMD: "x", BodyHTML: "<p>Not yet public.</p>", Status: parley.AnswerPublished})
	draft.Status, draft.PublishedAt = parley.DebateDraft, time.Time{}
	if _, err := s.store.SaveDebate(ctx, draft); err != nil {
		t.Fatal(err)
	}

	page := s.get("/experts/ines")
	wantStatus(t, page, http.StatusOK)
	wantContains(t, page.body, "Ines Okafor", "Economist, Institute", "Studies <em>streets</em>", "Trams pay back.", "Zofia", `href="/debates/cars"`)
	wantLacks(t, page.body, "ines.private", "Not yet public.")
	wantContains(t, s.get("/debates/cars").body, `href="/experts/ines"`)

	var p apiExpertProfile
	r := s.api("GET", "/api/v1/experts/ines", nil)
	wantStatus(t, r, http.StatusOK)
	r.json(t, &p)
	if p.Name != "Ines Okafor" || len(p.Answers) != 1 || p.Answers[0].Debate.Slug != "cars" || p.Answers[0].Comment.AuthorName != "Zofia" {
		t.Fatalf("got %+v", p)
	}
	wantLacks(t, r.body, "ines.private")
	wantStatus(t, s.get("/experts/nobody"), http.StatusNotFound)
	wantStatus(t, s.api("GET", "/api/v1/experts/nobody", nil), http.StatusNotFound)
}
