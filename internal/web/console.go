package web

import (
	"context"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/parley-org/parley"
)

// The editors' console (/admin): debates and their featured comments here;
// the image library, experts, partners and API tokens in console_library.go.
// Its pages work without JavaScript; console.js adds the live preview.

const (
	consoleDebatesPerPage = 50
	// consoleImages is how many images of the library a picker offers.
	consoleImages = 200
)

// consoleMeta is what every console page has besides the layout's data.
type consoleMeta struct {
	pageMeta
	// Section is the console's part the page belongs to, for its navigation.
	Section string
	// Saved confirms the write that redirected here (?saved=1).
	Saved bool
}

func (s *Server) console(r *http.Request, section, title string) consoleMeta {
	return consoleMeta{pageMeta: s.meta(r, title), Section: section, Saved: r.URL.Query().Get("saved") == "1"}
}

// formState is what a console form shows after a failed post.
type formState struct {
	Problems map[string]string
	// Focus is the first field with a problem, in the order of the form.
	Focus string
	// Message is a problem with the whole form, such as a busy database.
	Message string
}

// formFailed puts the problems of a failed post on its form and returns the
// status to answer with. The form keeps what was typed; only internal errors
// are logged.
func (s *Server) formFailed(w http.ResponseWriter, r *http.Request, err error, f *formState, order ...string) int {
	code := status(err)
	if code >= 500 && code != http.StatusServiceUnavailable {
		s.log.Error("console request failed", "path", r.URL.Path, "err", err)
	}
	setRetryAfter(w, err)
	f.Problems = parley.ErrorFields(err)
	if len(f.Problems) == 0 {
		f.Message = parley.ErrorMessage(err)
	}
	for _, field := range order {
		if f.Problems[field] != "" {
			f.Focus = field
			break
		}
	}
	return code
}

// addProblems adds the per-field problems of a validation error to p.
func addProblems(p parley.Problems, err error) {
	for field, msg := range parley.ErrorFields(err) {
		p.Add(field, msg)
	}
}

// Debates.

type adminDebatesPage struct {
	consoleMeta
	Debates          []*parley.Debate
	Page, Pages      int
	PrevURL, NextURL string
}

func (s *Server) handleAdmin(w http.ResponseWriter, r *http.Request) {
	pageNo, _ := strconv.Atoi(r.URL.Query().Get("page"))
	pageNo = max(pageNo, 1)
	list, total, err := s.store.Debates(r.Context(), parley.DebateFilter{Offset: (pageNo - 1) * consoleDebatesPerPage, Limit: consoleDebatesPerPage})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := adminDebatesPage{consoleMeta: s.console(r, "debates", lang(r).T("Editors' console")), Debates: list, Page: pageNo,
		Pages: max(1, (total+consoleDebatesPerPage-1)/consoleDebatesPerPage)}
	if pageNo > 1 {
		p.PrevURL = "/admin?page=" + strconv.Itoa(pageNo-1)
	}
	if pageNo < p.Pages {
		p.NextURL = "/admin?page=" + strconv.Itoa(pageNo+1)
	}
	s.render(w, r, http.StatusOK, "admin_debates", p)
}

// debateFields are the debate editor's fields in their order on the page.
var debateFields = []string{"title", "slug", "question", "body", "topics", "image", "image_credit", "publish_at"}

// datetimeLocal is the format of an <input type="datetime-local">; the
// console's times are UTC.
const datetimeLocal = "2006-01-02T15:04"

// debateForm is the debate editor with what the editor typed.
type debateForm struct {
	Title, Slug, Question, Body, Topics, Image, ImageCredit string
	// Language is the one the debate is written in.
	Language                    string
	AccountsOnly, HoldForReview bool
	// PublishAt is a UTC time as a datetime-local input holds it.
	PublishAt string
	formState
}

func debateFormOf(d *parley.Debate) debateForm {
	f := debateForm{Title: d.Title, Slug: d.Slug, Question: d.Question, Body: d.BodyMD, Topics: strings.Join(d.Topics, ", "),
		Image: d.ImageURL, ImageCredit: d.ImageCredit, AccountsOnly: d.AccountsOnly, HoldForReview: d.HoldForReview, Language: d.Language}
	if !d.PublishAt.IsZero() {
		f.PublishAt = d.PublishAt.UTC().Format(datetimeLocal)
	}
	return f
}

func readDebateForm(v url.Values) debateForm {
	return debateForm{
		Title: v.Get("title"), Slug: strings.TrimSpace(v.Get("slug")), Question: v.Get("question"), Body: v.Get("body"),
		Topics: v.Get("topics"), Image: strings.TrimSpace(v.Get("image")), ImageCredit: v.Get("image_credit"),
		AccountsOnly: v.Get("commenters") == "accounts", HoldForReview: v.Get("hold_for_review") != "",
		PublishAt: strings.TrimSpace(v.Get("publish_at")), Language: v.Get("language"),
	}
}

// apply copies the form into d and carries out the button pressed: save
// (the status stays), publish, schedule, unschedule, close or reopen.
func (f *debateForm) apply(d *parley.Debate, action string, now time.Time) parley.Problems {
	d.Title, d.Slug, d.Question, d.BodyMD = f.Title, f.Slug, f.Question, f.Body
	d.ImageURL, d.ImageCredit, d.AccountsOnly, d.HoldForReview = f.Image, f.ImageCredit, f.AccountsOnly, f.HoldForReview
	d.Topics = splitTopics(f.Topics)
	d.Language = f.Language
	p := parley.Problems{}
	switch action {
	case "publish", "reopen":
		d.Status = parley.DebatePublished
	case "close":
		d.Status = parley.DebateClosed
	case "unschedule":
		d.Status, d.PublishAt = parley.DebateDraft, time.Time{}
	case "schedule":
		t, err := time.ParseInLocation(datetimeLocal, f.PublishAt, time.UTC)
		if err != nil {
			t, err = time.ParseInLocation(datetimeLocal+":05", f.PublishAt, time.UTC)
		}
		switch {
		case f.PublishAt == "":
			p.Add("publish_at", "Choose the date and time to publish at, in UTC.")
		case err != nil:
			p.Add("publish_at", "Give the date and time as YYYY-MM-DDTHH:MM, in UTC.")
		case scheduleProblem(t, now) != "":
			p.Add("publish_at", scheduleProblem(t, now))
		default:
			d.Status, d.PublishAt = parley.DebateDraft, t
		}
	}
	return p
}

// scheduleProblem says what is wrong with a publication time, if anything.
func scheduleProblem(t, now time.Time) string {
	if !t.After(now) {
		return "This time has passed. Choose a time in the future (UTC), or publish now."
	}
	return ""
}

func splitTopics(s string) []string {
	topics := []string{}
	for _, t := range strings.Split(s, ",") {
		if t = strings.TrimSpace(t); t != "" {
			topics = append(topics, t)
		}
	}
	return topics
}

// saveDebate validates d, adding to the problems found so far, and stores
// it: a new debate when d.ID is 0.
func (s *Server) saveDebate(ctx context.Context, d *parley.Debate, p parley.Problems) error {
	d.ImageCredit = s.libraryCredit(ctx, d.ImageURL, d.ImageCredit)
	addProblems(p, d.Validate())
	if err := p.Err(); err != nil {
		return err
	}
	d.BodyHTML = s.articles.Render(d.BodyMD)
	if d.ID == 0 {
		return s.store.CreateDebate(ctx, d)
	}
	return s.store.UpdateDebate(ctx, d)
}

// libraryCredit is the credit line to show with an image: the one typed, or
// else the one it was uploaded to the library with.
func (s *Server) libraryCredit(ctx context.Context, imageURL, credit string) string {
	name, ok := strings.CutPrefix(imageURL, "/media/")
	if strings.TrimSpace(credit) != "" || !ok {
		return credit
	}
	if u, err := s.store.Upload(ctx, name); err == nil {
		return u.Credit
	}
	return credit
}

type adminDebatePage struct {
	consoleMeta
	// Debate is the debate as stored; nil while creating one.
	Debate *parley.Debate
	// Action is where the editor's form posts.
	Action  string
	Form    debateForm
	Preview template.HTML
	Images  []*parley.Upload
	// OtherImage is the debate's image when it is not in the library (an
	// imported or outside address), so that saving keeps it.
	OtherImage string
	Questions  []*parley.Question
	Feature    featureForm
}

// renderDebateEditor renders the editor of d (nil: a new debate) with the
// form as typed.
func (s *Server) renderDebateEditor(w http.ResponseWriter, r *http.Request, d *parley.Debate, f debateForm, feature featureForm, code int) {
	ctx := r.Context()
	images, err := s.store.Uploads(ctx, consoleImages)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	title, action := lang(r).T("New debate"), "/admin/debates"
	var questions []*parley.Question
	if d != nil {
		title, action = lang(r).T("Edit “%s”", d.Title), "/admin/debates/"+strconv.FormatInt(d.ID, 10)
		if questions, err = s.store.Questions(ctx, d.ID); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	p := adminDebatePage{consoleMeta: s.console(r, "debates", title), Debate: d, Action: action, Form: f,
		Preview: template.HTML(s.articles.Render(f.Body)), Images: images, OtherImage: otherImage(f.Image, images),
		Questions: questions, Feature: feature}
	s.render(w, r, code, "admin_debate", p)
}

// otherImage returns url unless it is empty or one of the library's images.
func otherImage(url string, images []*parley.Upload) string {
	for _, u := range images {
		if u.URL() == url {
			return ""
		}
	}
	return url
}

func (s *Server) handleAdminNewDebate(w http.ResponseWriter, r *http.Request) {
	s.renderDebateEditor(w, r, nil, debateForm{}, featureForm{}, http.StatusOK)
}

func (s *Server) handleAdminCreateDebate(w http.ResponseWriter, r *http.Request) {
	s.postDebate(w, r, nil)
}

// adminDebate returns the debate named by the path, whatever its status.
func (s *Server) adminDebate(r *http.Request) (*parley.Debate, error) {
	return s.store.DebateByID(r.Context(), pathID(r, "id"))
}

func (s *Server) handleAdminDebate(w http.ResponseWriter, r *http.Request) {
	d, err := s.adminDebate(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderDebateEditor(w, r, d, debateFormOf(d), featureForm{}, http.StatusOK)
}

func (s *Server) handleAdminSaveDebate(w http.ResponseWriter, r *http.Request) {
	d, err := s.adminDebate(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.postDebate(w, r, d)
}

// postDebate saves the editor's form over the stored debate (nil: a new
// one), or shows the preview the editor asked for.
func (s *Server) postDebate(w http.ResponseWriter, r *http.Request, stored *parley.Debate) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, err)
		return
	}
	f := readDebateForm(r.PostForm)
	action := r.PostForm.Get("action")
	if action == "preview" {
		s.renderDebateEditor(w, r, stored, f, featureForm{}, http.StatusOK)
		return
	}
	d := &parley.Debate{Status: parley.DebateDraft}
	if stored != nil {
		edited := *stored
		d = &edited
	}
	if err := s.saveDebate(r.Context(), d, f.apply(d, action, time.Now())); err != nil {
		code := s.formFailed(w, r, err, &f.formState, debateFields...)
		s.renderDebateEditor(w, r, stored, f, featureForm{}, code)
		return
	}
	redirect(w, r, "/admin/debates/"+strconv.FormatInt(d.ID, 10)+"?saved=1", http.StatusSeeOther)
}

// handleAdminPreview renders an article's Markdown for the live preview, as
// the debate page will show it.
func (s *Server) handleAdminPreview(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	io.WriteString(w, s.articles.Render(r.PostForm.Get("body")))
}

// Featured comments.

// featureForm is the form that features a reader comment in the article.
type featureForm struct {
	// Comment is the comment's number or its address, as pasted.
	Comment string
	Framing string
	formState
}

// commentRef reads a comment's ID from what an editor pasted: the number,
// its permalink (/comments/ID) or its place in a debate (…#comment-ID).
// It returns 0 for anything else.
func commentRef(ref string) int64 {
	ref = strings.TrimSpace(ref)
	if u, err := url.Parse(ref); err == nil && ref != "" {
		if id, ok := strings.CutPrefix(u.Fragment, "comment-"); ok {
			ref = id
		} else if id, ok := strings.CutPrefix(strings.TrimSuffix(u.Path, "/"), "/comments/"); ok {
			ref = id
		}
	}
	id, err := strconv.ParseInt(ref, 10, 64)
	if err != nil || id <= 0 {
		return 0
	}
	return id
}

// maxFramingLen bounds a featured comment's framing line.
const maxFramingLen = 2000

// feature puts a reader comment of the debate in its article, last, with a
// framing line in Markdown.
func (s *Server) feature(ctx context.Context, d *parley.Debate, ref, framing string) (*parley.Question, error) {
	p := parley.Problems{}
	framing, ok := parley.CleanText(framing)
	switch {
	case !ok:
		p.Add("framing", "The framing line is not valid UTF-8 text.")
	case len(framing) > maxFramingLen:
		p.Add("framing", "The framing line is longer than 2,000 characters.")
	}
	id := commentRef(ref)
	if id == 0 {
		p.Add("comment", "Give the comment's number or paste its link (…/comments/123 or …#comment-123).")
	} else {
		c, err := s.store.Comment(ctx, id)
		switch {
		case parley.ErrorCode(err) == parley.ENOTFOUND:
			p.Add("comment", fmt.Sprintf("There is no comment number %s.", strconv.FormatInt(id, 10)))
		case err != nil:
			return nil, err
		case c.DebateID != d.ID:
			p.Add("comment", "This comment belongs to another debate.")
		case c.Status != parley.CommentApproved || !c.DeletedAt.IsZero():
			p.Add("comment", "Only a published comment can be featured; this one is held, removed or deleted.")
		}
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	pos, err := s.store.NextQuestionPosition(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	q := &parley.Question{DebateID: d.ID, CommentID: id, Position: pos, FramingMD: framing, FramingHTML: s.articles.Render(framing)}
	if err := s.store.AddQuestion(ctx, q); err != nil {
		if parley.ErrorCode(err) == parley.ECONFLICT {
			const msg = "This comment is already featured in this debate."
			return nil, &parley.Error{Code: parley.ECONFLICT, Message: msg, Fields: map[string]string{"comment": msg}}
		}
		return nil, err
	}
	return q, nil
}

func (s *Server) handleAdminFeature(w http.ResponseWriter, r *http.Request) {
	d, err := s.adminDebate(r)
	if err == nil {
		err = r.ParseForm()
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f := featureForm{Comment: r.PostForm.Get("comment"), Framing: r.PostForm.Get("framing")}
	q, err := s.feature(r.Context(), d, f.Comment, f.Framing)
	if r.PostForm.Get("next") == "board" {
		// Picked on the editors' board: back to it, with the outcome.
		// The note and the problem are in the reader's language already: the
		// problem is several sentences, which no catalogue holds together.
		l := lang(r)
		if err != nil {
			// The pick form again, with the framing line typed and the problem.
			problem := []string{l.Message(parley.ErrorMessage(err))}
			for _, m := range fieldMessages(err) {
				problem = append(problem, l.Message(m))
			}
			u := s.boardURL(d.ID, "", strings.Join(problem, " "), "")
			sep := "?"
			if strings.Contains(u, "?") {
				sep = "&"
			}
			redirect(w, r, u+sep+url.Values{"pick": {f.Comment}, "framing": {f.Framing}}.Encode(), http.StatusSeeOther)
			return
		}
		redirect(w, r, s.boardURL(d.ID, l.T("The comment is added to the questions."), "", questionAnchor(q.ID)), http.StatusSeeOther)
		return
	}
	if err != nil {
		code := s.formFailed(w, r, err, &f.formState, "comment", "framing")
		s.renderDebateEditor(w, r, d, debateFormOf(d), f, code)
		return
	}
	redirect(w, r, "/admin/debates/"+strconv.FormatInt(d.ID, 10)+"?saved=1#featured", http.StatusSeeOther)
}

func (s *Server) handleAdminMoveQuestion(w http.ResponseWriter, r *http.Request) {
	by := 1
	if r.FormValue("by") == "up" {
		by = -1
	}
	id := pathID(r, "id")
	if err := s.store.MoveQuestion(r.Context(), id, pathID(r, "qid"), by); err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/admin/debates/"+strconv.FormatInt(id, 10)+"?saved=1#featured", http.StatusSeeOther)
}

func (s *Server) handleAdminRemoveQuestion(w http.ResponseWriter, r *http.Request) {
	id := pathID(r, "id")
	if err := s.store.RemoveQuestion(r.Context(), id, pathID(r, "qid")); err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/admin/debates/"+strconv.FormatInt(id, 10)+"?saved=1#featured", http.StatusSeeOther)
}

// IsLast reports whether the i-th featured comment is the last one, which
// cannot move down.
func (p adminDebatePage) IsLast(i int) bool { return i == len(p.Questions)-1 }
