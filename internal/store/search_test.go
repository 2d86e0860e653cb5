package store_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/store"
	"github.com/parley-org/parley/internal/store/storetest"
)

func say(t *testing.T, s *store.Store, d *parley.Debate, parent, user int64, name, body string, status parley.CommentStatus) *parley.Comment {
	t.Helper()
	c, _, err := s.CreateComment(context.Background(), store.CreateComment{
		DebateID: d.ID, ParentID: parent, UserID: user, AuthorName: name, AuthorEmail: strings.ToLower(name) + "@example.org",
		AvatarKey: "k", BodyMD: body, BodyHTML: "<p>" + body + "</p>", MaxDepth: 4, Status: status,
	})
	if err != nil {
		t.Fatalf("comment %q: %v", body, err)
	}
	return c
}

func found(t *testing.T, s *store.Store, q string) []int64 {
	t.Helper()
	hits, err := s.SearchComments(context.Background(), store.SearchTerms(q), 0, 50)
	if err != nil {
		t.Fatalf("search %q: %v", q, err)
	}
	var ids []int64
	for _, h := range hits {
		ids = append(ids, h.Comment.ID)
	}
	return ids
}

// TestSearchFollowsEveryChange: only comments readers can see are found,
// and the index follows posting, moderation, edits and deletions.
func TestSearchFollowsEveryChange(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t)
	d := newDebate(t, s, "trams", parley.DebatePublished)
	draft := newDebate(t, s, "secret", parley.DebatePublished)
	u := &parley.User{Email: "ed@example.org", Name: "Ed"}
	if err := s.CreateUser(ctx, u, ""); err != nil {
		t.Fatal(err)
	}

	shown := say(t, s, d, 0, 0, "Ana", "Trams are quieter than buses", parley.CommentApproved)
	held := say(t, s, d, 0, 0, "Bo", "Trams cost a fortune", parley.CommentPending)
	say(t, s, d, 0, 0, "Spammer", "Cheap trams tickets here", parley.CommentSpam)
	say(t, s, draft, 0, 0, "Cy", "Trams in the draft", parley.CommentApproved)
	draft.Status = parley.DebateDraft // unpublished since
	if _, err := s.SaveDebate(ctx, draft); err != nil {
		t.Fatal(err)
	}
	mine := say(t, s, d, 0, u.ID, "Ed", "Cyclists like wide lanes", parley.CommentApproved)
	reply := say(t, s, d, held.ID, 0, "Di", "Trams again, under a held comment", parley.CommentApproved)

	if got := found(t, s, "trams"); !slices.Equal(got, []int64{shown.ID}) {
		t.Errorf("trams: found %v, want only the approved comment %d of the public debate "+
			"(not pending, spam, a draft debate's, or a reply in a held thread)", got, shown.ID)
	}
	// A moderator approves: it is found, and so is the reply under it.
	if err := s.SetCommentStatus(ctx, held.ID, parley.CommentApproved); err != nil {
		t.Fatal(err)
	}
	if got := found(t, s, "trams"); len(got) != 3 || !slices.Contains(got, held.ID) || !slices.Contains(got, reply.ID) {
		t.Errorf("after approval: found %v, want %d, %d and %d", got, shown.ID, held.ID, reply.ID)
	}
	// Trashed: gone again.
	if err := s.SetCommentStatus(ctx, shown.ID, parley.CommentTrash); err != nil {
		t.Fatal(err)
	}
	if got := found(t, s, "quieter"); len(got) != 0 {
		t.Errorf("after trash: found %v, want nothing", got)
	}
	// Edited: the new words are found, the old ones are not.
	if _, err := s.EditComment(ctx, mine.ID, u.ID, "Pedestrians like wide pavements", "<p>Pedestrians like wide pavements</p>", "", store.Screening{}); err != nil {
		t.Fatal(err)
	}
	if got := found(t, s, "cyclists"); len(got) != 0 {
		t.Errorf("after the edit: the old text is still found: %v", got)
	}
	if got := found(t, s, "pavements"); !slices.Equal(got, []int64{mine.ID}) {
		t.Errorf("after the edit: found %v for the new text, want %d", got, mine.ID)
	}
	// Deleted by its author: gone.
	if err := s.DeleteComment(ctx, mine.ID, u.ID); err != nil {
		t.Fatal(err)
	}
	if got := found(t, s, "pavements"); len(got) != 0 {
		t.Errorf("after deletion: found %v", got)
	}
	// The debate goes back to draft: its comments are not found.
	d.Status = parley.DebateDraft
	if _, err := s.SaveDebate(ctx, d); err != nil {
		t.Fatal(err)
	}
	if got := found(t, s, "trams"); len(got) != 0 {
		t.Errorf("draft debate: found %v", got)
	}
}

func TestSearchDebatesAndTerms(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t)
	d := newDebate(t, s, "night-trains", parley.DebatePublished)
	d.Title, d.BodyMD = "Night trains across Europe", "Sleeper carriages are back, from Vienna to Brussels."
	if _, err := s.SaveDebate(ctx, d); err != nil {
		t.Fatal(err)
	}
	newDebate(t, s, "hidden-trains", parley.DebateDraft)
	for _, q := range []string{"sleeper", "Sleep", "VIENNA brussels", "night train", "carriages!!"} {
		list, err := s.SearchDebates(ctx, store.SearchTerms(q), 5)
		if err != nil || len(list) != 1 || list[0].ID != d.ID {
			t.Errorf("%q: %d debates, %v; want the published one", q, len(list), err)
		}
	}
	if list, _ := s.SearchDebates(ctx, store.SearchTerms("sleeper madrid"), 5); len(list) != 0 {
		t.Errorf("every word must be found: got %d debates", len(list))
	}
	// What readers type is never the database's query syntax.
	for _, q := range []string{`"`, `"unbalanced`, `trains AND`, `NEAR(trains`, `-trains`, `title:trains`, `*`, `trains*`, `(`, `'; DROP TABLE comments; --`,
		`a:* & !b`, `\`, "\x00", "  ", strings.Repeat("x", 5000), `OR OR OR`, `^trains`, `{title}: trains`} {
		if _, err := s.SearchDebates(ctx, store.SearchTerms(q), 5); err != nil {
			t.Errorf("debates %q: %v", q, err)
		}
		if _, err := s.SearchComments(ctx, store.SearchTerms(q), 0, 5); err != nil {
			t.Errorf("comments %q: %v", q, err)
		}
	}
	if got := store.SearchTerms(`Trams, trams & "Bus-lanes" ` + "a b c d e f g h i j"); len(got) != store.MaxSearchTerms || got[0] != "trams" || got[1] != "bus" || got[2] != "lanes" {
		t.Errorf("terms: %q", got)
	}
}

func TestSearchPages(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t)
	d := newDebate(t, s, "pages", parley.DebatePublished)
	for i := 0; i < 25; i++ {
		say(t, s, d, 0, 0, fmt.Sprintf("N%d", i), fmt.Sprintf("Bicycles number %d", i), parley.CommentApproved)
	}
	seen := map[int64]bool{}
	for page := 0; page < 3; page++ {
		hits, err := s.SearchComments(ctx, store.SearchTerms("bicycles"), page*10, 10)
		if err != nil {
			t.Fatal(err)
		}
		if want := min(10, 25-page*10); len(hits) != want {
			t.Errorf("page %d: %d hits, want %d", page, len(hits), want)
		}
		for _, h := range hits {
			if seen[h.Comment.ID] || h.DebateSlug != "pages" {
				t.Errorf("page %d: hit %d seen before or in debate %q", page, h.Comment.ID, h.DebateSlug)
			}
			seen[h.Comment.ID] = true
		}
	}
}

func TestRelatedDebates(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t)
	mk := func(slug string, status parley.DebateStatus, topics ...string) *parley.Debate {
		d := &parley.Debate{Slug: slug, Title: slug, Question: "?", Status: status, Topics: topics}
		if _, err := s.SaveDebate(ctx, d); err != nil {
			t.Fatal(err)
		}
		return d
	}
	d := mk("main", parley.DebatePublished, "cities", "transport", "climate")
	mk("two", parley.DebatePublished, "cities", "transport")
	mk("one", parley.DebateClosed, "climate")
	mk("draft", parley.DebateDraft, "cities", "transport", "climate")
	mk("none", parley.DebatePublished, "schools")
	list, err := s.RelatedDebates(ctx, d, 3)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range list {
		got = append(got, r.Slug)
	}
	if strings.Join(got, " ") != "two one" {
		t.Errorf("related: %q, want two (two topics shared), then one; no draft, no unrelated, not itself", got)
	}
}

// TestCopiedSiteIsSearchable: db copy moves tables, not search indexes; the
// destination's own index follows the rows as they arrive.
func TestCopiedSiteIsSearchable(t *testing.T) {
	ctx := context.Background()
	src, dst := storetest.Open(t), storetest.Open(t)
	d := newDebate(t, src, "copied", parley.DebatePublished)
	c := say(t, src, d, 0, 0, "Ana", "Funiculars deserve a debate of their own", parley.CommentApproved)
	if _, err := store.Copy(ctx, src, dst, nil); err != nil {
		t.Fatal(err)
	}
	if got := found(t, dst, "funiculars"); !slices.Equal(got, []int64{c.ID}) {
		t.Errorf("on the copy: found %v, want %d", got, c.ID)
	}
	if list, err := dst.SearchDebates(ctx, store.SearchTerms("copied"), 5); err != nil || len(list) != 1 {
		t.Errorf("debates on the copy: %d, %v", len(list), err)
	}
}
