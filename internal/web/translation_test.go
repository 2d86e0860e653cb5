package web

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/i18n"
	"github.com/parley-org/parley/internal/translate"
)

// TestEditorsTranslateADebate: an editor adds a German translation of a
// debate, its framing lines and an answer; German readers read it, others
// the original, and both see links to every language; the comment section
// is the same.
func TestEditorsTranslateADebate(t *testing.T) {
	s := newSite(t, Config{})
	de := german(t)
	d := s.debate("rivers", parley.DebatePublished, false)
	d.Language = "en"
	if _, err := s.store.SaveDebate(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	ana := s.comment(d, 0, "Ana", "Clean rivers first.")
	answer := s.answered(d, ana, "Dr Ines Okafor", "Rivers need room.")
	other := s.debate("lakes", parley.DebatePublished, false)
	_, editor := s.account("Eda", parley.RoleEditor)
	base := "/admin/debates/" + strconv.FormatInt(d.ID, 10) + "/translations"

	// A failed save keeps what was typed and says what is wrong.
	r := s.postForm(editor, base, url.Values{"language": {"de"}, "title": {""}, "question": {"Warum?"}, "body": {"Ein Artikel."}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r.body, "Ein Artikel.", "A debate needs a title.")
	wantStatus(t, s.postForm(editor, base, url.Values{"language": {"xx"}, "title": {"T"}, "question": {"Q"}}), http.StatusUnprocessableEntity)

	for range 2 { // the home page, cached in German before the translation
		wantContains(t, s.getIn(newBrowser(), "/", "de").body, `<a href="/debates/rivers">Debate rivers</a>`)
	}
	r = s.postForm(editor, base, url.Values{"language": {"de"}, "title": {"Flüsse"}, "question": {"Was sollen wir tun?"}, "body": {"Ein *Artikel* über Flüsse."}})
	wantStatus(t, r, http.StatusSeeOther)
	r = s.getAs(editor, base+"?into=de")
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r.body, `value="Flüsse"`, "Ein *Artikel* über Flüsse.")

	// Twice: the second comes from the page cache, which the save emptied.
	for range 2 {
		wantContains(t, s.getIn(newBrowser(), "/", "de").body, `<h2 lang="de"><a href="/debates/rivers">Flüsse</a></h2>`)
		wantContains(t, s.getIn(newBrowser(), "/", "en").body, `<h2 lang="en"><a href="/debates/rivers">Debate rivers</a></h2>`)
	}
	// An answer's translation, saved from its own debate's page only.
	answerPath := "/answers/" + strconv.FormatInt(answer.ID, 10) + "/translations"
	translated := url.Values{"language": {"de"}, "body": {"Flüsse brauchen Raum."}}
	wantStatus(t, s.postForm(editor, "/admin/debates/"+strconv.FormatInt(other.ID, 10)+answerPath, translated), http.StatusNotFound)
	wantStatus(t, s.postForm(editor, "/admin/debates/"+strconv.FormatInt(d.ID, 10)+answerPath, translated), http.StatusSeeOther)
	german := s.getIn(newBrowser(), "/debates/rivers", "de")
	wantContains(t, german.body, `<h1 lang="de">Flüsse</h1>`, "<em>Artikel</em>", "Clean rivers first.",
		`<a href="/debates/rivers?lang=en" hreflang="en" lang="en">English</a>`, `<span aria-current="true" lang="de">Deutsch</span>`)
	wantContains(t, german.body, de.T("This debate in other languages"), "Flüsse brauchen Raum.")
	english := s.getIn(newBrowser(), "/debates/rivers", "en")
	wantContains(t, english.body, `<h1 lang="en">Debate rivers</h1>`, "Clean rivers first.", `hreflang="de" lang="de">Deutsch</a>`)
	wantLacks(t, english.body, "Flüsse")
	wantContains(t, english.body, "Rivers need room.")
	// A language without a translation reads the original, marked as such.
	french := s.getIn(newBrowser(), "/debates/rivers?lang=fr", "")
	wantContains(t, french.body, `<h1 lang="en">Debate rivers</h1>`)

	wantStatus(t, s.postForm(editor, base+"/de/delete", nil), http.StatusSeeOther)
	wantLacks(t, s.getIn(newBrowser(), "/debates/rivers", "de").body, "Flüsse")
}

// libreTranslate is a LibreTranslate server that answers in capitals and
// counts its calls; fail makes it answer 500.
type libreTranslate struct {
	calls atomic.Int64
	fail  atomic.Bool
	srv   *httptest.Server
}

func newLibreTranslate(t testing.TB) *libreTranslate {
	lt := &libreTranslate{}
	lt.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lt.calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		if lt.fail.Load() {
			w.WriteHeader(http.StatusInternalServerError)
			json.NewEncoder(w).Encode(map[string]string{"error": "down"})
			return
		}
		var req struct{ Q, Source, Target string }
		json.NewDecoder(r.Body).Decode(&req)
		json.NewEncoder(w).Encode(map[string]string{"translatedText": strings.ToUpper(req.Q) + " [" + req.Source + "→" + req.Target + "]"})
	}))
	t.Cleanup(lt.srv.Close)
	return lt
}

func (lt *libreTranslate) provider(t testing.TB) translate.Provider {
	p, err := translate.New("libretranslate", lt.srv.URL, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// spanishComment posts a Spanish comment, its language known.
func (s *site) spanishComment(d *parley.Debate, body string) *parley.Comment {
	s.t.Helper()
	c := s.comment(d, 0, "Lucía", body)
	if err := s.store.SetCommentLanguage(context.Background(), c.ID, "es"); err != nil {
		s.t.Fatal(err)
	}
	s.srv.Invalidate(d.ID)
	c.Language = "es"
	return c
}

// TestACommentIsTranslatedOnRequestOnly: page views show a link and never
// ask the provider; the link fetches the translation once, labelled, with
// the original beside it; an editor's translation replaces the machine's;
// a provider's failure and a spent budget leave the reader the original.
func TestACommentIsTranslatedOnRequestOnly(t *testing.T) {
	lt := newLibreTranslate(t)
	s := newSite(t, Config{Translator: lt.provider(t), TranslateBudget: 60})
	en := i18n.English()
	d := s.debate("water", parley.DebatePublished, false)
	c := s.spanishComment(d, "El agua es de todos.")
	link := "/comments/" + strconv.FormatInt(c.ID, 10) + "/translation?to=en"

	for range 3 {
		page := s.getIn(newBrowser(), "/debates/water", "en")
		wantContains(t, page.body, `<a class="translate" rel="nofollow" href="`+link+`"`, en.T("Translate from %s", "Spanish"), `<span class="comment-language">Spanish</span>`)
	}
	if n := lt.calls.Load(); n != 0 {
		t.Fatalf("page views called the provider %d times", n)
	}
	// In the comment's own language there is nothing to translate.
	wantLacks(t, s.getIn(newBrowser(), "/debates/water", "es").body, `class="translate"`)

	r := s.getIn(newBrowser(), link, "en")
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r.body, "EL AGUA ES DE TODOS. [es→en]", en.T("Machine translation from %s.", "Spanish"), "<details", "El agua es de todos.", en.T("Show the original"))
	if r.header.Get("X-Robots-Tag") != "noindex" {
		t.Error("a translation page may be indexed")
	}
	var got struct{ HTML, Label, Original, Problem string }
	r = s.getIn(newBrowser(), link+"&format=json", "en")
	r.json(t, &got)
	if !strings.Contains(got.HTML, "EL AGUA") || got.Label == "" || got.Original == "" || got.Problem != "" {
		t.Errorf("JSON %+v", got)
	}
	if n := lt.calls.Load(); n != 1 {
		t.Errorf("the provider was called %d times for one translation, want once", n)
	}

	// The editors' translation replaces the machine's for every reader.
	_, editor := s.account("Eda", parley.RoleEditor)
	wantStatus(t, s.postForm(editor, "/comments/"+strconv.FormatInt(c.ID, 10)+"/translation", url.Values{"to": {"en"}, "body": {""}}), http.StatusUnprocessableEntity)
	wantStatus(t, s.postForm(editor, "/comments/"+strconv.FormatInt(c.ID, 10)+"/translation", url.Values{"to": {"en"}, "body": {"Water belongs to everyone."}}), http.StatusSeeOther)
	r = s.getIn(newBrowser(), link, "en")
	wantContains(t, r.body, "Water belongs to everyone.", en.T("Translated from %s by the editors.", "Spanish"))
	wantLacks(t, r.body, "EL AGUA")

	// A provider's failure: the original and a word on it, never an error page.
	lt.fail.Store(true)
	failing := s.spanishComment(d, "No funciona.")
	r = s.getIn(newBrowser(), "/comments/"+strconv.FormatInt(failing.ID, 10)+"/translation?to=en", "en")
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r.body, "No funciona.", en.T("The translation service did not answer. Here is the original; please try again later."))

	// Past the day's budget (60 characters), the link says so and nothing is asked.
	lt.fail.Store(false)
	long := s.spanishComment(d, strings.Repeat("palabras ", 8))
	before := lt.calls.Load()
	r = s.getIn(newBrowser(), "/comments/"+strconv.FormatInt(long.ID, 10)+"/translation?to=en", "en")
	wantContains(t, r.body, html.EscapeString(en.T("Translation is unavailable today: this site's daily allowance is used up. Please try again tomorrow.")))
	if lt.calls.Load() != before {
		t.Error("the provider was asked past the budget")
	}
	wantContains(t, s.getIn(newBrowser(), "/debates/water?sort=newest", "en").body, en.T("Translation from %s is unavailable today", "Spanish"))
}

// TestApertiumTranslatesAComment translates through a real Apertium APy
// (Debian's apertium-apy with the Spanish–English pair, which .ci/apertium
// starts on loopback).
func TestApertiumTranslatesAComment(t *testing.T) {
	url := os.Getenv("PARLEY_APERTIUM_URL")
	if url == "" {
		if os.Getenv("PARLEY_REQUIRE_APERTIUM") == "1" {
			t.Fatal("PARLEY_REQUIRE_APERTIUM=1 but PARLEY_APERTIUM_URL is not set")
		}
		t.Skip("no Apertium APy: set PARLEY_APERTIUM_URL (bash .ci/apertium starts one)")
	}
	p, err := translate.New("apertium", url, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	s := newSite(t, Config{Translator: p, TranslateBudget: 10_000})
	d := s.debate("housing", parley.DebatePublished, false)
	c := s.spanishComment(d, "Los alquileres son demasiado caros para los jóvenes.")
	r := s.getIn(newBrowser(), "/comments/"+strconv.FormatInt(c.ID, 10)+"/translation?to=en", "en")
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r.body, i18n.English().T("Machine translation from %s.", "Spanish"))
	if !strings.Contains(strings.ToLower(r.body), "too expensive") && !strings.Contains(strings.ToLower(r.body), "young") {
		t.Errorf("no English translation on the page:\n%s", r.body)
	}
	// Into German, a pair this APy lacks: the original and a word on it.
	r = s.getIn(newBrowser(), "/comments/"+strconv.FormatInt(c.ID, 10)+"/translation?to=de", "en")
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r.body, "Los alquileres son demasiado caros")
}
