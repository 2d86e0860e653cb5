package store_test

import (
	"context"
	"testing"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/store"
	"github.com/parley-org/parley/internal/store/storetest"
)

func TestDebateTranslationsChangeTheDebatesPages(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t)
	d := newDebate(t, s, "translated", parley.DebatePublished)
	before, _ := s.DebateVersion(ctx, d.ID)
	tr := &parley.DebateTranslation{DebateID: d.ID, Language: "de", Title: "Titel", Question: "Warum?", BodyMD: "Text", BodyHTML: "<p>Text</p>"}
	if err := s.SaveDebateTranslation(ctx, tr); err != nil {
		t.Fatal(err)
	}
	tr.Title = "Neuer Titel"
	if err := s.SaveDebateTranslation(ctx, tr); err != nil {
		t.Fatal(err)
	}
	got, err := s.DebateTranslations(ctx, d.ID)
	if err != nil || len(got) != 1 || got[0].Title != "Neuer Titel" || got[0].BodyHTML != "<p>Text</p>" {
		t.Fatalf("translations %+v, %v; want the one German, updated", got, err)
	}
	if after, _ := s.DebateVersion(ctx, d.ID); after <= before {
		t.Errorf("version %d → %d: cached pages would not change", before, after)
	}
	if err := s.SaveDebateTranslation(ctx, &parley.DebateTranslation{DebateID: 999999, Language: "de", Title: "x", Question: "y"}); parley.ErrorCode(err) != parley.ENOTFOUND {
		t.Errorf("translation of a missing debate: %v", err)
	}
	if err := s.DeleteDebateTranslation(ctx, d.ID, "de"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.DebateTranslations(ctx, d.ID); len(got) != 0 {
		t.Errorf("deleted translation still there: %+v", got)
	}
}

func TestCommentTranslationsAreDroppedByAnEdit(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t)
	d := newDebate(t, s, "edited", parley.DebatePublished)
	u := &parley.User{Email: "writer@example.org", Name: "Writer"}
	if err := s.CreateUser(ctx, u, ""); err != nil {
		t.Fatal(err)
	}
	c, _, err := s.CreateComment(ctx, store.CreateComment{DebateID: d.ID, AuthorName: "Writer", AuthorEmail: u.Email, UserID: u.ID,
		AvatarKey: "k", BodyMD: "hola", BodyHTML: "<p>hola</p>", MaxDepth: 4, Language: "es"})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"apertium", parley.HumanTranslation} {
		if err := s.SaveCommentTranslation(ctx, &parley.CommentTranslation{CommentID: c.ID, Language: "en", Provider: p, BodyHTML: "<p>hello (" + p + ")</p>"}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.CommentTranslation(ctx, c.ID, "en", "apertium")
	if err != nil || !got.Human() {
		t.Fatalf("got %+v, %v; want the editors' translation first", got, err)
	}
	if _, err := s.EditComment(ctx, c.ID, u.ID, "adiós", "<p>adiós</p>", parley.CommentApproved, store.Screening{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CommentTranslation(ctx, c.ID, "en", "apertium"); parley.ErrorCode(err) != parley.ENOTFOUND {
		t.Errorf("after an edit: %v, want no translation", err)
	}
	if err := s.SetCommentLanguage(ctx, c.ID, "pt"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Comment(ctx, c.ID); got.Language != "pt" {
		t.Errorf("language %q after the correction, want pt", got.Language)
	}
}

func TestTranslationBudgetIsShared(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t)
	for i, want := range []bool{true, true, false} {
		ok, err := s.SpendTranslation(ctx, "2026-12-07", 400, 1000)
		if err != nil || ok != want {
			t.Errorf("spend %d: %v, %v; want %v", i, ok, err, want)
		}
	}
	if ok, _ := s.SpendTranslation(ctx, "2026-12-07", 200, 1000); !ok {
		t.Error("200 more fit within 1,000")
	}
	if ok, _ := s.SpendTranslation(ctx, "2026-12-08", 1001, 1000); ok {
		t.Error("a text longer than the budget was counted")
	}
	if n, _ := s.TranslationSpent(ctx, "2026-12-07"); n != 1000 {
		t.Errorf("spent %d, want 1000", n)
	}
}
