package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/i18n"
	"github.com/parley-org/parley/internal/langid"
	"github.com/parley-org/parley/internal/translate"
)

// Comments in another language than the reader's carry a link to their
// translation: machine-made on demand (when the operator chose a provider)
// and cached, or the editors' own. Page views only ever read the cache.

// translationPage shows one comment's translation, with the original one
// click away; without JavaScript it is where the "Translate" link leads.
type translationPage struct {
	pageMeta
	Comment     *parley.Comment
	Translation *parley.CommentTranslation
	// From and To name the languages, To also by code.
	From, To, ToCode string
	// Back is the comment in its debate.
	Back string
	// Problem says why there is no translation ("" when there is one).
	Problem string
	// Editor may write the editors' translation; Form is theirs.
	Editor bool
	Form   humanTranslationForm
}

type humanTranslationForm struct {
	Body     string
	Problems map[string]string
}

// translationTarget is the language a comment is translated into: ?to=,
// else the reader's.
func translationTarget(r *http.Request) *i18n.Lang {
	if l := i18n.Get(r.URL.Query().Get("to")); l != nil {
		return l
	}
	return lang(r)
}

// translatableComment returns the published comment a translation is asked for.
func (s *Server) translatableComment(r *http.Request) (*parley.Comment, string, error) {
	c, err := s.visibleComment(r, pathID(r, "id"))
	if err != nil {
		return nil, "", err
	}
	if c.Status != parley.CommentApproved || !c.DeletedAt.IsZero() {
		return nil, "", parley.Errorf(parley.ENOTFOUND, "There is no such comment. It may have been removed.")
	}
	back, err := s.commentLocation(r, c)
	return c, back, err
}

// handleCommentTranslation answers GET /comments/{id}/translation: the
// translation page, or, for the page's script (?format=json), the
// translation's HTML and label.
func (s *Server) handleCommentTranslation(w http.ResponseWriter, r *http.Request) {
	c, back, err := s.translatableComment(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	l, to := lang(r), translationTarget(r)
	p := translationPage{pageMeta: s.meta(r, l.T("Translation of a comment by %s", c.AuthorName)), Comment: c,
		From: l.LanguageName(c.Language), To: l.LanguageName(to.Code), ToCode: to.Code, Back: back,
		Editor: currentUser(r).Can(parley.RoleEditor)}
	switch {
	case c.Language == "" || c.Language == to.Code:
		p.Problem = l.T("This comment is already in %s.", p.To)
	default:
		p.Translation, p.Problem = s.commentTranslation(r, c, to.Code)
	}
	w.Header().Set("X-Robots-Tag", "noindex")
	if r.URL.Query().Get("format") == "json" {
		s.translationJSON(w, l, p)
		return
	}
	s.render(w, r, http.StatusOK, "comment_translation", p)
}

// commentTranslation fetches a translation, or says in the reader's
// language why there is none; the reader then reads the original.
func (s *Server) commentTranslation(r *http.Request, c *parley.Comment, to string) (*parley.CommentTranslation, string) {
	l := lang(r)
	if _, err := s.translator.Cached(r.Context(), c.ID, to); err != nil && s.translator.Provider != nil {
		// Only a call to the provider costs: those are limited per network.
		if ok, _ := s.translations.allow(s.clientNet(r), time.Now()); !ok {
			return nil, l.T("You asked for more translations than this site allows in a minute. Please wait a moment and try again.")
		}
	}
	t, err := s.translator.Translate(r.Context(), c, to)
	switch {
	case err == nil:
		return t, ""
	case errors.Is(err, translate.ErrOff):
		return nil, l.T("This site does not translate comments by machine.")
	case errors.Is(err, translate.ErrBudget), errors.Is(err, translate.ErrQuota):
		return nil, l.T("Translation is unavailable today: this site's daily allowance is used up. Please try again tomorrow.")
	case errors.Is(err, translate.ErrUnsupportedPair):
		return nil, l.T("The translation service cannot translate from %[1]s into %[2]s.", l.LanguageName(c.Language), l.LanguageName(to))
	default:
		s.log.Warn("translate comment", "comment", c.ID, "to", to, "err", err)
		return nil, l.T("The translation service did not answer. Here is the original; please try again later.")
	}
}

// translationLabel says who translated, in the reader's language.
func translationLabel(l *i18n.Lang, t *parley.CommentTranslation, from string) string {
	if t.Human() {
		return l.T("Translated from %s by the editors.", from)
	}
	return l.T("Machine translation from %s.", from)
}

func (s *Server) translationJSON(w http.ResponseWriter, l *i18n.Lang, p translationPage) {
	out := struct {
		HTML     string `json:"html,omitempty"`
		Label    string `json:"label,omitempty"`
		Original string `json:"original"`
		Problem  string `json:"problem,omitempty"`
	}{Problem: p.Problem, Original: l.T("Show the original")}
	if t := p.Translation; t != nil {
		out.HTML, out.Label = t.BodyHTML, translationLabel(l, t, p.From)
	}
	writeJSON(w, http.StatusOK, out)
}

// handleHumanTranslation saves an editor's translation of a comment, which
// readers then get instead of the machine's.
func (s *Server) handleHumanTranslation(w http.ResponseWriter, r *http.Request) {
	c, back, err := s.translatableComment(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	l := lang(r)
	to := i18n.Get(r.PostFormValue("to"))
	body := r.PostFormValue("body")
	if to == nil || body == "" || len(body) > s.cfg.MaxCommentLen*2 {
		p := translationPage{pageMeta: s.meta(r, l.T("Translation of a comment by %s", c.AuthorName)), Comment: c,
			From: l.LanguageName(c.Language), Back: back, Editor: true,
			Form: humanTranslationForm{Body: body, Problems: map[string]string{"body": l.T("Please write the translation, at most twice as long as the comment.")}}}
		if to != nil {
			p.To, p.ToCode = l.LanguageName(to.Code), to.Code
		}
		s.render(w, r, http.StatusUnprocessableEntity, "comment_translation", p)
		return
	}
	t := &parley.CommentTranslation{CommentID: c.ID, Language: to.Code, Provider: parley.HumanTranslation, BodyHTML: s.comments.Render(body)}
	if err := s.store.SaveCommentTranslation(r.Context(), t); err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/comments/"+strconv.FormatInt(c.ID, 10)+"/translation?to="+url.QueryEscape(to.Code)+"&saved=1", http.StatusSeeOther)
}

// translateText is the text of the "Translate from German" link under a
// comment in language from, for a reader of l, or "" when there is nothing
// to offer: no provider, and no translation by the editors (human).
func (s *Server) translateText(l *i18n.Lang, from string, human bool) string {
	switch {
	case from == "" || from == l.Code || s.translator.Provider == nil && !human:
		return ""
	case !human && s.translator.Spent():
		return l.T("Translation from %s is unavailable today", l.LanguageName(from))
	}
	return l.T("Translate from %s", l.LanguageName(from))
}

// adminTranslationsPage is where editors translate a debate, its framing
// lines and its published answers into one language at a time.
type adminTranslationsPage struct {
	consoleMeta
	Debate       *parley.Debate
	Questions    []*parley.Question
	Translations []*parley.DebateTranslation
	// Into is the language being edited (nil: none chosen); Form its fields.
	Into    *i18n.Lang
	Form    debateTranslationForm
	Answers map[int64]*parley.AnswerTranslation
	// AnswerForm is an answer's form after a failed post.
	AnswerForm answerTranslationForm
}

type debateTranslationForm struct {
	formState
	Title, Question, Body, ImageCredit string
	Framing                            map[int64]string
}

type answerTranslationForm struct {
	formState
	AnswerID     int64
	LeadIn, Body string
}

func (s *Server) handleAdminTranslations(w http.ResponseWriter, r *http.Request) {
	d, err := s.adminDebate(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	into := i18n.Get(r.URL.Query().Get("into"))
	s.renderTranslations(w, r, d, into, nil, nil, http.StatusOK)
}

// renderTranslations renders the page; form and answerForm, when set, are
// what a failed post typed.
func (s *Server) renderTranslations(w http.ResponseWriter, r *http.Request, d *parley.Debate, into *i18n.Lang, form *debateTranslationForm, answerForm *answerTranslationForm, code int) {
	ctx := r.Context()
	l := lang(r)
	questions, err := s.store.Questions(ctx, d.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	translations, err := s.store.DebateTranslations(ctx, d.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	answers, err := s.store.AnswerTranslations(ctx, d.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := adminTranslationsPage{consoleMeta: s.console(r, "debates", l.T("Translations of “%s”", d.Title)), Debate: d,
		Questions: questions, Translations: translations, Into: into, Answers: map[int64]*parley.AnswerTranslation{}}
	if into != nil {
		p.Form.Framing = map[int64]string{}
		for _, t := range translations {
			if t.Language == into.Code {
				p.Form = debateTranslationForm{Title: t.Title, Question: t.Question, Body: t.BodyMD, ImageCredit: t.ImageCredit, Framing: t.Framing}
			}
		}
		for id, byLang := range answers {
			if t := byLang[into.Code]; t != nil {
				p.Answers[id] = t
			}
		}
	}
	if form != nil {
		p.Form = *form
	}
	if answerForm != nil {
		p.AnswerForm = *answerForm
	}
	s.render(w, r, code, "admin_translations", p)
}

func translationsURL(d *parley.Debate, into string) string {
	return "/admin/debates/" + strconv.FormatInt(d.ID, 10) + "/translations?into=" + url.QueryEscape(into) + "&saved=1"
}

func (s *Server) handleAdminSaveTranslation(w http.ResponseWriter, r *http.Request) {
	d, err := s.adminDebate(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f := debateTranslationForm{Title: r.PostFormValue("title"), Question: r.PostFormValue("question"),
		Body: r.PostFormValue("body"), ImageCredit: r.PostFormValue("image_credit"), Framing: map[int64]string{}}
	t := &parley.DebateTranslation{DebateID: d.ID, Language: r.PostFormValue("language"), Title: f.Title, Question: f.Question,
		BodyMD: f.Body, ImageCredit: f.ImageCredit, Framing: map[int64]string{}, FramingHTML: map[int64]string{}}
	for key := range r.PostForm {
		qid, ok := strings.CutPrefix(key, "framing-")
		id, err := strconv.ParseInt(qid, 10, 64)
		if v := r.PostForm.Get(key); ok && err == nil && v != "" {
			f.Framing[id], t.Framing[id], t.FramingHTML[id] = v, v, s.articles.Render(v)
		}
	}
	into := i18n.Get(t.Language)
	err = t.Normalize()
	if err == nil && into == nil {
		err = parley.Errorf(parley.EINVALID, "Choose one of the EU's languages.")
	}
	if err == nil {
		t.BodyHTML = s.articles.Render(t.BodyMD)
		err = s.store.SaveDebateTranslation(r.Context(), t)
	}
	if err != nil {
		code := s.formFailed(w, r, err, &f.formState, "title", "question", "body", "image_credit")
		s.renderTranslations(w, r, d, into, &f, nil, code)
		return
	}
	redirect(w, r, translationsURL(d, t.Language), http.StatusSeeOther)
}

func (s *Server) handleAdminDeleteTranslation(w http.ResponseWriter, r *http.Request) {
	d, err := s.adminDebate(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.store.DeleteDebateTranslation(r.Context(), d.ID, r.PathValue("lang")); err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/admin/debates/"+strconv.FormatInt(d.ID, 10)+"/translations?saved=1", http.StatusSeeOther)
}

func (s *Server) handleAdminSaveAnswerTranslation(w http.ResponseWriter, r *http.Request) {
	d, err := s.adminDebate(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f := answerTranslationForm{AnswerID: pathID(r, "aid"), LeadIn: r.PostFormValue("lead_in"), Body: r.PostFormValue("body")}
	t := &parley.AnswerTranslation{AnswerID: f.AnswerID, Language: r.PostFormValue("language"), LeadIn: f.LeadIn, BodyMD: f.Body}
	into := i18n.Get(t.Language)
	err = t.Normalize()
	if err == nil {
		t.BodyHTML = s.articles.Render(t.BodyMD)
		err = s.store.SaveAnswerTranslation(r.Context(), d.ID, t)
	}
	if err != nil {
		code := s.formFailed(w, r, err, &f.formState, "lead_in", "body")
		s.renderTranslations(w, r, d, into, nil, &f, code)
		return
	}
	redirect(w, r, translationsURL(d, t.Language)+"#answer-"+strconv.FormatInt(t.AnswerID, 10), http.StatusSeeOther)
}

// debateLanguage is one language a debate can be read in.
type debateLanguage struct {
	// Name is the language's name in itself, as language links name them.
	Code, Name, URL string
	// Current is the one shown; Original the one it was written in.
	Current, Original bool
}

// debateIn returns the debate as a reader of language l reads it: the
// editors' translation over the original (copies: the originals are shared
// by the caches), its framing lines and answers too, and every language
// the debate can be read in. Without translations it changes nothing.
func (s *Server) debateIn(ctx context.Context, d *parley.Debate, questions []*parley.Question, l *i18n.Lang) (*parley.Debate, []*parley.Question, []debateLanguage, error) {
	translations, err := s.store.DebateTranslations(ctx, d.ID)
	if err != nil || len(translations) == 0 {
		return d, questions, nil, err
	}
	base := "/debates/" + url.PathEscape(d.Slug) + "?lang="
	original := d.Language
	if original == "" {
		original = i18n.English().Code
	}
	langs := []debateLanguage{{Code: original, Name: i18n.Endonym(original), URL: base + original, Original: true, Current: original == l.Code}}
	var shown *parley.DebateTranslation
	for _, t := range translations {
		if t.Language == original {
			continue
		}
		langs = append(langs, debateLanguage{Code: t.Language, Name: i18n.Endonym(t.Language), URL: base + t.Language, Current: t.Language == l.Code})
		if t.Language == l.Code {
			shown = t
		}
	}
	if shown == nil {
		if !langs[0].Current {
			langs[0].Current = true // the original shows to readers of languages it is not in
		}
		return d, questions, langs, nil
	}
	answers, err := s.store.AnswerTranslations(ctx, d.ID)
	if err != nil {
		return nil, nil, nil, err
	}
	return shown.Over(d), shown.OverQuestions(questions, answers), langs, nil
}

// shownLanguage is the language a debate's text is shown in.
func shownLanguage(d *parley.Debate, languages []debateLanguage) string {
	for _, l := range languages {
		if l.Current {
			return l.Code
		}
	}
	return d.Language
}

// humanTranslated returns which of the page's comments in other languages
// the editors translated into the reader's: one read, none when all are in
// the reader's language.
func (s *Server) humanTranslated(ctx context.Context, l *i18n.Lang, comments []*parley.Comment) (map[int64]bool, error) {
	var ids []int64
	for _, c := range comments {
		if c.Language != "" && c.Language != l.Code && c.Status == parley.CommentApproved {
			ids = append(ids, c.ID)
		}
	}
	return s.store.HumanTranslated(ctx, ids, l.Code)
}

// handleCommentLanguage lets a moderator correct the language detected for
// a comment (or say it is unknown).
func (s *Server) handleCommentLanguage(w http.ResponseWriter, r *http.Request) {
	code := r.PostFormValue("language")
	if code != "" && !slices.Contains(langid.Supported(), code) {
		s.fail(w, r, parley.Errorf(parley.EINVALID, "Parley does not speak this language."))
		return
	}
	id := pathID(r, "id")
	if err := s.store.SetCommentLanguage(r.Context(), id, code); err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, withNote(backTo(r), "done", lang(r).T("The comment's language is saved.")), http.StatusSeeOther)
}

// debatesIn gives a list of debates the titles and questions the editors
// translated into l (copies: the list may be shared), for cards and feeds.
func (s *Server) debatesIn(ctx context.Context, l *i18n.Lang, list []*parley.Debate) ([]*parley.Debate, error) {
	ids := make([]int64, 0, len(list))
	for _, d := range list {
		if d.Language != l.Code {
			ids = append(ids, d.ID)
		}
	}
	titles, err := s.store.DebateTitlesIn(ctx, ids, l.Code)
	if err != nil || len(titles) == 0 {
		return list, err
	}
	out := make([]*parley.Debate, len(list))
	for i, d := range list {
		out[i] = d
		if t := titles[d.ID]; t != nil {
			c := *d
			c.Title, c.Question, c.Language = t.Title, t.Question, t.Language
			out[i] = &c
		}
	}
	return out, nil
}
