package web

import (
	"context"
	"fmt"
	"html/template"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/i18n"
	"github.com/parley-org/parley/internal/store"
)

// The editors' board: a debate's questions from picked to published. Each
// question is on one stage: not yet sent to an expert, awaiting an
// answer, answered (a draft waits for the editors) or published. From the
// board editors send questions to experts, withdraw links, enter comments
// received elsewhere on a reader's behalf, and open answers to edit them.

// Stages of a question on the board, in the order the board shows them.
const (
	stageNotSent   = store.StageNotSent
	stageAwaiting  = store.StageAwaiting
	stageAnswered  = store.StageAnswered
	stagePublished = store.StagePublished
)

// The board's size is bounded whatever the numbers of questions and
// experts: each stage shows a page of its questions, each question a few of
// its requests and answers, and the experts to send a question to are
// found by a search, for one question at a time.
const (
	// boardPageSize is how many questions a stage shows at a time.
	boardPageSize = 20
	// boardShown is how many requests, and answers, a question shows.
	boardShown = 10
	// pickerPageSize is how many experts the send form lists at a time,
	// and how many it may send to at once.
	pickerPageSize = 50
)

// commentSources are where a comment entered on a reader's behalf may come
// from, in their order on the form.
var commentSources = []string{"email", "post", "social", "other"}

func validSource(s string) bool {
	return slices.Contains(commentSources, s)
}

// sourceLabel is a source's label on the form, to translate.
func sourceLabel(source string) string {
	switch source {
	case "email":
		return "By email"
	case "post":
		return "By post"
	case "social":
		return "On social media"
	}
	return "Some other way"
}

// sourceChoices are the sources with their labels in a language.
func sourceChoices(l *i18n.Lang) []struct{ Value, Label string } {
	var out []struct{ Value, Label string }
	for _, src := range commentSources {
		out = append(out, struct{ Value, Label string }{src, l.T(sourceLabel(src))})
	}
	return out
}

// maxLeadInLen bounds an answer's lead-in, in characters.
const maxLeadInLen = 200

type boardPage struct {
	consoleMeta
	Debate *parley.Debate
	Stages []*boardStage
	// Note and Problem report what a redirect here did (signed, so that
	// a link cannot put words on the board).
	Note, Problem string
	// Pick is the comment ?pick= asks to add to the questions.
	Pick *pickForm
	// Enter is the form that enters a comment on a reader's behalf.
	Enter   enterForm
	Sources []struct{ Value, Label string }
}

type boardStage struct {
	Key, Title, Help string
	// Questions are the stage's page; Total counts the stage's questions.
	Questions          []*boardQuestion
	Total, Page, Pages int
	PrevURL, NextURL   string
}

type boardQuestion struct {
	*store.BoardQuestion
	// Asked are the question's first requests to experts, with their
	// state; MoreAsked counts the others.
	Asked     []boardRequest
	MoreAsked int
	// Drafts wait for the editors; Published are on the debate's page.
	// MoreAnswers counts the answers not shown.
	Drafts, Published []*store.AnswerDraft
	MoreAnswers       int
	// SendURL opens the form that sends the question to experts; Send is
	// that form, on the question it is open for.
	SendURL string
	Send    *sendPicker
}

// sendPicker is the form that sends one question to experts: a page of the
// experts a search finds.
type sendPicker struct {
	Query   string
	Choices []expertChoice
	// Total counts the experts that match.
	Total, Page, Pages int
	PrevURL, NextURL   string
	// ClearURL lists every expert; CloseURL closes the form.
	ClearURL, CloseURL string
	// Keep are the board's pages the search form carries along.
	Keep []struct{ Name, Value string }
}

type boardRequest struct {
	*parley.AnswerRequest
	State parley.RequestState
	// Status says where the request is, such as "sent 3 days ago, 1 reminder".
	Status string
}

type expertChoice struct {
	*parley.Expert
	Disabled bool
	// Note says why the expert cannot be chosen, or what choosing does.
	Note string
}

// pickForm adds a comment picked from the debate page to the questions.
type pickForm struct {
	Comment *parley.Comment
	// Message says why the comment cannot be picked.
	Message string
	// Framing is the framing line typed before a failed attempt.
	Framing string
}

// enterForm is a comment received elsewhere, as the editor typed it.
type enterForm struct {
	AuthorName, AuthorEmail, Body, Source, Framing string
	Feature                                        bool
	formState
}

// enterFields are the fields of the enter form in their order on the page.
var enterFields = []string{"author_name", "author_email", "source", "body", "framing"}

func (s *Server) handleAdminBoard(w http.ResponseWriter, r *http.Request) {
	d, err := s.adminDebate(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderBoard(w, r, d, enterForm{Source: "email"}, http.StatusOK)
}

// boardView is what the board's address asks for: a page of each stage,
// and the question whose send form is open, with its search.
type boardView struct {
	pages       map[string]int // absent is the first page
	send        int64
	query       string
	expertsPage int
}

// pageParam is the parameter that holds a stage's page.
func pageParam(stage string) string { return stage + "-page" }

func boardViewOf(q url.Values) boardView {
	v := boardView{pages: map[string]int{}, send: formID(q.Get("send")), query: strings.TrimSpace(q.Get("q")),
		expertsPage: formPage(q.Get("experts-page"))}
	for _, stage := range []string{stageNotSent, stageAwaiting, stageAnswered, stagePublished} {
		if n := formPage(q.Get(pageParam(stage))); n > 1 {
			v.pages[stage] = n
		}
	}
	return v
}

// formID reads a positive ID, or 0.
func formID(v string) int64 {
	id, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || id < 0 {
		return 0
	}
	return id
}

// formPage reads a page number, 1 if there is none.
func formPage(v string) int {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 1
	}
	return n
}

// keep are the view's stage pages as parameters.
func (v boardView) keep() url.Values {
	vals := url.Values{}
	for stage, n := range v.pages {
		if n > 1 {
			vals.Set(pageParam(stage), strconv.Itoa(n))
		}
	}
	return vals
}

// url is the board's address for the view, with an anchor.
func (v boardView) url(debateID int64, anchor string) string {
	vals := v.keep()
	if v.send != 0 {
		vals.Set("send", strconv.FormatInt(v.send, 10))
		if v.query != "" {
			vals.Set("q", v.query)
		}
		if v.expertsPage > 1 {
			vals.Set("experts-page", strconv.Itoa(v.expertsPage))
		}
	}
	u := "/admin/debates/" + strconv.FormatInt(debateID, 10) + "/board"
	if len(vals) > 0 {
		u += "?" + vals.Encode()
	}
	if anchor != "" {
		u += "#" + anchor
	}
	return u
}

// atPage is the view with a stage on another page and no send form open.
func (v boardView) atPage(stage string, n int) boardView {
	pages := maps.Clone(v.pages)
	pages[stage] = n
	return boardView{pages: pages}
}

// sending is the view with the send form open for a question.
func (v boardView) sending(questionID int64, query string, page int) boardView {
	return boardView{pages: v.pages, send: questionID, query: query, expertsPage: page}
}

// renderBoard renders a debate's board with the enter form as typed.
func (s *Server) renderBoard(w http.ResponseWriter, r *http.Request, d *parley.Debate, enter enterForm, code int) {
	ctx := r.Context()
	l := lang(r)
	p := boardPage{consoleMeta: s.console(r, "debates", l.T("Editors' board: “%s”", d.Title)), Debate: d, Enter: enter, Sources: sourceChoices(l)}
	q := r.URL.Query()
	if v, ok := s.verify("board-note", q.Get("note")); ok {
		p.Note = v
	}
	if v, ok := s.verify("board-note", q.Get("problem")); ok {
		p.Problem = v
	}
	var err error
	if pick := q.Get("pick"); pick != "" && r.Method == http.MethodGet {
		if p.Pick, err = s.pick(ctx, l, d, pick); err != nil {
			s.fail(w, r, err)
			return
		}
		p.Pick.Framing = q.Get("framing")
	}
	view := boardViewOf(q)
	if r.Method != http.MethodGet {
		view = boardView{pages: map[string]int{}}
	}
	// The question whose form is open, or that a redirect names, is shown
	// on its stage's page.
	focus := view.send
	if focus == 0 {
		focus = formID(q.Get("question"))
	}
	if focus != 0 {
		stage, before, err := s.store.BoardPlace(ctx, d.ID, focus)
		switch {
		case parley.ErrorCode(err) == parley.ENOTFOUND:
			if view.send != 0 {
				p.Problem = l.T("There is no question number %s in this debate to send.", strconv.FormatInt(view.send, 10))
				view.send = 0
			}
		case err != nil:
			s.fail(w, r, err)
			return
		default:
			view.pages[stage] = before/boardPageSize + 1
		}
	}
	counts, err := s.store.BoardCounts(ctx, d.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Stages = []*boardStage{
		{Key: stageNotSent, Title: l.T("Not yet sent"), Help: l.T("Questions no expert has been asked to answer.")},
		{Key: stageAwaiting, Title: l.T("Awaiting an answer"), Help: l.T("Questions sent to experts who have not answered yet.")},
		{Key: stageAnswered, Title: l.T("Answered"), Help: l.T("An expert's answer waits for the editors: edit it and publish it.")},
		{Key: stagePublished, Title: l.T("Published"), Help: l.T("Questions with an answer on the debate's page.")},
	}
	now := s.store.Clock()
	for _, st := range p.Stages {
		st.Total = counts[st.Key]
		st.Pages = max(1, (st.Total+boardPageSize-1)/boardPageSize)
		st.Page = min(max(view.pages[st.Key], 1), st.Pages)
		view.pages[st.Key] = st.Page
		if st.Total == 0 {
			continue
		}
		questions, err := s.store.BoardQuestions(ctx, d.ID, st.Key, (st.Page-1)*boardPageSize, boardPageSize, boardShown)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, bq := range questions {
			bqv := boardQuestionOf(l, bq, now)
			bqv.SendURL = view.sending(bq.ID, "", 1).url(d.ID, "")
			if bq.ID == view.send {
				if bqv.Send, err = s.sendPicker(ctx, l, d, bq.ID, view, now); err != nil {
					s.fail(w, r, err)
					return
				}
			}
			st.Questions = append(st.Questions, bqv)
		}
	}
	// Paging one stage keeps the others where they are.
	for _, st := range p.Stages {
		if st.Page > 1 {
			st.PrevURL = view.atPage(st.Key, st.Page-1).url(d.ID, "stage-"+st.Key)
		}
		if st.Page < st.Pages {
			st.NextURL = view.atPage(st.Key, st.Page+1).url(d.ID, "stage-"+st.Key)
		}
	}
	s.render(w, r, code, "admin_board", p)
}

// sendPicker is the send form of a question: a page of the experts the
// view's search finds, each with whether they can be sent it.
func (s *Server) sendPicker(ctx context.Context, l *i18n.Lang, d *parley.Debate, questionID int64, view boardView, now time.Time) (*sendPicker, error) {
	f := store.ExpertFilter{QuestionID: questionID, Query: view.query, Offset: (view.expertsPage - 1) * pickerPageSize, Limit: pickerPageSize}
	choices, total, err := s.store.ExpertChoices(ctx, f)
	if err == nil && len(choices) == 0 && total > 0 {
		// Past the last page (experts were removed, or the link was edited): the last.
		view.expertsPage = (total + pickerPageSize - 1) / pickerPageSize
		f.Offset = (view.expertsPage - 1) * pickerPageSize
		choices, total, err = s.store.ExpertChoices(ctx, f)
	}
	if err != nil {
		return nil, err
	}
	p := &sendPicker{Query: view.query, Total: total, Page: view.expertsPage, Pages: max(1, (total+pickerPageSize-1)/pickerPageSize),
		ClearURL: view.sending(questionID, "", 1).url(d.ID, ""),
		CloseURL: boardView{pages: view.pages}.url(d.ID, questionAnchor(questionID))}
	if p.Page > 1 {
		p.PrevURL = view.sending(questionID, view.query, min(p.Page-1, p.Pages)).url(d.ID, "")
	}
	if p.Page < p.Pages {
		p.NextURL = view.sending(questionID, view.query, p.Page+1).url(d.ID, "")
	}
	for name, vals := range view.keep() {
		p.Keep = append(p.Keep, struct{ Name, Value string }{name, vals[0]})
	}
	slices.SortFunc(p.Keep, func(a, b struct{ Name, Value string }) int { return strings.Compare(a.Name, b.Name) })
	for _, c := range choices {
		p.Choices = append(p.Choices, expertChoiceOf(l, c, now))
	}
	return p, nil
}

// expertChoiceOf says whether an expert can be sent a question, and why not.
func expertChoiceOf(l *i18n.Lang, c *store.ExpertChoice, now time.Time) expertChoice {
	ch := expertChoice{Expert: c.Expert}
	var st parley.RequestState
	if c.Request != nil {
		st = c.Request.State(now)
	}
	switch {
	case c.Answered || st == parley.RequestAnswered:
		ch.Disabled, ch.Note = true, l.T("has answered")
	case c.ContactEmail == "":
		ch.Disabled, ch.Note = true, l.T("no contact address: add one on their expert page")
	case st == parley.RequestWaiting:
		ch.Note = l.T("asked already: sending again replaces the link")
	case st == parley.RequestExpired:
		ch.Note = l.T("their link expired: sending again sends a fresh one")
	case st == parley.RequestRevoked:
		ch.Note = l.T("their link was withdrawn: sending again sends a fresh one")
	}
	return ch
}

// boardQuestionOf is what the board shows of a question's requests and
// answers.
func boardQuestionOf(l *i18n.Lang, bq *store.BoardQuestion, now time.Time) *boardQuestion {
	q := &boardQuestion{BoardQuestion: bq, MoreAsked: bq.RequestCount - len(bq.Requests), MoreAnswers: bq.AnswerCount - len(bq.Answers)}
	for _, a := range bq.Answers {
		if a.Status == parley.AnswerPublished {
			q.Published = append(q.Published, a)
		} else {
			q.Drafts = append(q.Drafts, a)
		}
	}
	for _, req := range bq.Requests {
		st := req.State(now)
		q.Asked = append(q.Asked, boardRequest{AnswerRequest: req, State: st, Status: requestStatus(l, req, st, now)})
	}
	return q
}

// requestStatus says where a request is, for the board: clauses such as
// "sent 3 days ago, 1 reminder; the link works until 7 December 2026", each
// a whole phrase in the language.
func requestStatus(l *i18n.Lang, req *parley.AnswerRequest, st parley.RequestState, now time.Time) string {
	// The clauses are joined by the catalogue too: punctuation differs
	// (Greek writes "·" where English writes ";").
	sent := happened(l, eventSent, now.Sub(req.SentAt))
	if req.Reminders > 0 {
		sent = l.T("%[1]s, %[2]s", sent, l.T("%d reminders", req.Reminders))
	}
	switch st {
	case parley.RequestAnswered:
		return happened(l, eventAnswered, now.Sub(req.AnsweredAt))
	case parley.RequestRevoked:
		return l.T("%[1]s (%[2]s)", happened(l, eventWithdrawn, now.Sub(req.RevokedAt)), sent)
	case parley.RequestExpired:
		s := l.T("%[1]s (%[2]s)", happened(l, eventExpired, now.Sub(req.ExpiresAt)), sent)
		if !req.RenewalAskedAt.IsZero() {
			s = l.T("%[1]s; %[2]s", s, happened(l, eventRenewalAsked, now.Sub(req.RenewalAskedAt)))
		}
		return s
	}
	return l.T("%[1]s; %[2]s", sent, l.T("the link works until %s", l.Date(req.ExpiresAt)))
}

// The events of a request that the board dates.
const (
	eventSent = iota
	eventAnswered
	eventWithdrawn
	eventExpired
	eventRenewalAsked
)

// happened says when an event of a request was, roughly: "sent 3 days ago".
func happened(l *i18n.Lang, event int, d time.Duration) string {
	switch {
	case d < time.Minute:
		return l.T(happenedJustNow(event))
	case d < time.Hour:
		return l.T(happenedMinutesAgo(event), int(d/time.Minute))
	case d < 24*time.Hour:
		return l.T(happenedHoursAgo(event), int(d/time.Hour))
	}
	return l.T(happenedDaysAgo(event), int(d/(24*time.Hour)))
}

func happenedJustNow(event int) string {
	switch event {
	case eventAnswered:
		return "answered just now"
	case eventWithdrawn:
		return "link withdrawn just now"
	case eventExpired:
		return "link expired just now"
	case eventRenewalAsked:
		return "asked for a fresh link just now"
	}
	return "sent just now"
}

func happenedMinutesAgo(event int) string {
	switch event {
	case eventAnswered:
		return "answered %d minutes ago"
	case eventWithdrawn:
		return "link withdrawn %d minutes ago"
	case eventExpired:
		return "link expired %d minutes ago"
	case eventRenewalAsked:
		return "asked for a fresh link %d minutes ago"
	}
	return "sent %d minutes ago"
}

func happenedHoursAgo(event int) string {
	switch event {
	case eventAnswered:
		return "answered %d hours ago"
	case eventWithdrawn:
		return "link withdrawn %d hours ago"
	case eventExpired:
		return "link expired %d hours ago"
	case eventRenewalAsked:
		return "asked for a fresh link %d hours ago"
	}
	return "sent %d hours ago"
}

func happenedDaysAgo(event int) string {
	switch event {
	case eventAnswered:
		return "answered %d days ago"
	case eventWithdrawn:
		return "link withdrawn %d days ago"
	case eventExpired:
		return "link expired %d days ago"
	case eventRenewalAsked:
		return "asked for a fresh link %d days ago"
	}
	return "sent %d days ago"
}

// pick is the form that adds a comment picked on the debate page to the
// questions, or why it cannot be added.
func (s *Server) pick(ctx context.Context, l *i18n.Lang, d *parley.Debate, ref string) (*pickForm, error) {
	id := commentRef(ref)
	if id == 0 {
		return &pickForm{Message: l.T("The comment to pick is not a comment number.")}, nil
	}
	number := strconv.FormatInt(id, 10)
	c, err := s.store.Comment(ctx, id)
	switch {
	case parley.ErrorCode(err) == parley.ENOTFOUND:
		return &pickForm{Message: l.T("There is no comment number %s.", number)}, nil
	case err != nil:
		return nil, err
	case c.DebateID != d.ID:
		return &pickForm{Message: l.T("Comment %s belongs to another debate.", number)}, nil
	case c.Status != parley.CommentApproved || !c.DeletedAt.IsZero():
		return &pickForm{Message: l.T("Only a published comment can be a question; comment %s is held, removed or deleted.", number)}, nil
	}
	if qid, err := s.store.QuestionOfComment(ctx, d.ID, id); err != nil {
		return nil, err
	} else if qid != 0 {
		return &pickForm{Message: l.T("%[1]s's comment %[2]s is a question already: see below.", c.AuthorName, number)}, nil
	}
	return &pickForm{Comment: c}, nil
}

// boardURL is the address of a debate's board with a note and a problem,
// signed so that only the server can write them, and an anchor. The note
// and the problem are shown as they are: they are in the reader's language
// already (lang(r).T, lang(r).Message). An anchor
// that is a question also names it in the query, so that the board opens
// the page of its stage that holds it.
func (s *Server) boardURL(debateID int64, note, problem, anchor string) string {
	u := "/admin/debates/" + strconv.FormatInt(debateID, 10) + "/board"
	v := url.Values{}
	if note != "" {
		v.Set("note", s.sign("board-note", note))
	}
	if problem != "" {
		v.Set("problem", s.sign("board-note", problem))
	}
	if id, ok := strings.CutPrefix(anchor, "question-"); ok {
		v.Set("question", id)
	}
	if len(v) > 0 {
		u += "?" + v.Encode()
	}
	if anchor != "" {
		u += "#" + anchor
	}
	return u
}

func questionAnchor(id int64) string { return "question-" + strconv.FormatInt(id, 10) }

// Comments entered on a reader's behalf.

func readEnterForm(v url.Values) enterForm {
	return enterForm{AuthorName: v.Get("author_name"), AuthorEmail: strings.TrimSpace(v.Get("author_email")), Body: v.Get("body"),
		Source: v.Get("source"), Framing: v.Get("framing"), Feature: v.Get("feature") != ""}
}

// validate cleans the form in place and reports every problem, with the
// limits of a comment posted on the site. The address is optional: a
// letter may come without one, and then no mail can reach its author.
func (f *enterForm) validate(maxBody int) error {
	p := parley.Problems{}
	var ok bool
	if f.AuthorName, ok = parley.CleanLine(f.AuthorName); !ok {
		p.Add("author_name", "The name is not valid UTF-8 text.")
	}
	switch n := utf8.RuneCountInString(f.AuthorName); {
	case ok && n == 0:
		p.Add("author_name", "Give the reader's name, as it should show with the comment.")
	case n > parley.MaxNameLen:
		p.Add("author_name", "The name is longer than 80 characters.")
	}
	if f.AuthorEmail, ok = parley.CleanLine(f.AuthorEmail); !ok {
		p.Add("author_email", "The email address is not valid UTF-8 text.")
	} else if f.AuthorEmail != "" && (len(f.AuthorEmail) > parley.MaxEmailLen || !parley.ValidEmail(f.AuthorEmail)) {
		p.Add("author_email", "This does not look like an email address. Leave it empty if the reader gave none.")
	}
	if !validSource(f.Source) {
		p.Add("source", "Say how the comment reached you.")
	}
	if f.Body, ok = parley.CleanText(f.Body); !ok {
		p.Add("body", "The comment is not valid UTF-8 text.")
	}
	switch n := utf8.RuneCountInString(f.Body); {
	case ok && strings.TrimSpace(f.Body) == "":
		p.Add("body", "Write or paste the reader's comment.")
	case n > maxBody:
		p.Add("body", fmt.Sprintf("The comment is %d characters long; the limit is %d.", n, maxBody))
	}
	if f.Feature {
		framing, ok := parley.CleanText(f.Framing)
		switch {
		case !ok:
			p.Add("framing", "The framing line is not valid UTF-8 text.")
		case len(framing) > maxFramingLen:
			p.Add("framing", "The framing line is longer than 2,000 characters.")
		}
	}
	return p.Err()
}

func (s *Server) handleAdminEnterComment(w http.ResponseWriter, r *http.Request) {
	d, err := s.adminDebate(r)
	if err == nil {
		err = r.ParseForm()
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f := readEnterForm(r.PostForm)
	c, err := s.enterComment(r.Context(), d, &f)
	if err != nil {
		code := s.formFailed(w, r, err, &f.formState, enterFields...)
		s.renderBoard(w, r, d, f, code)
		return
	}
	l := lang(r)
	note := l.T(enteredNote(c.Source), c.AuthorName, strconv.FormatInt(c.ID, 10))
	if !f.Feature {
		redirect(w, r, s.boardURL(d.ID, note, "", "enter"), http.StatusSeeOther)
		return
	}
	q, err := s.feature(r.Context(), d, strconv.FormatInt(c.ID, 10), f.Framing)
	switch {
	case parley.ErrorCode(err) == parley.ECONFLICT:
		// The same comment entered twice: it is the question already.
		redirect(w, r, s.boardURL(d.ID, note, "", ""), http.StatusSeeOther)
	case err != nil:
		if status(err) >= 500 {
			s.log.Error("feature an entered comment", "comment", c.ID, "err", err)
		}
		redirect(w, r, s.boardURL(d.ID, note, l.T("It is not a question yet: %s", l.Message(parley.ErrorMessage(err))), "enter"), http.StatusSeeOther)
	default:
		redirect(w, r, s.boardURL(d.ID, note+" "+l.T("It is a question now, not yet sent to an expert."), "", questionAnchor(q.ID)), http.StatusSeeOther)
	}
}

// enteredNote is the board's note on a comment entered from a source: its
// author's name and its number complete it.
func enteredNote(source string) string {
	switch source {
	case "email":
		return "Entered %[1]s's comment (number %[2]s), sent in by email."
	case "post":
		return "Entered %[1]s's comment (number %[2]s), sent in by post."
	case "social":
		return "Entered %[1]s's comment (number %[2]s), sent in on social media."
	}
	return "Entered %[1]s's comment (number %[2]s), sent in some other way."
}

// enterComment validates and stores a comment received elsewhere, as
// published: the editors have read it. Entering the same comment twice
// stores it once.
func (s *Server) enterComment(ctx context.Context, d *parley.Debate, f *enterForm) (*parley.Comment, error) {
	if err := f.validate(s.cfg.MaxCommentLen); err != nil {
		return nil, err
	}
	switch d.Status {
	case parley.DebateDraft:
		return nil, parley.Errorf(parley.ECONFLICT, "This debate is a draft: publish it before entering readers' comments.")
	case parley.DebateClosed:
		return nil, parley.Errorf(parley.ECLOSED, "This debate is closed for comments: reopen it to enter a reader's comment.")
	}
	html, err := s.renderComment(ctx, d, f.Body)
	if err != nil {
		return nil, err
	}
	// Without an address, the avatar comes from the name: it reveals
	// nothing either.
	avatar := s.AvatarKey(f.AuthorEmail)
	if f.AuthorEmail == "" {
		avatar = s.AvatarKey("name:" + f.AuthorName)
	}
	c, created, err := s.store.CreateComment(ctx, store.CreateComment{
		DebateID: d.ID, AuthorName: f.AuthorName, AuthorEmail: f.AuthorEmail, AvatarKey: avatar,
		BodyMD: f.Body, BodyHTML: html, Source: f.Source, Status: parley.CommentApproved, MaxDepth: s.cfg.MaxDepth,
		Language:      s.detectLanguage(f.Body),
		SubmissionKey: "e:" + s.keyed(strconv.FormatInt(d.ID, 10), strings.ToLower(f.AuthorEmail), f.AuthorName, f.Source, f.Body),
	})
	if err != nil {
		return nil, err
	}
	if created {
		s.notify.Kick() // its subscribers hear of it now
	}
	return c, nil
}

// Sending questions to experts.

func (s *Server) handleAdminSendQuestion(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	d, err := s.adminDebate(r)
	if err == nil {
		err = r.ParseForm()
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	qid := pathID(r, "qid")
	question, err := s.store.Question(ctx, qid)
	if err == nil && question.DebateID != d.ID {
		err = parley.Errorf(parley.ENOTFOUND, "There is no such question in this debate.")
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	l := lang(r)
	var sent, problems []string
	names := map[int64]string{}
	seen := map[int64]bool{}
	for _, v := range r.PostForm["expert_ids"] {
		id, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil {
			problems = append(problems, l.T("There is no expert number %s.", v))
			continue
		}
		if seen[id] {
			continue
		}
		// As many as the form lists: one post does a bounded amount of work.
		if len(seen) == pickerPageSize {
			problems = append(problems, l.T("Send to at most %d experts at a time; the others are not sent yet.", pickerPageSize))
			break
		}
		seen[id] = true
		e, err := s.store.ExpertByID(ctx, id)
		if parley.ErrorCode(err) == parley.ENOTFOUND {
			problems = append(problems, l.T("There is no expert number %s.", v))
			continue
		} else if err != nil {
			s.fail(w, r, err)
			return
		}
		names[id] = e.Name
		if _, err := s.sendQuestion(ctx, qid, id, moderatorActor(r)); err != nil {
			if code := status(err); code >= 500 && code != http.StatusServiceUnavailable {
				s.log.Error("send a question", "question", qid, "expert", id, "err", err)
			}
			msg := parley.ErrorMessage(err)
			if strings.Contains(msg, names[id]) {
				problems = append(problems, l.Message(msg))
			} else {
				problems = append(problems, l.T("Not sent to %[1]s: %[2]s", names[id], l.Message(msg)))
			}
			continue
		}
		sent = append(sent, names[id])
	}
	note := ""
	if len(sent) > 0 {
		note = sentNote(l, sent)
	}
	if len(sent) == 0 && len(problems) == 0 {
		problems = append(problems, l.T("Choose the experts to send the question to."))
	}
	redirect(w, r, s.boardURL(d.ID, note, strings.Join(problems, " "), questionAnchor(qid)), http.StatusSeeOther)
}

// sentNote says whom a question was sent to, listing the names as a
// sentence does: "A", "A and B", "A, B and C".
func sentNote(l *i18n.Lang, names []string) string {
	if len(names) == 1 {
		return l.T("Sent to %s.", names[0])
	}
	return l.T("Sent to %[1]s and %[2]s.", strings.Join(names[:len(names)-1], ", "), names[len(names)-1])
}

func (s *Server) handleAdminRevokeRequest(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v, err := s.store.RequestView(ctx, pathID(r, "rid"))
	if parley.ErrorCode(err) == parley.ENOTFOUND {
		err = parley.Errorf(parley.ENOTFOUND, "There is no such request.")
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	anchor := questionAnchor(v.Question.ID)
	if err := s.store.RevokeRequest(ctx, v.Request.ID); err != nil {
		if parley.ErrorCode(err) != parley.ECONFLICT {
			s.fail(w, r, err)
			return
		}
		redirect(w, r, s.boardURL(v.Debate.ID, "", lang(r).Message(parley.ErrorMessage(err)), anchor), http.StatusSeeOther)
		return
	}
	note := lang(r).T("Withdrew the link sent to %s: it no longer opens the question.", v.Expert.Name)
	redirect(w, r, s.boardURL(v.Debate.ID, note, "", anchor), http.StatusSeeOther)
}

// Editing answers.

type adminAnswerPage struct {
	consoleMeta
	Answer   *store.AnswerDraft
	Debate   *parley.Debate
	Question *parley.Question
	Comment  *parley.Comment
	Expert   *parley.Expert
	Form     answerForm
	// Preview is the editors' version as typed, as readers will see it.
	Preview template.HTML
}

// answerForm is the editors' version of an answer as typed.
type answerForm struct {
	LeadIn, Body, Position string
	formState
}

// answerFields are the answer form's fields in their order on the page.
var answerFields = []string{"lead_in", "body", "position"}

func answerFormOf(a *store.AnswerDraft) answerForm {
	return answerForm{LeadIn: a.LeadIn, Body: a.BodyMD, Position: strconv.Itoa(a.Position)}
}

// adminAnswer returns the answer the path names.
func (s *Server) adminAnswer(r *http.Request) (*store.AnswerDraft, error) {
	return s.store.AnswerByID(r.Context(), pathID(r, "aid"))
}

// renderAnswerEditor renders the editor of an answer with the form as typed.
func (s *Server) renderAnswerEditor(w http.ResponseWriter, r *http.Request, a *store.AnswerDraft, f answerForm, code int) {
	ctx := r.Context()
	c, err := s.store.Comment(ctx, a.CommentID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d, err := s.store.DebateByID(ctx, c.DebateID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	e, err := s.store.ExpertByID(ctx, a.ExpertID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q, err := s.store.Question(ctx, a.QuestionID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q.Comment = c
	p := adminAnswerPage{consoleMeta: s.console(r, "debates", lang(r).T("%s's answer", e.Name)), Answer: a, Debate: d, Question: q, Comment: c, Expert: e, Form: f,
		Preview: template.HTML(s.articles.Render(f.Body))}
	s.render(w, r, code, "admin_answer", p)
}

func (s *Server) handleAdminAnswer(w http.ResponseWriter, r *http.Request) {
	a, err := s.adminAnswer(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderAnswerEditor(w, r, a, answerFormOf(a), http.StatusOK)
}

func (s *Server) handleAdminSaveAnswer(w http.ResponseWriter, r *http.Request) {
	stored, err := s.adminAnswer(r)
	if err == nil {
		err = r.ParseForm()
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f := answerForm{LeadIn: r.PostForm.Get("lead_in"), Body: r.PostForm.Get("body"), Position: strings.TrimSpace(r.PostForm.Get("position"))}
	edited := *stored
	a := &edited
	action := r.PostForm.Get("action")
	switch action {
	case "publish":
		a.Status = parley.AnswerPublished
	case "unpublish":
		a.Status = parley.AnswerDraft
	}
	err = s.saveEditedAnswer(r.Context(), a, f)
	if err != nil {
		code := s.formFailed(w, r, err, &f.formState, answerFields...)
		s.renderAnswerEditor(w, r, stored, f, code)
		return
	}
	e, err := s.store.ExpertByID(r.Context(), a.ExpertID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := s.store.Comment(r.Context(), a.CommentID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	l := lang(r)
	var note string
	switch {
	case action == "publish" && stored.Status != parley.AnswerPublished:
		note = l.T("Published %[1]s's answer under %[2]s's comment.", e.Name, c.AuthorName)
		if c.AuthorEmail != "" && stored.PublishedAt.IsZero() {
			note += " " + l.T("%s is told by mail.", c.AuthorName)
		}
	case action == "unpublish" && stored.Status == parley.AnswerPublished:
		note = l.T("Unpublished %s's answer: it is a draft again, which readers do not see.", e.Name)
	default:
		note = l.T("Saved %s's answer.", e.Name)
	}
	redirect(w, r, s.boardURL(c.DebateID, note, "", questionAnchor(a.QuestionID)), http.StatusSeeOther)
}

// saveEditedAnswer validates the form into a and saves it.
func (s *Server) saveEditedAnswer(ctx context.Context, a *store.AnswerDraft, f answerForm) error {
	p := parley.Problems{}
	lead, ok := parley.CleanLine(f.LeadIn)
	switch {
	case !ok:
		p.Add("lead_in", "The lead-in is not valid UTF-8 text.")
	case utf8.RuneCountInString(lead) > maxLeadInLen:
		p.Add("lead_in", "The lead-in is longer than 200 characters.")
	}
	body, err := parley.CleanAnswer(f.Body)
	addProblems(p, err)
	pos, err := strconv.Atoi(f.Position)
	if err != nil || pos < 1 || pos > 1000 {
		p.Add("position", "Give the answer's place under the comment as a whole number, 1 for the first.")
	}
	if err := p.Err(); err != nil {
		return err
	}
	a.LeadIn, a.BodyMD, a.BodyHTML, a.Position = lead, body, s.articles.Render(body), pos
	return s.saveAnswer(ctx, a)
}
