package web

import (
	"context"
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/store"
)

// parsedFeed is an Atom feed as a reader parses it.
type parsedFeed struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	Updated string   `xml:"updated"`
	Entries []struct {
		ID      string `xml:"id"`
		Updated string `xml:"updated"`
		Lang    string `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
	} `xml:"entry"`
}

func getFeed(t *testing.T, s *site, path string) (parsedFeed, string) {
	t.Helper()
	r := s.get(path)
	wantStatus(t, r, http.StatusOK)
	var f parsedFeed
	if err := xml.Unmarshal([]byte(r.body), &f); err != nil {
		t.Fatalf("%s does not parse: %v\n%s", path, err, r.body)
	}
	return f, r.body
}

// A feed reader skips a feed whose <updated> has not moved, so it must be
// at least the newest entry's <updated>.
func wantFeedUpdatedCoversEntries(t *testing.T, f parsedFeed) {
	t.Helper()
	feed, err := time.Parse(time.RFC3339, f.Updated)
	if err != nil {
		t.Fatalf("feed updated %q: %v", f.Updated, err)
	}
	for _, e := range f.Entries {
		at, err := time.Parse(time.RFC3339, e.Updated)
		if err != nil {
			t.Fatalf("entry %s updated %q: %v", e.ID, e.Updated, err)
		}
		if at.After(feed) {
			t.Errorf("feed updated %s is older than entry %s, updated %s", f.Updated, e.ID, e.Updated)
		}
	}
}

func TestAtomFeedUpdatedAndLanguage(t *testing.T) {
	s := newSite(t, Config{})
	ctx := context.Background()
	d := s.debate("cars", parley.DebatePublished, false)
	u, _ := s.account("Ana", parley.RoleParticipant)
	de, _, err := s.store.CreateComment(ctx, store.CreateComment{
		DebateID: d.ID, AuthorName: "Ana", AuthorEmail: u.Email, UserID: u.ID, AvatarKey: "a",
		BodyMD: "Autos raus.", BodyHTML: "<p>Autos raus.</p>", Language: "de", MaxDepth: 4,
	})
	if err != nil {
		t.Fatal(err)
	}
	unknown := s.comment(d, 0, "Ben", "No idea which language this is.")
	e := &parley.Expert{Slug: "x", Name: "Expert X", Title: "Professor"}
	if err := s.store.SaveExpert(ctx, e); err != nil {
		t.Fatal(err)
	}
	q := &parley.Question{DebateID: d.ID, CommentID: unknown.ID, FramingHTML: "<p>Is Ben right?</p>"}
	if err := s.store.AddQuestion(ctx, q); err != nil {
		t.Fatal(err)
	}
	// The answer is published after both comments were posted...
	s.clock.setAhead(2 * time.Minute)
	if err := s.store.AddAnswer(ctx, &parley.Answer{QuestionID: q.ID, ExpertID: e.ID, BodyMD: "x", BodyHTML: "<p>Yes.</p>", Status: parley.AnswerPublished}); err != nil {
		t.Fatal(err)
	}
	// ...and Ana's comment edited after that.
	s.clock.setAhead(10 * time.Minute)
	if _, err := s.store.EditComment(ctx, de.ID, u.ID, "Autos raus!", "<p>Autos raus!</p>", parley.CommentApproved, store.Screening{}); err != nil {
		t.Fatal(err)
	}
	s.srv.Invalidate(d.ID)

	f, body := getFeed(t, s, "/debates/cars/comments.atom")
	if len(f.Entries) != 3 {
		t.Fatalf("got %d entries, want 2 comments and an answer:\n%s", len(f.Entries), body)
	}
	wantFeedUpdatedCoversEntries(t, f)
	for _, e := range f.Entries {
		want := ""
		if strings.HasSuffix(e.ID, "#comment-"+strconv.FormatInt(de.ID, 10)) {
			want = "de"
		}
		if e.Lang != want {
			t.Errorf("entry %s: xml:lang %q, want %q", e.ID, e.Lang, want)
		}
	}
	// The attribute is XML's own, not a namespace the encoder made up.
	if !strings.Contains(body, `xml:lang="de"`) || strings.Contains(body, "xmlns:") {
		t.Errorf("want a plain xml:lang attribute:\n%s", body)
	}

	// The debates feed: an edit after publication moves the entry's updated.
	s.clock.setAhead(12 * time.Minute)
	d.Title = "Cars, again"
	if err := s.store.UpdateDebate(ctx, d); err != nil {
		t.Fatal(err)
	}
	s.srv.Invalidate(d.ID)
	f, _ = getFeed(t, s, "/feeds/debates.atom")
	if len(f.Entries) != 1 {
		t.Fatalf("debates feed has %d entries, want 1", len(f.Entries))
	}
	wantFeedUpdatedCoversEntries(t, f)
}
