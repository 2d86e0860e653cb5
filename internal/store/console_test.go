package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/store"
	"github.com/parley-org/parley/internal/store/storetest"
)

// heard records the debates a store announces as changed.
func heard(s *store.Store) func() []int64 {
	var ids []int64
	s.OnChange(func(id int64) { ids = append(ids, id) })
	return func() []int64 { got := ids; ids = nil; return got }
}

func TestConsoleCreateDebateRefusesATakenSlug(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t)
	d := &parley.Debate{Slug: "night-trains", Title: "Night trains", Question: "Would you?", Status: parley.DebateDraft, Topics: []string{"transport"}}
	if err := s.CreateDebate(ctx, d); err != nil {
		t.Fatal(err)
	}
	if d.ID == 0 || !d.PublishedAt.IsZero() {
		t.Errorf("draft: got id %d published %v, want an id and no publication", d.ID, d.PublishedAt)
	}
	again := &parley.Debate{Slug: "night-trains", Title: "Other", Question: "Q", Status: parley.DebateDraft}
	err := s.CreateDebate(ctx, again)
	if parley.ErrorCode(err) != parley.ECONFLICT || parley.ErrorFields(err)["slug"] == "" {
		t.Fatalf("taken slug: got %v (fields %v), want conflict on slug", err, parley.ErrorFields(err))
	}
	got, err := s.DebateBySlug(ctx, "night-trains")
	if err != nil || got.Title != "Night trains" || !slices.Equal(got.Topics, []string{"transport"}) {
		t.Errorf("the first debate changed: %+v, %v", got, err)
	}
}

func TestConsoleUpdateDebateByIDMovesSlugAndStatus(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t)
	d := newDebate(t, s, "draft", parley.DebateDraft)
	newDebate(t, s, "taken", parley.DebatePublished)
	changes := heard(s)
	before, _ := s.DebateVersion(ctx, d.ID)

	d.Slug, d.Title, d.Status, d.Topics, d.AccountsOnly = "renamed", "Renamed", parley.DebatePublished, []string{"a", "b"}, true
	if err := s.UpdateDebate(ctx, d); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DebateBySlug(ctx, "draft"); parley.ErrorCode(err) != parley.ENOTFOUND {
		t.Errorf("old slug: got %v, want not found", err)
	}
	got, err := s.DebateBySlug(ctx, "renamed")
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != d.ID || got.Status != parley.DebatePublished || got.PublishedAt.IsZero() || !got.AccountsOnly ||
		!slices.Equal(got.Topics, []string{"a", "b"}) {
		t.Errorf("got %+v, want the same debate published under its new slug with its topics", got)
	}
	if got.Version <= before || !slices.Contains(changes(), d.ID) {
		t.Errorf("version %d (was %d), announced %v: the change was not noted", got.Version, before, changes())
	}

	// Closing and reopening keep the first publication time.
	published := got.PublishedAt
	got.Status = parley.DebateClosed
	if err := s.UpdateDebate(ctx, got); err != nil {
		t.Fatal(err)
	}
	got.Status = parley.DebatePublished
	if err := s.UpdateDebate(ctx, got); err != nil {
		t.Fatal(err)
	}
	if again, _ := s.DebateByID(ctx, d.ID); !again.PublishedAt.Equal(published) {
		t.Errorf("reopened: published at %v, want %v", again.PublishedAt, published)
	}

	got.Slug = "taken"
	if err := s.UpdateDebate(ctx, got); parley.ErrorCode(err) != parley.ECONFLICT || parley.ErrorFields(err)["slug"] == "" {
		t.Errorf("taken slug: got %v, want conflict on slug", err)
	}
	if err := s.UpdateDebate(ctx, &parley.Debate{ID: 9999, Slug: "x", Title: "T", Question: "Q", Status: parley.DebateDraft}); parley.ErrorCode(err) != parley.ENOTFOUND {
		t.Errorf("missing debate: got %v, want not found", err)
	}
}

func TestConsoleScheduledDraftPublishesWhenDue(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t)
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return now }
	d := newDebate(t, s, "later", parley.DebateDraft)
	d.PublishAt = now.Add(time.Hour)
	if err := s.UpdateDebate(ctx, d); err != nil {
		t.Fatal(err)
	}
	if n, err := s.PublishDue(ctx); n != 0 || err != nil {
		t.Fatalf("before its time: published %d, %v; want 0", n, err)
	}
	now = now.Add(2 * time.Hour)
	if n, err := s.PublishDue(ctx); n != 1 || err != nil {
		t.Fatalf("when due: published %d, %v; want 1", n, err)
	}
	got, _ := s.DebateByID(ctx, d.ID)
	if got.Status != parley.DebatePublished || !got.PublishedAt.Equal(d.PublishAt) || !got.PublishAt.IsZero() {
		t.Errorf("got status %s published %v schedule %v, want published at %v with no schedule left", got.Status, got.PublishedAt, got.PublishAt, d.PublishAt)
	}

	// Publishing by hand drops a schedule.
	d2 := newDebate(t, s, "now", parley.DebateDraft)
	d2.PublishAt = now.Add(time.Hour)
	d2.Status = parley.DebatePublished
	if err := s.UpdateDebate(ctx, d2); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.DebateByID(ctx, d2.ID); !got.PublishAt.IsZero() || !got.PublishedAt.Equal(now) {
		t.Errorf("published by hand: schedule %v published %v, want none and %v", got.PublishAt, got.PublishedAt, now)
	}
}

func TestConsoleQuestionsMoveAndRemove(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t)
	d := newDebate(t, s, "cars", parley.DebatePublished)
	var qs []int64
	for _, name := range []string{"Ana", "Ben", "Cem"} {
		c := post(t, s, d.ID, 0, name)
		pos, err := s.NextQuestionPosition(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		q := &parley.Question{DebateID: d.ID, CommentID: c.ID, Position: pos, FramingMD: name, FramingHTML: "<p>" + name + "</p>"}
		if err := s.AddQuestion(ctx, q); err != nil {
			t.Fatal(err)
		}
		qs = append(qs, q.ID)
	}
	order := func() []string {
		t.Helper()
		list, err := s.Questions(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, q := range list {
			names = append(names, q.FramingMD)
		}
		return names
	}
	if got := order(); !slices.Equal(got, []string{"Ana", "Ben", "Cem"}) {
		t.Fatalf("order %v, want the order added", got)
	}
	changes := heard(s)
	if err := s.MoveQuestion(ctx, d.ID, qs[2], -1); err != nil {
		t.Fatal(err)
	}
	if got := order(); !slices.Equal(got, []string{"Ana", "Cem", "Ben"}) {
		t.Errorf("after moving Cem up: %v", got)
	}
	if !slices.Contains(changes(), d.ID) {
		t.Error("moving did not announce the debate's change")
	}
	// Moving past either end changes nothing.
	if err := s.MoveQuestion(ctx, d.ID, qs[0], -1); err != nil {
		t.Fatal(err)
	}
	if err := s.MoveQuestion(ctx, d.ID, qs[1], 1); err != nil {
		t.Fatal(err)
	}
	if got := order(); !slices.Equal(got, []string{"Ana", "Cem", "Ben"}) {
		t.Errorf("after moves past the ends: %v", got)
	}
	if err := s.RemoveQuestion(ctx, d.ID, qs[0]); err != nil {
		t.Fatal(err)
	}
	if got := order(); !slices.Equal(got, []string{"Cem", "Ben"}) {
		t.Errorf("after removing Ana: %v", got)
	}
	if err := s.RemoveQuestion(ctx, d.ID, qs[0]); parley.ErrorCode(err) != parley.ENOTFOUND {
		t.Errorf("removing twice: got %v, want not found", err)
	}
	other := newDebate(t, s, "other", parley.DebatePublished)
	if err := s.MoveQuestion(ctx, other.ID, qs[1], 1); parley.ErrorCode(err) != parley.ENOTFOUND {
		t.Errorf("moving through another debate: got %v, want not found", err)
	}
}

func TestConsoleExpertsCreateUpdateList(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t)
	e := &parley.Expert{Slug: "ines", Name: "Ines Okafor", ContactEmail: "ines@example.org"}
	if err := s.CreateExpert(ctx, e); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateExpert(ctx, &parley.Expert{Slug: "ines", Name: "Someone else"}); parley.ErrorFields(err)["slug"] == "" {
		t.Errorf("taken slug: got %v, want conflict on slug", err)
	}
	if err := s.CreateExpert(ctx, &parley.Expert{Slug: "adam", Name: "Adam Berg"}); err != nil {
		t.Fatal(err)
	}
	changes := heard(s)
	e.Name, e.Slug, e.Title = "Dr Ines Okafor", "okafor", "Economist"
	if err := s.UpdateExpert(ctx, e); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(changes(), store.AllDebates) {
		t.Error("updating an expert did not announce a change to every debate")
	}
	got, err := s.ExpertByID(ctx, e.ID)
	if err != nil || got.Slug != "okafor" || got.Title != "Economist" || got.ContactEmail != "ines@example.org" {
		t.Errorf("got %+v, %v", got, err)
	}
	list, err := s.Experts(ctx)
	if err != nil || len(list) != 2 || list[0].Name != "Adam Berg" {
		t.Errorf("list: %v, %v; want two, by name", list, err)
	}
	if err := s.UpdateExpert(ctx, &parley.Expert{ID: e.ID, Slug: "adam", Name: "X"}); parley.ErrorFields(err)["slug"] == "" {
		t.Errorf("update to a taken slug: got %v, want conflict on slug", err)
	}
	if _, err := s.ExpertByID(ctx, 9999); parley.ErrorCode(err) != parley.ENOTFOUND {
		t.Errorf("missing expert: got %v", err)
	}
}

func TestConsolePartnersCreateUpdateDelete(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t)
	p := &parley.Partner{Slug: "radio", Name: "City Radio", URL: "https://radio.example.org"}
	if err := s.CreatePartner(ctx, p); err != nil {
		t.Fatal(err)
	}
	if err := s.CreatePartner(ctx, &parley.Partner{Slug: "radio", Name: "Other"}); parley.ErrorFields(err)["slug"] == "" {
		t.Errorf("taken slug: got %v, want conflict on slug", err)
	}
	p.Name, p.LogoURL = "City Radio FM", "/media/0123456789abcdef0123456789abcdef.png"
	if err := s.UpdatePartner(ctx, p); err != nil {
		t.Fatal(err)
	}
	got, err := s.PartnerByID(ctx, p.ID)
	if err != nil || got.Name != "City Radio FM" || got.LogoURL != p.LogoURL || got.URL != p.URL {
		t.Errorf("got %+v, %v", got, err)
	}
	if err := s.DeletePartner(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	if list, err := s.Partners(ctx); len(list) != 0 || err != nil {
		t.Errorf("after delete: %v, %v", list, err)
	}
	if err := s.DeletePartner(ctx, p.ID); parley.ErrorCode(err) != parley.ENOTFOUND {
		t.Errorf("deleting twice: got %v, want not found", err)
	}
	if err := s.UpdatePartner(ctx, p); parley.ErrorCode(err) != parley.ENOTFOUND {
		t.Errorf("updating a deleted partner: got %v, want not found", err)
	}
}

func TestConsoleUploadsNewestFirst(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t)
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return now }
	u := &parley.User{Email: "ed@example.org", Name: "Ed", Role: parley.RoleEditor}
	if err := s.CreateUser(ctx, u, ""); err != nil {
		t.Fatal(err)
	}
	a := &parley.Upload{Name: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.png", ContentType: "image/png", Bytes: 10, Width: 4, Height: 3, Credit: "Photo: A", UserID: u.ID}
	b := &parley.Upload{Name: "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.jpg", ContentType: "image/jpeg", Bytes: 20, Width: 8, Height: 6, Credit: "Photo: B"}
	for _, up := range []*parley.Upload{a, b} {
		if err := s.SaveUpload(ctx, up); err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Minute)
	}
	list, err := s.Uploads(ctx, 10)
	if err != nil || len(list) != 2 || list[0].Name != b.Name {
		t.Fatalf("list %v, %v: want b first", list, err)
	}
	// The same file again takes the new credit and comes first.
	a.Credit = "Photo: A. Lens"
	if err := s.SaveUpload(ctx, a); err != nil {
		t.Fatal(err)
	}
	list, _ = s.Uploads(ctx, 10)
	if len(list) != 2 || list[0].Name != a.Name || list[0].Credit != "Photo: A. Lens" || list[0].UserID != u.ID || list[0].Width != 4 {
		t.Errorf("after uploading a again: %+v", list[0])
	}
	if got, err := s.Upload(ctx, b.Name); err != nil || got.Credit != "Photo: B" || got.UserID != 0 {
		t.Errorf("upload b: %+v, %v", got, err)
	}
	if _, err := s.Upload(ctx, "nope.png"); parley.ErrorCode(err) != parley.ENOTFOUND {
		t.Errorf("missing upload: got %v", err)
	}
}
