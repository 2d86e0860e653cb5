package web

import (
	"bytes"
	"context"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/parley-org/parley"
)

const debatesPerPage = 20

type homePage struct {
	pageMeta
	Debates  []*parley.Debate
	Page     int
	Pages    int
	PrevURL  string
	NextURL  string
	Excerpts map[int64]string
	// Partners are the organisations the site runs its debates with.
	Partners []*parley.Partner
	// The operator's introduction and featured debate.
	siteHome
}

func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) {
	pageNo, _ := strconv.Atoi(r.URL.Query().Get("page"))
	pageNo = max(pageNo, 1)
	list, total, err := s.store.Debates(r.Context(), parley.DebateFilter{Public: true, Offset: (pageNo - 1) * debatesPerPage, Limit: debatesPerPage})
	if err == nil {
		list, err = s.debatesIn(r.Context(), lang(r), list)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	partners, err := s.store.Partners(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	home, err := s.siteHome(r.Context(), pageNo)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := homePage{pageMeta: s.meta(r, lang(r).T("Debates")), Debates: list, Page: pageNo, Pages: max(1, (total+debatesPerPage-1)/debatesPerPage), Partners: partners, siteHome: home}
	p.Description = home.Summary
	p.Feed = "/feeds/debates.atom"
	if pageNo > p.Pages && pageNo > 1 {
		s.fail(w, r, parley.Errorf(parley.ENOTFOUND, "There is no page %d of debates.", pageNo))
		return
	}
	if pageNo > 1 {
		p.PrevURL = "/?page=" + strconv.Itoa(pageNo-1)
	}
	if pageNo < p.Pages {
		p.NextURL = "/?page=" + strconv.Itoa(pageNo+1)
	}
	cacheSiteWide(w)
	s.render(w, r, http.StatusOK, "home", p)
}

// publicDebate returns a debate readers may see; drafts are not found.
// Where one process owns the database it is shared, like the thread data,
// until a write to it: callers must not modify it.
func (s *Server) publicDebate(r *http.Request) (*parley.Debate, error) {
	slug := r.PathValue("slug")
	d := s.cache.debate(slug)
	if d == nil || s.store.Shared() {
		start := s.cache.now()
		var err error
		if d, err = s.store.DebateBySlug(r.Context(), slug); err != nil {
			return nil, err
		}
		s.cache.putDebate(slug, start, d)
	}
	if !d.Public() {
		return nil, parley.Errorf(parley.ENOTFOUND, "There is no debate at this address.")
	}
	return d, nil
}

type debatePage struct {
	pageMeta
	Debate *parley.Debate
	// Languages are those the debate can be read in, when it has
	// translations; ContentLang is the one its text is shown in ("" when
	// not known).
	Languages   []debateLanguage
	ContentLang string
	Questions   []*parley.Question
	// AnswerLinks lead from each answer's excerpt in the article to the
	// answer in full, under the comment it answers: on this page when the
	// thread is on it, by its permalink otherwise.
	AnswerLinks map[int64]string
	// Related are other debates on the same topics.
	Related []*parley.Debate
	Thread  template.HTML
	// Pending lists this reader's comments awaiting moderation that are not
	// in the threads shown.
	Pending   template.HTML
	Form      commentForm
	Subscribe subscribeForm
	Newest    bool
	OldestURL string
	NewestURL string
	FirstURL  string
	NextURL   string
}

// commentForm is the comment form with what the reader typed and what is wrong with it.
type commentForm struct {
	Action   string
	ParentID int64
	// AnswerID, with ParentID, replies to an expert's answer to the parent.
	AnswerID int64
	Name     string
	Email    string
	Body     string
	Problems map[string]string
	// Message is a problem with the whole form, such as a closed debate.
	Message string
	MaxLen  int
	// User is the signed-in author, who types no name or address.
	User *parley.User
	// SignInFirst says the debate takes comments from accounts only and
	// the reader has none signed in.
	SignInFirst bool
	// Back is the page to return to after signing in.
	Back string
	// NotifyReplies and NotifyAll are the subscription boxes.
	NotifyReplies, NotifyAll bool
	// Started is the signed time the form was first shown.
	Started string
}

// newForm is an empty comment form. Its action carries the form's anchor, so
// when a post comes back refused the browser shows the form and its problems.
func (s *Server) newForm(r *http.Request, d *parley.Debate) commentForm {
	u := currentUser(r)
	return commentForm{Action: "/debates/" + d.Slug + "/comments#comment-form", MaxLen: s.cfg.MaxCommentLen,
		User: u, SignInFirst: d.AccountsOnly && u == nil, Back: "/debates/" + d.Slug + "#comment-form", Started: s.formStamp(d.ID, time.Now())}
}

func (s *Server) handleDebate(w http.ResponseWriter, r *http.Request) {
	d, err := s.publicDebate(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cacheAs(w, d)
	s.renderDebate(w, r, d, s.newForm(r, d), http.StatusOK)
}

// relatedDebates is how many debates on the same topics end a debate page.
const relatedDebates = 3

// renderDebate renders a debate page; a failed post re-renders it with the form filled in.
func (s *Server) renderDebate(w http.ResponseWriter, r *http.Request, d *parley.Debate, form commentForm, code int) {
	ctx := r.Context()
	q := r.URL.Query()
	newest := q.Get("sort") == "newest"
	after, _ := strconv.ParseInt(q.Get("after"), 10, 64)
	page, questions, err := s.threads(ctx, d, parley.CommentFilter{DebateID: d.ID, NewestFirst: newest, After: max(after, 0), Limit: s.cfg.ThreadsPerPage})
	if err != nil {
		s.failForm(w, r, err, form)
		return
	}
	s.forgetDecided(w, r)
	pending, err := s.store.PendingComments(ctx, d.ID, s.pendingIDs(r))
	if err != nil {
		s.failForm(w, r, err, form)
		return
	}

	// The reader's pending replies go into their threads when those are on
	// this page; the rest are listed above the thread.
	comments := slices.Clip(page.Comments) // shared: appending must copy
	onPage := make(map[int64]bool, len(comments))
	for _, c := range comments {
		onPage[c.ID] = true
	}
	var loose []*parley.Comment
	for _, c := range pending {
		if c.ParentID != 0 && onPage[c.ParentID] {
			comments = append(comments, c)
			onPage[c.ID] = true
		} else {
			loose = append(loose, c)
		}
	}

	sortQuery := ""
	if newest {
		sortQuery = "sort=newest"
	}
	// Readers of a language the editors translated the debate into read
	// that translation; the comments are one section for all.
	d, questions, languages, err := s.debateIn(ctx, d, questions, lang(r))
	if err != nil {
		s.failForm(w, r, err, form)
		return
	}
	human, err := s.humanTranslated(ctx, lang(r), comments)
	if err != nil {
		s.failForm(w, r, err, form)
		return
	}
	view := &threadView{lang: lang(r), debate: d, answers: answersByComment(questions), canReply: d.Open(), now: time.Now(), fold: foldReplies,
		translateText: s.translateText, humanTranslated: human}
	if id := s.postedID(r); id != 0 && r.Method == http.MethodGet {
		// The reader lands on the comment they have just posted: it says
		// what became of it, once.
		for _, c := range slices.Concat(comments, loose) {
			if c.ID == id {
				view.posted, view.postedNote = id, lang(r).T(s.postedNote(ctx, d, c))
				clearPosted(w)
				break
			}
		}
	}
	if u := currentUser(r); u != nil {
		view.viewer, view.moderator, view.editor = u.ID, u.Can(parley.RoleModerator), u.Can(parley.RoleEditor)
	}
	if after > 0 {
		view.pageQuery = "?" + joinQuery(sortQuery, "after="+strconv.FormatInt(after, 10))
	} else if sortQuery != "" {
		view.pageQuery = "?" + sortQuery
	}
	thread, looseHTML := getBuffer(), getBuffer()
	defer putBuffer(thread)
	defer putBuffer(looseHTML)
	view.writeThread(thread, parley.BuildThread(comments))
	view.writeThread(looseHTML, parley.BuildThread(loose))

	related, err := s.store.RelatedDebates(ctx, d, relatedDebates)
	if err != nil {
		s.failForm(w, r, err, form)
		return
	}
	p := debatePage{
		pageMeta: s.meta(r, d.Title), Debate: d, Questions: questions, AnswerLinks: map[int64]string{}, Related: related,
		Thread: template.HTML(thread.String()), Pending: template.HTML(looseHTML.String()),
		Form: form, Subscribe: newSubscribeForm(d), Newest: newest, Languages: languages, ContentLang: shownLanguage(d, languages),
		OldestURL: "/debates/" + d.Slug + "#comments", NewestURL: "/debates/" + d.Slug + "?sort=newest#comments",
	}
	for _, q := range questions {
		for _, a := range q.Answers {
			if onPage[q.CommentID] {
				p.AnswerLinks[a.ID] = "#answer-" + strconv.FormatInt(a.ID, 10)
			} else {
				p.AnswerLinks[a.ID] = "/answers/" + strconv.FormatInt(a.ID, 10)
			}
		}
	}
	p.Description = d.Question
	p.Share = s.debateShare(d)
	p.Feed = "/debates/" + d.Slug + "/comments.atom"
	if after > 0 {
		p.FirstURL = "/debates/" + d.Slug + queryString(sortQuery) + "#comments"
	}
	if page.Next != 0 {
		p.NextURL = "/debates/" + d.Slug + "?" + joinQuery(sortQuery, "after="+strconv.FormatInt(page.Next, 10)) + "#comments"
	}
	s.render(w, r, code, "debate", p)
}

func answersByComment(questions []*parley.Question) map[int64][]*parley.Answer {
	m := make(map[int64][]*parley.Answer, len(questions))
	for _, q := range questions {
		m[q.CommentID] = append(m[q.CommentID], q.Answers...)
	}
	return m
}

func joinQuery(parts ...string) string {
	var out []byte
	for _, p := range parts {
		if p == "" {
			continue
		}
		if len(out) > 0 {
			out = append(out, '&')
		}
		out = append(out, p...)
	}
	return string(out)
}

func queryString(q string) string {
	if q == "" {
		return ""
	}
	return "?" + q
}

type replyPage struct {
	pageMeta
	Debate *parley.Debate
	Parent template.HTML
	// Name is the author replied to; ToAnswer says the reply is to their
	// answer, under the comment it answers.
	Name     string
	ToAnswer bool
	Form     commentForm
}

func (s *Server) handleReplyForm(w http.ResponseWriter, r *http.Request) {
	d, err := s.publicDebate(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	form := s.newForm(r, d)
	form.ParentID = pathID(r, "id")
	form.AnswerID, _ = strconv.ParseInt(r.URL.Query().Get("answer"), 10, 64)
	s.renderReply(w, r, d, form, http.StatusOK)
}

// renderReply renders the page that answers one comment, for readers without JavaScript.
func (s *Server) renderReply(w http.ResponseWriter, r *http.Request, d *parley.Debate, form commentForm, code int) {
	parent, err := s.visibleComment(r, form.ParentID)
	if err == nil && parent.DebateID != d.ID {
		err = parley.Errorf(parley.ENOTFOUND, "There is no such comment in this debate.")
	}
	if err != nil {
		s.failForm(w, r, err, form)
		return
	}
	view := &threadView{lang: lang(r), debate: d}
	name, toAnswer := parent.AuthorName, false
	if form.AnswerID != 0 {
		// Replying to an expert's answer: show it under the comment.
		_, questions, err := s.threads(r.Context(), d, parley.CommentFilter{DebateID: d.ID, Limit: 1})
		if err != nil {
			s.failForm(w, r, err, form)
			return
		}
		view.answers = map[int64][]*parley.Answer{}
		for _, a := range answersByComment(questions)[parent.ID] {
			if a.ID == form.AnswerID {
				view.answers[parent.ID], name, toAnswer = []*parley.Answer{a}, a.Expert.Name, true
			}
		}
		if view.answers[parent.ID] == nil {
			form.AnswerID = 0
		}
	}
	var b bytes.Buffer
	view.writeThread(&b, []*parley.ThreadNode{{Comment: parent}})
	title := lang(r).T("Reply to %s", name)
	if toAnswer {
		title = lang(r).T("Reply to %s's answer", name)
	}
	p := replyPage{pageMeta: s.meta(r, title), Debate: d, Parent: template.HTML(b.String()), Name: name, ToAnswer: toAnswer, Form: form}
	s.render(w, r, code, "reply", p)
}

// visibleComment returns a comment this reader may see: approved, or pending
// and posted from this browser.
func (s *Server) visibleComment(r *http.Request, id int64) (*parley.Comment, error) {
	notFound := parley.Errorf(parley.ENOTFOUND, "There is no such comment. It may have been removed.")
	if id <= 0 {
		return nil, notFound
	}
	c, err := s.store.Comment(r.Context(), id)
	if err != nil {
		return nil, err
	}
	switch c.Status {
	case parley.CommentApproved:
		return c, nil
	case parley.CommentPending:
		for _, mine := range s.pendingIDs(r) {
			if mine == id {
				return c, nil
			}
		}
	}
	return nil, notFound
}

// handleCommentPermalink sends the reader to the page that holds the comment.
func (s *Server) handleCommentPermalink(w http.ResponseWriter, r *http.Request) {
	c, err := s.visibleComment(r, pathID(r, "id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	loc, err := s.commentLocation(r, c)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, loc, http.StatusFound)
}

// commentLocation is the address of the debate page that shows the comment.
func (s *Server) commentLocation(r *http.Request, c *parley.Comment) (string, error) {
	d, err := s.store.DebateByID(r.Context(), c.DebateID)
	if err != nil {
		return "", err
	}
	if !d.Public() {
		return "", parley.Errorf(parley.ENOTFOUND, "There is no such comment.")
	}
	if c.RootID != c.ID {
		// A reply shows only while its thread does.
		root, err := s.store.Comment(r.Context(), c.RootID)
		if err != nil || root.Status != parley.CommentApproved && root.Status != parley.CommentPending {
			return "", parley.Errorf(parley.ENOTFOUND, "This comment was removed with the conversation it belonged to.")
		}
	}
	loc := "/debates/" + url.PathEscape(d.Slug)
	if c.Status == parley.CommentApproved {
		after, err := s.store.ThreadCursor(r.Context(), d.ID, c.RootID, s.cfg.ThreadsPerPage)
		if err != nil {
			return "", err
		}
		if after > 0 {
			loc += "?after=" + strconv.FormatInt(after, 10)
		}
	}
	return loc + "#comment-" + strconv.FormatInt(c.ID, 10), nil
}

type privacyPage struct {
	pageMeta
	// IPRetention says how long commenters' IP addresses are kept.
	IPRetention string
	// SpamService names the outside spam service comments are sent to, if any.
	SpamService string
	// TranslationService names the machine-translation service readers'
	// requests send comments to, if any.
	TranslationService string
	// Settings name the controller, the data-protection officer and the
	// supervisory authority, as far as the operator has.
	Settings *parley.Site
}

func (s *Server) handlePrivacy(w http.ResponseWriter, r *http.Request) {
	l := lang(r)
	p := privacyPage{pageMeta: s.meta(r, l.T("How we handle your data")), IPRetention: l.T("%d days", int(s.cfg.IPRetention.Hours()/24))}
	if s.cfg.IPRetention < 48*time.Hour {
		p.IPRetention = l.T("%d hours", int(s.cfg.IPRetention.Hours()))
	}
	if s.cfg.Akismet != nil {
		p.SpamService = s.cfg.Akismet.Host()
	}
	if s.cfg.Translator != nil {
		p.TranslationService = s.cfg.Translator.Host()
	}
	p.Settings = s.site()
	s.render(w, r, http.StatusOK, "privacy", p)
}

// threads returns a page of a debate's threads with its featured questions,
// from the shared thread cache when no write has changed them since d was
// read. The page is shared: callers must not modify it.
func (s *Server) threads(ctx context.Context, d *parley.Debate, f parley.CommentFilter) (*parley.ThreadPage, []*parley.Question, error) {
	key := threadKey{debateID: f.DebateID, newest: f.NewestFirst, after: f.After, limit: f.Limit}
	if e := s.cache.thread(key, d.Version); e != nil {
		return e.page, e.questions, nil
	}
	start := s.cache.now()
	page, err := s.store.Threads(ctx, f)
	if err != nil {
		return nil, nil, err
	}
	questions, err := s.store.Questions(ctx, f.DebateID)
	if err != nil {
		return nil, nil, err
	}
	s.cache.putThread(key, &threadEntry{made: time.Now(), version: d.Version, page: page, questions: questions, start: start})
	return page, questions, nil
}
