package translate_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/store"
	"github.com/parley-org/parley/internal/store/storetest"
	"github.com/parley-org/parley/internal/translate"
)

// libreServer answers LibreTranslate's /translate by upper-casing, and
// counts the calls.
func libreServer(t *testing.T, calls *atomic.Int64, fail *atomic.Bool) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if fail.Load() {
			w.WriteHeader(http.StatusInternalServerError)
			json.NewEncoder(w).Encode(map[string]string{"error": "model crashed"})
			return
		}
		var req struct{ Q string }
		json.NewDecoder(r.Body).Decode(&req)
		json.NewEncoder(w).Encode(map[string]string{"translatedText": strings.ToUpper(req.Q)})
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestServiceCachesBudgetsAndPrefersTheEditors(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t)
	d := &parley.Debate{Slug: "d", Title: "T", Question: "Q", Status: parley.DebatePublished}
	if _, err := st.SaveDebate(ctx, d); err != nil {
		t.Fatal(err)
	}
	newComment := func(body string) *parley.Comment {
		c, _, err := st.CreateComment(ctx, store.CreateComment{DebateID: d.ID, AuthorName: "Ana", AuthorEmail: "ana@example.org",
			AvatarKey: "k", BodyMD: body, BodyHTML: "<p>" + body + "</p>", MaxDepth: 4, Language: "es"})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	var calls atomic.Int64
	var fail atomic.Bool
	p, err := translate.New("libretranslate", libreServer(t, &calls, &fail).URL, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	svc := &translate.Service{Provider: p, Store: st, Budget: 30, Render: func(md string) string { return "<p>" + md + "</p>" },
		Now: func() time.Time { return time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC) }}

	c := newComment("hola a todos") // 12 characters
	for range 3 {
		tr, err := svc.Translate(ctx, c, "en")
		if err != nil || tr.BodyHTML != "<p>HOLA A TODOS</p>" || tr.Provider != "libretranslate" {
			t.Fatalf("got %+v, %v", tr, err)
		}
	}
	if calls.Load() != 1 {
		t.Errorf("the provider was asked %d times for one comment and language, want once", calls.Load())
	}
	if _, err := svc.Cached(ctx, c.ID, "de"); parley.ErrorCode(err) != parley.ENOTFOUND {
		t.Errorf("Cached of an untranslated language: %v", err)
	}

	// 12 + 12 fit in 30; the third does not, and nothing is asked.
	if _, err := svc.Translate(ctx, newComment("buenos días!"), "en"); err != nil {
		t.Fatal(err)
	}
	if svc.Spent() {
		t.Error("Spent before the budget ran out")
	}
	if _, err := svc.Translate(ctx, newComment("otra opinión"), "en"); !errors.Is(err, translate.ErrBudget) {
		t.Errorf("past the budget: %v, want ErrBudget", err)
	}
	if !svc.Spent() || calls.Load() != 2 {
		t.Errorf("Spent %v after %d calls; want true after 2", svc.Spent(), calls.Load())
	}

	// An editor's translation wins over the machine's, even past the budget.
	if err := st.SaveCommentTranslation(ctx, &parley.CommentTranslation{CommentID: c.ID, Language: "en", Provider: parley.HumanTranslation, BodyHTML: "<p>hello everyone</p>"}); err != nil {
		t.Fatal(err)
	}
	if tr, err := svc.Translate(ctx, c, "en"); err != nil || !tr.Human() {
		t.Errorf("got %+v, %v; want the editors' translation", tr, err)
	}

	// A provider's failure reaches the caller as unavailable.
	fail.Store(true)
	svc.Budget = 1000
	if _, err := svc.Translate(ctx, newComment("falla"), "en"); !errors.Is(err, translate.ErrUnavailable) {
		t.Errorf("provider error: %v, want ErrUnavailable", err)
	}

	off := &translate.Service{Store: st, Budget: 1000}
	if _, err := off.Translate(ctx, newComment("apagado"), "en"); !errors.Is(err, translate.ErrOff) {
		t.Errorf("no provider: %v, want ErrOff", err)
	}
}
