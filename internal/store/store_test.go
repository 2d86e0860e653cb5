package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/store"
	"github.com/parley-org/parley/internal/store/storetest"
)

func newDebate(t testing.TB, s *store.Store, slug string, status parley.DebateStatus) *parley.Debate {
	t.Helper()
	d := &parley.Debate{Slug: slug, Title: "Title " + slug, Question: "Why?", Status: status, Topics: []string{"cities"}}
	if err := d.Validate(); err != nil {
		t.Fatalf("validate debate: %v", err)
	}
	if _, err := s.SaveDebate(context.Background(), d); err != nil {
		t.Fatalf("save debate: %v", err)
	}
	return d
}

func post(t testing.TB, s *store.Store, debateID, parentID int64, name string) *parley.Comment {
	t.Helper()
	c, created, err := s.CreateComment(context.Background(), store.CreateComment{
		DebateID: debateID, ParentID: parentID, AuthorName: name, AuthorEmail: strings.ToLower(name) + "@example.org",
		AvatarKey: "k", BodyMD: "hello from " + name, BodyHTML: "<p>hello from " + name + "</p>", MaxDepth: 4,
	})
	if err != nil {
		t.Fatalf("create comment by %s: %v", name, err)
	}
	if !created {
		t.Fatalf("create comment by %s: created = false, want true", name)
	}
	return c
}

func TestMigrateTwiceIsHarmless(t *testing.T) {
	s := storetest.Open(t)
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("second migrate: %v", err)
	}
}

func TestSaveDebateCreatesThenUpdates(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t)
	d := newDebate(t, s, "car-free", parley.DebatePublished)
	if d.ID == 0 || d.PublishedAt.IsZero() {
		t.Fatalf("got id %d published %v, want both set", d.ID, d.PublishedAt)
	}
	d.Title, d.Topics = "New title", []string{"transport", "cities"}
	created, err := s.SaveDebate(ctx, d)
	if err != nil || created {
		t.Fatalf("update: created=%v err=%v, want false, nil", created, err)
	}
	got, err := s.DebateBySlug(ctx, "car-free")
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != "New title" || strings.Join(got.Topics, ",") != "cities,transport" {
		t.Errorf("got %q %v, want New title [cities transport]", got.Title, got.Topics)
	}
	if _, err := s.DebateBySlug(ctx, "missing"); parley.ErrorCode(err) != parley.ENOTFOUND {
		t.Errorf("missing debate: got %v, want not found", err)
	}
}

func TestDebatesListsPublicNewestFirst(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t)
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, st := range []parley.DebateStatus{parley.DebatePublished, parley.DebateDraft, parley.DebateClosed, parley.DebatePublished} {
		d := &parley.Debate{Slug: fmt.Sprintf("d%d", i), Title: "T", Question: "Q", Status: st, PublishedAt: base.Add(time.Duration(i) * time.Hour)}
		if st == parley.DebateDraft {
			d.PublishedAt = time.Time{}
		}
		if _, err := s.SaveDebate(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	list, total, err := s.Debates(ctx, parley.DebateFilter{Public: true, Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if total != 3 || len(list) != 2 || list[0].Slug != "d3" || list[1].Slug != "d2" {
		t.Fatalf("got total %d, %d debates, want 3 total, d3 then d2", total, len(list))
	}
	list, _, _ = s.Debates(ctx, parley.DebateFilter{Public: true, Limit: 2, Offset: 2})
	if len(list) != 1 || list[0].Slug != "d0" {
		t.Fatalf("second page: got %d debates, want d0 only", len(list))
	}
}

func TestCreateCommentCountsApprovedOnly(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t)
	d := newDebate(t, s, "d", parley.DebatePublished)
	post(t, s, d.ID, 0, "Ana")
	d.HoldForReview = true
	if _, err := s.SaveDebate(ctx, d); err != nil {
		t.Fatal(err)
	}
	held := post(t, s, d.ID, 0, "Ben")
	if held.Status != parley.CommentPending {
		t.Fatalf("held comment status %q, want pending", held.Status)
	}
	got, _ := s.DebateBySlug(ctx, "d")
	if got.CommentCount != 1 {
		t.Fatalf("count %d, want 1 (pending not counted)", got.CommentCount)
	}
	if err := s.SetCommentStatus(ctx, held.ID, parley.CommentApproved); err != nil {
		t.Fatal(err)
	}
	if err := s.SetCommentStatus(ctx, held.ID, parley.CommentApproved); err != nil {
		t.Fatal(err)
	}
	got, _ = s.DebateBySlug(ctx, "d")
	if got.CommentCount != 2 {
		t.Fatalf("count after approve twice %d, want 2", got.CommentCount)
	}
	if err := s.SetCommentStatus(ctx, held.ID, parley.CommentSpam); err != nil {
		t.Fatal(err)
	}
	got, _ = s.DebateBySlug(ctx, "d")
	if got.CommentCount != 1 {
		t.Fatalf("count after spam %d, want 1", got.CommentCount)
	}
	if err := s.SetCommentStatus(ctx, held.ID, "bogus"); parley.ErrorCode(err) != parley.EINVALID {
		t.Errorf("bogus status: got %v, want invalid", err)
	}
}

func TestCreateCommentRefusesClosedAndDraft(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t)
	for st, want := range map[parley.DebateStatus]string{parley.DebateClosed: parley.ECLOSED, parley.DebateDraft: parley.ENOTFOUND} {
		d := newDebate(t, s, string(st), st)
		_, _, err := s.CreateComment(ctx, store.CreateComment{DebateID: d.ID, AuthorName: "A", AuthorEmail: "a@example.org", BodyMD: "x", BodyHTML: "x"})
		if parley.ErrorCode(err) != want {
			t.Errorf("%s debate: got %v, want %s", st, err, want)
		}
	}
	var n int
	if d, err := s.DebateBySlug(ctx, "closed"); err != nil || d.CommentCount != 0 {
		t.Errorf("closed debate count %d (%v), want 0", n, err)
	}
}

func TestSubmissionKeyMakesPostIdempotent(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t)
	d := newDebate(t, s, "d", parley.DebatePublished)
	p := store.CreateComment{DebateID: d.ID, AuthorName: "A", AuthorEmail: "a@example.org", BodyMD: "x", BodyHTML: "x", SubmissionKey: "abc"}
	first, created, err := s.CreateComment(ctx, p)
	if err != nil || !created {
		t.Fatalf("first: created=%v err=%v", created, err)
	}
	again, created, err := s.CreateComment(ctx, p)
	if err != nil || created || again.ID != first.ID {
		t.Fatalf("again: id %d created=%v err=%v, want id %d, false, nil", again.ID, created, err, first.ID)
	}
	got, _ := s.DebateBySlug(ctx, "d")
	if got.CommentCount != 1 {
		t.Fatalf("count %d, want 1", got.CommentCount)
	}
}

func TestRepliesNestToMaxDepthThenSitBeside(t *testing.T) {
	s := storetest.Open(t)
	d := newDebate(t, s, "d", parley.DebatePublished)
	a := post(t, s, d.ID, 0, "A")
	b := post(t, s, d.ID, a.ID, "B")
	c := post(t, s, d.ID, b.ID, "C")
	e := post(t, s, d.ID, c.ID, "E") // depth 3, the deepest of 4 levels
	f := post(t, s, d.ID, e.ID, "F") // would be depth 4: placed beside E
	for _, tc := range []struct {
		c                       *parley.Comment
		depth                   int
		parent, root, replyToID int64
	}{
		{a, 0, 0, a.ID, 0}, {b, 1, a.ID, a.ID, a.ID}, {c, 2, b.ID, a.ID, b.ID}, {e, 3, c.ID, a.ID, c.ID}, {f, 3, c.ID, a.ID, e.ID},
	} {
		if tc.c.Depth != tc.depth || tc.c.ParentID != tc.parent || tc.c.RootID != tc.root || tc.c.ReplyToID != tc.replyToID {
			t.Errorf("%s: got depth %d parent %d root %d replyTo %d, want %d %d %d %d", tc.c.AuthorName,
				tc.c.Depth, tc.c.ParentID, tc.c.RootID, tc.c.ReplyToID, tc.depth, tc.parent, tc.root, tc.replyToID)
		}
	}
	page, err := s.Threads(context.Background(), parley.CommentFilter{DebateID: d.ID})
	if err != nil {
		t.Fatal(err)
	}
	var fGot *parley.Comment
	for _, c := range page.Comments {
		if c.ID == f.ID {
			fGot = c
		}
	}
	if fGot == nil || fGot.ReplyToName != "E" {
		t.Fatalf("got %+v, want F in the page with ReplyToName E", fGot)
	}
}

func TestReplyToOtherDebateOrHiddenCommentIsRefused(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t)
	d1 := newDebate(t, s, "one", parley.DebatePublished)
	d2 := newDebate(t, s, "two", parley.DebatePublished)
	other := post(t, s, d2.ID, 0, "Other")
	trashed := post(t, s, d1.ID, 0, "Gone")
	if err := s.SetCommentStatus(ctx, trashed.ID, parley.CommentTrash); err != nil {
		t.Fatal(err)
	}
	for _, parent := range []int64{other.ID, trashed.ID, 99999} {
		_, _, err := s.CreateComment(ctx, store.CreateComment{DebateID: d1.ID, ParentID: parent, AuthorName: "A", AuthorEmail: "a@example.org", BodyMD: "x", BodyHTML: "x"})
		if parley.ErrorFields(err)["parent_id"] == "" {
			t.Errorf("reply to %d: got %v, want a parent_id problem", parent, err)
		}
	}
}

func TestThreadsPagesWholeThreadsByCursor(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t)
	d := newDebate(t, s, "d", parley.DebatePublished)
	other := newDebate(t, s, "other", parley.DebatePublished)
	var roots []int64
	for i := 0; i < 7; i++ {
		r := post(t, s, d.ID, 0, fmt.Sprintf("R%d", i))
		post(t, s, other.ID, 0, "Noise")
		roots = append(roots, r.ID)
		reply := post(t, s, d.ID, r.ID, fmt.Sprintf("R%d-reply", i))
		post(t, s, d.ID, reply.ID, fmt.Sprintf("R%d-reply-reply", i))
	}
	// A pending reply must not show.
	pending, _, err := s.CreateComment(ctx, store.CreateComment{DebateID: d.ID, ParentID: roots[0], AuthorName: "P", AuthorEmail: "p@example.org",
		BodyMD: "x", BodyHTML: "x", Status: parley.CommentPending})
	if err != nil {
		t.Fatal(err)
	}

	for _, newest := range []bool{false, true} {
		var seen []string
		var after int64
		pages := 0
		for {
			page, err := s.Threads(ctx, parley.CommentFilter{DebateID: d.ID, NewestFirst: newest, After: after, Limit: 3})
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, c := range page.Comments {
				if c.ID == pending.ID {
					t.Fatalf("pending comment listed")
				}
				if c.Depth == 0 {
					seen = append(seen, c.AuthorName)
				}
			}
			if len(page.Comments)%3 != 0 {
				t.Fatalf("page has %d comments, want whole threads of 3", len(page.Comments))
			}
			if page.Next == 0 {
				break
			}
			after = page.Next
		}
		want := "R0 R1 R2 R3 R4 R5 R6"
		if newest {
			want = "R6 R5 R4 R3 R2 R1 R0"
		}
		if got := strings.Join(seen, " "); got != want || pages != 3 {
			t.Errorf("newest=%v: got %q in %d pages, want %q in 3", newest, got, pages, want)
		}
	}
	mine, err := s.PendingComments(ctx, d.ID, []int64{pending.ID, roots[0]})
	if err != nil || len(mine) != 1 || mine[0].ID != pending.ID {
		t.Fatalf("pending comments: got %d (%v), want just the pending one", len(mine), err)
	}
}

func TestQuestionsCarryPublishedAnswersInOrder(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t)
	d := newDebate(t, s, "d", parley.DebatePublished)
	c := post(t, s, d.ID, 0, "Saoirse")
	e1 := &parley.Expert{Slug: "one", Name: "One"}
	e2 := &parley.Expert{Slug: "two", Name: "Two"}
	for _, e := range []*parley.Expert{e1, e2} {
		if err := s.SaveExpert(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	q := &parley.Question{DebateID: d.ID, CommentID: c.ID, FramingMD: "Is she right?"}
	if err := s.AddQuestion(ctx, q); err != nil {
		t.Fatal(err)
	}
	for i, a := range []*parley.Answer{
		{QuestionID: q.ID, ExpertID: e2.ID, BodyMD: "second", Position: 2, Status: parley.AnswerPublished},
		{QuestionID: q.ID, ExpertID: e1.ID, BodyMD: "first", Position: 1, Status: parley.AnswerPublished},
	} {
		if err := s.AddAnswer(ctx, a); err != nil {
			t.Fatalf("answer %d: %v", i, err)
		}
	}
	e3 := &parley.Expert{Slug: "three", Name: "Three"}
	s.SaveExpert(ctx, e3)
	s.AddAnswer(ctx, &parley.Answer{QuestionID: q.ID, ExpertID: e3.ID, BodyMD: "draft", Status: parley.AnswerDraft})

	qs, err := s.Questions(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(qs) != 1 || qs[0].Comment.AuthorName != "Saoirse" || len(qs[0].Answers) != 2 {
		t.Fatalf("got %d questions, want 1 with Saoirse's comment and 2 published answers", len(qs))
	}
	if qs[0].Answers[0].Expert.Name != "One" || qs[0].Answers[1].Expert.Name != "Two" || qs[0].Answers[0].CommentID != c.ID {
		t.Errorf("answers in wrong order or without comment: %s, %s", qs[0].Answers[0].Expert.Name, qs[0].Answers[1].Expert.Name)
	}
}

func TestSecretIsStable(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t)
	a, err := s.Secret(ctx, "cookies")
	if err != nil || len(a) != 32 {
		t.Fatalf("got %d bytes (%v), want 32", len(a), err)
	}
	b, _ := s.Secret(ctx, "cookies")
	c, _ := s.Secret(ctx, "links")
	if string(a) != string(b) || string(a) == string(c) {
		t.Errorf("secrets: same name must match, different names differ")
	}
}

func TestChangesAreAnnouncedAfterCommit(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t)
	var heard []int64
	s.OnChange(func(id int64) { heard = append(heard, id) })
	d := newDebate(t, s, "d", parley.DebatePublished) // announced
	c := post(t, s, d.ID, 0, "Ana")                   // announced
	if err := s.SetCommentStatus(ctx, c.ID, parley.CommentSpam); err != nil {
		t.Fatal(err)
	}
	if len(heard) != 3 {
		t.Fatalf("heard %v, want three changes to debate %d", heard, d.ID)
	}
	// Inside Atomically nothing is heard until the commit, and nothing at all on rollback.
	heard = nil
	s.Atomically(ctx, func(ctx context.Context) error {
		if _, _, err := s.CreateComment(ctx, store.CreateComment{DebateID: d.ID, AuthorName: "Ben", AuthorEmail: "b@example.org", BodyMD: "x", BodyHTML: "x"}); err != nil {
			t.Error(err)
		}
		if len(heard) != 0 {
			t.Errorf("heard %v before the commit", heard)
		}
		return nil
	})
	if len(heard) != 1 {
		t.Fatalf("after commit heard %v, want one change", heard)
	}
	heard = nil
	s.Atomically(ctx, func(ctx context.Context) error {
		s.CreateComment(ctx, store.CreateComment{DebateID: d.ID, AuthorName: "Cleo", AuthorEmail: "c@example.org", BodyMD: "y", BodyHTML: "y"})
		return fmt.Errorf("roll back")
	})
	if len(heard) != 0 {
		t.Fatalf("heard %v after a rollback", heard)
	}
	if got, _ := s.DebateBySlug(ctx, "d"); got.CommentCount != 1 {
		t.Errorf("count %d, want 1 (Ana is spam, Ben posted, Cleo rolled back)", got.CommentCount)
	}
}

func TestRemovedCommentReleasesItsSubmission(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t)
	d := newDebate(t, s, "d", parley.DebatePublished)
	p := store.CreateComment{DebateID: d.ID, AuthorName: "A", AuthorEmail: "a@example.org", BodyMD: "x", BodyHTML: "x", SubmissionKey: "k"}
	first, _, _ := s.CreateComment(ctx, p)
	s.SetCommentStatus(ctx, first.ID, parley.CommentTrash)
	again, created, err := s.CreateComment(ctx, p)
	if err != nil || !created || again.ID == first.ID {
		t.Fatalf("re-post after trash: created=%v err=%v, want a new comment", created, err)
	}
}

func TestEveryChangeMovesTheDebateVersion(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t)
	d := newDebate(t, s, "d", parley.DebatePublished)
	last, _ := s.DebateVersion(ctx, d.ID)
	moved := func(what string) {
		t.Helper()
		v, err := s.DebateVersion(ctx, d.ID)
		if err != nil || v <= last {
			t.Errorf("%s: version %d (%v), want more than %d", what, v, err, last)
		}
		last = v
	}
	c := post(t, s, d.ID, 0, "Ana")
	moved("a comment")
	s.SetCommentStatus(ctx, c.ID, parley.CommentPending)
	moved("a status change")
	s.SetCommentStatus(ctx, c.ID, parley.CommentApproved)
	moved("an approval")
	d.Title = "New"
	s.SaveDebate(ctx, d)
	moved("an edit")
	e := &parley.Expert{Slug: "e", Name: "E"}
	s.SaveExpert(ctx, e)
	q := &parley.Question{DebateID: d.ID, CommentID: c.ID}
	s.AddQuestion(ctx, q)
	moved("a featured comment")
	s.AddAnswer(ctx, &parley.Answer{QuestionID: q.ID, ExpertID: e.ID, BodyMD: "x", Status: parley.AnswerPublished})
	moved("an answer")
	if _, _, err := s.CreateComment(ctx, store.CreateComment{DebateID: d.ID, AuthorName: "P", AuthorEmail: "p@example.org", BodyMD: "x", BodyHTML: "x", Status: parley.CommentPending}); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.DebateVersion(ctx, d.ID); v != last {
		t.Errorf("a held comment changed what the debate's pages show")
	}
}
