package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/akismet"
	"github.com/parley-org/parley/internal/i18n"
	"github.com/parley-org/parley/internal/store"
	"github.com/parley-org/parley/internal/wordlist"
)

// The moderation console: queues of comments (pending, reported, spam,
// trash, appeals) with everything a moderator needs to decide on each, bulk
// decisions, bans, each debate's policy and the audit log. Its pages work
// without JavaScript; moderation.js adds keyboard shortcuts.

// queueLabel names a queue on its tab: a catalogue key.
func queueLabel(q store.Queue) string {
	switch q {
	case store.QueuePending:
		return "Pending"
	case store.QueueReported:
		return "Reported"
	case store.QueueSpam:
		return "Spam"
	case store.QueueTrash:
		return "Trash"
	case store.QueueAppeals:
		return "Appeals"
	}
	return string(q)
}

type queueTab struct {
	Queue  store.Queue
	Label  string
	Count  int
	Active bool
	URL    string
}

// queueCard is a comment in a queue, as a card shows it.
type queueCard struct {
	*store.QueueItem
	Features []spamFeature
}

type spamFeature struct {
	Feature string  `json:"feature"`
	Weight  float64 `json:"weight"`
}

type moderationPage struct {
	pageMeta
	Section    string
	Queue      store.Queue
	Tabs       []queueTab
	Debates    []*parley.Debate
	DebateID   int64
	Cards      []queueCard
	NextURL    string
	Categories []parley.ReportReason
	Done       string
	Problem    string
	// Back is this page's address, where a decision returns to.
	Back string
	// Single is a page of one comment's card, outside the queues.
	Single bool
	// Retry is what a moderator typed into a form that failed, to fill it
	// in again.
	Retry retryForm
}

// retryForm is a console form that failed, by its "for" field ("bulk",
// "c12" for comment 12's decision, "a12" its appeal, "b12" its ban).
type retryForm struct {
	For, Reason, Category, Kind, Days string
}

func retryFrom(q url.Values) retryForm {
	return retryForm{For: q.Get("for"), Reason: q.Get("reason"), Category: q.Get("category"), Kind: q.Get("kind"), Days: q.Get("days")}
}

// retry sends a moderator back to the console with a problem, in their
// language, and what they typed, so a failed form loses nothing.
func retry(w http.ResponseWriter, r *http.Request, problem string) {
	u, err := url.Parse(withNote(backTo(r), "problem", problem))
	if err != nil {
		redirect(w, r, "/moderation", http.StatusSeeOther)
		return
	}
	q := u.Query()
	for _, k := range []string{"for", "reason", "category", "kind", "days"} {
		if v := r.PostForm.Get(k); v != "" {
			q.Set(k, v)
		}
	}
	u.RawQuery = q.Encode()
	redirect(w, r, u.String(), http.StatusSeeOther)
}

// moderatorActor is the signed-in moderator, for the audit log.
func moderatorActor(r *http.Request) store.Actor {
	u := currentUser(r)
	return store.Actor{ID: u.ID, Name: u.Name}
}

func (s *Server) handleModeration(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	queue := store.Queue(q.Get("queue"))
	if queue == "" {
		queue = store.QueuePending
	}
	if !queue.Valid() {
		s.fail(w, r, parley.Errorf(parley.ENOTFOUND, "There is no such queue."))
		return
	}
	debateID, _ := strconv.ParseInt(q.Get("debate"), 10, 64)
	before, _ := strconv.ParseInt(q.Get("before"), 10, 64)
	items, err := s.store.ModerationQueue(ctx, store.QueueFilter{Queue: queue, DebateID: debateID, Before: before, Limit: 25})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	counts, err := s.store.QueueCounts(ctx, debateID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	debates, _, err := s.store.Debates(ctx, parley.DebateFilter{Limit: 200})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := moderationPage{pageMeta: s.meta(r, lang(r).T("Moderation")), Section: "queues", Queue: queue, Debates: debates, DebateID: debateID,
		Categories: parley.ReportReasons, Done: q.Get("done"), Problem: q.Get("problem"), Back: queueURL(queue, debateID, before), Retry: retryFrom(q)}
	for _, k := range store.Queues {
		p.Tabs = append(p.Tabs, queueTab{Queue: k, Label: lang(r).T(queueLabel(k)), Count: counts[k], Active: k == queue, URL: queueURL(k, debateID, 0)})
	}
	for _, it := range items {
		card := queueCard{QueueItem: it}
		if it.SpamFeatures != "" {
			json.Unmarshal([]byte(it.SpamFeatures), &card.Features)
		}
		p.Cards = append(p.Cards, card)
	}
	if len(items) == 25 {
		p.NextURL = queueURL(queue, debateID, items[len(items)-1].Comment.ID)
	}
	s.render(w, r, http.StatusOK, "moderation", p)
}

// handleModerateComment shows one comment's card, whatever its queue: the
// way from a debate page to a decision on any comment.
func (s *Server) handleModerateComment(w http.ResponseWriter, r *http.Request) {
	id := pathID(r, "id")
	items, err := s.store.ModerationQueue(r.Context(), store.QueueFilter{CommentID: id})
	if err == nil && len(items) == 0 {
		err = parley.Errorf(parley.ENOTFOUND, "There is no such comment.")
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	back := "/moderation/comments/" + strconv.FormatInt(id, 10)
	p := moderationPage{pageMeta: s.meta(r, lang(r).T("Moderate comment #%s", strconv.FormatInt(id, 10))), Section: "queues", Single: true,
		Categories: parley.ReportReasons, Done: q.Get("done"), Problem: q.Get("problem"), Back: back, Retry: retryFrom(q)}
	card := queueCard{QueueItem: items[0]}
	if card.SpamFeatures != "" {
		json.Unmarshal([]byte(card.SpamFeatures), &card.Features)
	}
	p.Cards = []queueCard{card}
	s.render(w, r, http.StatusOK, "moderation", p)
}

func queueURL(q store.Queue, debateID, before int64) string {
	v := url.Values{"queue": {string(q)}}
	if debateID != 0 {
		v.Set("debate", strconv.FormatInt(debateID, 10))
	}
	if before != 0 {
		v.Set("before", strconv.FormatInt(before, 10))
	}
	return "/moderation?" + v.Encode()
}

// withNote adds a note (done or problem) to a console address.
func withNote(back, key, note string) string {
	u, err := url.Parse(back)
	if err != nil {
		return "/moderation"
	}
	q := u.Query()
	q.Del("done")
	q.Del("problem")
	q.Set(key, note)
	u.RawQuery = q.Encode()
	return u.String()
}

// handleDecide carries out a decision on the comments selected in a queue.
func (s *Server) handleDecide(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	d := parley.Decision{Verb: parley.ModerationVerb(r.PostForm.Get("action")), Category: parley.ReportReason(r.PostForm.Get("category")),
		Reason: r.PostForm.Get("reason")}
	for _, v := range r.PostForm["ids"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			d.CommentIDs = append(d.CommentIDs, id)
		}
	}
	n, err := s.decide(r.Context(), d, moderatorActor(r))
	if err != nil {
		code := status(err)
		if code >= 500 {
			s.fail(w, r, err)
			return
		}
		retry(w, r, problemIn(lang(r), err))
		return
	}
	redirect(w, r, withNote(backTo(r), "done", decisionNote(lang(r), d.Verb, n)), http.StatusSeeOther)
}

func fieldMessages(err error) []string {
	var out []string
	for _, m := range parley.ErrorFields(err) {
		out = append(out, m)
	}
	return out
}

// problemIn is a domain error's message and field messages, in a language.
func problemIn(l *i18n.Lang, err error) string {
	out := []string{l.Message(parley.ErrorMessage(err))}
	for _, m := range fieldMessages(err) {
		out = append(out, l.Message(m))
	}
	return strings.Join(out, " ")
}

// decisionNote tells a moderator what their decision did.
func decisionNote(l *i18n.Lang, v parley.ModerationVerb, n int) string {
	switch v {
	case parley.VerbApprove:
		return l.T("%d comments approved.", n)
	case parley.VerbSpam:
		return l.T("%d comments marked spam.", n)
	case parley.VerbTrash:
		return l.T("%d comments moved to the trash.", n)
	}
	return l.T("%d comments restored.", n)
}

// decide carries out a decision and, in the same transaction, queues the
// statement of reasons for each comment it removes from view, and the
// spam/not-spam lessons (the classifier learns them after the commit).
func (s *Server) decide(ctx context.Context, d parley.Decision, by store.Actor) (int, error) {
	// Cleaned here, so that the statement mails the reason as it is stored.
	if err := d.Validate(); err != nil {
		return 0, err
	}
	var done []store.Moderated
	err := s.store.Atomically(ctx, func(ctx context.Context) error {
		var err error
		if done, err = s.store.Moderate(ctx, d, by); err != nil {
			return err
		}
		for _, m := range done {
			if m.Removed() && statementOwed(m) {
				if err := s.queueStatement(ctx, m, d); err != nil {
					return err
				}
			}
			if err := s.teach(ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	if err := s.spam.catchUp(ctx); err != nil {
		s.log.Warn("learn a spam decision", "err", err)
	}
	if s.cfg.Akismet != nil {
		go s.tellAkismet(context.WithoutCancel(ctx), done)
	}
	for _, m := range done {
		if m.Comment.Status == parley.CommentApproved {
			s.notify.Kick()
			break
		}
	}
	return len(done), nil
}

// teach records what a decision teaches the spam classifier, in the
// decision's transaction; every node learns it from the store.
func (s *Server) teach(ctx context.Context, m store.Moderated) error {
	isSpam, ok := m.Lesson()
	if !ok {
		return nil
	}
	return s.store.AddSpamLesson(ctx, m.Comment.ID, m.Comment.BodyMD, parley.CountLinks(m.Comment.BodyHTML, s.cfg.BaseURL), isSpam)
}

// tellAkismet reports moderators' spam and not-spam decisions to the
// configured service, for comments whose IP address is still kept (the
// service needs it). It is feedback: a failure is logged and forgotten.
func (s *Server) tellAkismet(ctx context.Context, done []store.Moderated) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	for _, m := range done {
		isSpam, ok := m.Lesson()
		if !ok {
			continue
		}
		ip, err := s.store.CommentIP(ctx, m.Comment.ID)
		if err != nil || ip == "" {
			continue
		}
		c := akismet.Comment{IP: ip, Author: m.Comment.AuthorName, AuthorEmail: m.Comment.AuthorEmail, Content: m.Comment.BodyMD,
			Created: m.Comment.CreatedAt, Type: "comment"}
		if m.Comment.ParentID != 0 {
			c.Type = "reply"
		}
		if isSpam {
			err = s.cfg.Akismet.SubmitSpam(ctx, c)
		} else {
			err = s.cfg.Akismet.SubmitHam(ctx, c)
		}
		if err != nil {
			s.log.Warn("report a moderation decision to the spam service", "comment", m.Comment.ID, "err", err)
		}
	}
}

// statementOwed reports whether a removal is explained to its author: a
// comment readers could see (or saw until reports hid it), or one a
// moderator removed for breaking a rule. Spam held when it was posted is filed without a word: the EU
// Digital Services Act asks no statement for deceptive high-volume
// commercial content, and mailing the addresses spam carries would be
// backscatter to people who never wrote it.
func statementOwed(m store.Moderated) bool {
	if m.Comment.AuthorEmail == "" || !m.Comment.DeletedAt.IsZero() {
		return false
	}
	return m.WasPublic || m.To == parley.CommentTrash
}

// maxBanDays bounds a ban with an end: ten years.
const maxBanDays = 3650

// handleBan bans the account, address or network a comment came from.
func (s *Server) handleBan(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	var expires time.Time
	days, err := strconv.Atoi(strings.TrimSpace(r.PostForm.Get("days")))
	if err != nil || days < 0 || days > maxBanDays {
		retry(w, r, lang(r).T("Please choose how long the ban lasts: a number of days up to 3650, or 0 until lifted."))
		return
	}
	if days > 0 {
		expires = time.Now().Add(time.Duration(days) * 24 * time.Hour)
	}
	reason, _ := parley.CleanLine(r.PostForm.Get("reason"))
	if reason == "" {
		retry(w, r, lang(r).T("Please give the reason for the ban."))
		return
	}
	b, err := s.store.BanAuthor(r.Context(), pathID(r, "id"), parley.BanKind(r.PostForm.Get("kind")), reason, expires, moderatorActor(r))
	if err != nil {
		if status(err) >= 500 {
			s.fail(w, r, err)
			return
		}
		retry(w, r, lang(r).Message(parley.ErrorMessage(err)))
		return
	}
	redirect(w, r, withNote(backTo(r), "done", lang(r).T("Banned the %s.", banLabel(lang(r), b))), http.StatusSeeOther)
}

type bansPage struct {
	pageMeta
	Section string
	Bans    []*parley.Ban
	Done    string
}

func (s *Server) handleBans(w http.ResponseWriter, r *http.Request) {
	bans, err := s.store.Bans(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "moderation_bans", bansPage{pageMeta: s.meta(r, lang(r).T("Bans")), Section: "bans", Bans: bans, Done: r.URL.Query().Get("done")})
}

func (s *Server) handleLiftBan(w http.ResponseWriter, r *http.Request) {
	if err := s.store.LiftBan(r.Context(), pathID(r, "id"), moderatorActor(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/moderation/bans?done="+url.QueryEscape(lang(r).T("The ban is lifted.")), http.StatusSeeOther)
}

// handleDecideAppeal settles an appeal: the comment comes back, or the
// decision stands; either way its author is told.
func (s *Server) handleDecideAppeal(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	reason, ok := parley.CleanText(r.PostForm.Get("reason"))
	if !ok || strings.TrimSpace(reason) == "" {
		retry(w, r, lang(r).T("Please write the reason for your decision on the appeal: its author reads it."))
		return
	}
	reverse := r.PostForm.Get("outcome") == "reverse"
	var m store.Moderated
	err := s.store.Atomically(r.Context(), func(ctx context.Context) error {
		var err error
		if m, err = s.store.DecideAppeal(ctx, pathID(r, "id"), reverse, reason, moderatorActor(r)); err != nil {
			return err
		}
		if err := s.teach(ctx, m); err != nil {
			return err
		}
		return s.queueAppealOutcome(ctx, m, reverse, reason)
	})
	if err != nil {
		if status(err) >= 500 {
			s.fail(w, r, err)
			return
		}
		retry(w, r, lang(r).Message(parley.ErrorMessage(err)))
		return
	}
	if reverse {
		s.spam.catchUp(r.Context())
		s.notify.Kick()
	}
	note := lang(r).T("Appeal decided: the removal stands, and its author is told.")
	if reverse {
		note = lang(r).T("Appeal decided: the comment is restored, and its author is told.")
	}
	redirect(w, r, withNote(backTo(r), "done", note), http.StatusSeeOther)
}

type moderationLogPage struct {
	pageMeta
	Section  string
	Actions  []parley.ModerationAction
	Debates  []*parley.Debate
	DebateID int64
	NextURL  string
}

// handleModerationLog lists every moderation action, newest first.
func (s *Server) handleModerationLog(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	debateID, _ := strconv.ParseInt(q.Get("debate"), 10, 64)
	before, _ := strconv.ParseInt(q.Get("before"), 10, 64)
	actions, err := s.store.ModerationLog(r.Context(), store.LogFilter{DebateID: debateID, Before: before, Limit: 100})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	debates, _, err := s.store.Debates(r.Context(), parley.DebateFilter{Limit: 200})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := moderationLogPage{pageMeta: s.meta(r, lang(r).T("Moderation log")), Section: "log", Actions: actions, Debates: debates, DebateID: debateID}
	if len(actions) == 100 {
		v := url.Values{"before": {strconv.FormatInt(actions[len(actions)-1].ID, 10)}}
		if debateID != 0 {
			v.Set("debate", strconv.FormatInt(debateID, 10))
		}
		p.NextURL = "/moderation/log?" + v.Encode()
	}
	s.render(w, r, http.StatusOK, "moderation_log", p)
}

type policyPage struct {
	pageMeta
	Section  string
	Debate   *parley.Debate
	Mode     string
	Policy   parley.Policy
	Problems map[string]string
	Message  string
	Saved    bool
}

func (s *Server) handlePolicyForm(w http.ResponseWriter, r *http.Request) {
	d, err := s.store.DebateByID(r.Context(), pathID(r, "id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "moderation_policy", policyPage{pageMeta: s.meta(r, lang(r).T("Moderation policy: %s", d.Title)), Section: "queues",
		Debate: d, Mode: policyMode(d.HoldForReview, d.Policy), Policy: d.Policy, Saved: r.URL.Query().Get("saved") != ""})
}

func policyMode(holdAll bool, p parley.Policy) string {
	switch {
	case holdAll:
		return "all"
	case p.HoldFirstTime:
		return "first"
	}
	return "post"
}

// handleSavePolicy saves a debate's policy; a word list that does not
// compile comes back with the moderator's text and the line at fault.
func (s *Server) handleSavePolicy(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	d, err := s.store.DebateByID(ctx, pathID(r, "id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	r.ParseForm()
	f := r.PostForm
	mode := f.Get("mode")
	p := parley.Policy{HoldFirstTime: mode == "first", HoldWords: f.Get("hold_words"), RejectWords: f.Get("reject_words")}
	problems := map[string]string{}
	var convErr error
	if p.MaxLinks, convErr = strconv.Atoi(strings.TrimSpace(f.Get("max_links"))); convErr != nil {
		problems["max_links"] = "Please give a whole number of links."
	}
	if p.ReportThreshold, convErr = strconv.Atoi(strings.TrimSpace(f.Get("report_threshold"))); convErr != nil {
		problems["report_threshold"] = "Please give a whole number of reports."
	}
	if len(problems) == 0 {
		if err := p.Validate(); err != nil {
			problems = parley.ErrorFields(err)
		}
	}
	for field, list := range map[string]string{"hold_words": p.HoldWords, "reject_words": p.RejectWords} {
		if _, err := wordlist.Parse(list); err != nil && problems[field] == "" {
			problems[field] = wordListProblem(err)
		}
	}
	if len(problems) == 0 {
		err = s.store.SetPolicy(ctx, d.ID, mode == "all", p, moderatorActor(r))
		if err == nil {
			redirect(w, r, "/moderation/debates/"+strconv.FormatInt(d.ID, 10)+"/policy?saved=1", http.StatusSeeOther)
			return
		}
		if status(err) >= 500 {
			s.fail(w, r, err)
			return
		}
		problems = parley.ErrorFields(err)
	}
	s.render(w, r, http.StatusUnprocessableEntity, "moderation_policy", policyPage{pageMeta: s.meta(r, lang(r).T("Moderation policy: %s", d.Title)),
		Section: "queues", Debate: d, Mode: mode, Policy: p, Problems: problems, Message: lang(r).T("Please correct what is marked below; nothing was saved.")})
}

// wordListProblem says what is wrong with a word list, in an English
// sentence made from one format, so that the page can translate it.
func wordListProblem(err error) string {
	var pe *wordlist.ParseError
	if !errors.As(err, &pe) {
		return err.Error()
	}
	line := strconv.Itoa(pe.Line)
	body, _ := strings.CutSuffix(pe.Term, "*")
	switch {
	case pe.Msg == fmt.Sprintf("more than %d terms", wordlist.MaxTerms):
		return fmt.Sprintf("wordlist: line %s: more than %d terms", line, wordlist.MaxTerms)
	case utf8.RuneCountInString(pe.Term) > wordlist.MaxTermLen:
		return fmt.Sprintf("wordlist: line %s: term is %d characters long, the limit is %d", line, utf8.RuneCountInString(pe.Term), wordlist.MaxTermLen)
	case strings.Contains(body, "*"):
		return fmt.Sprintf("wordlist: line %s: term %s: '*' is only allowed at the end", line, strconv.Quote(pe.Term))
	}
	return fmt.Sprintf("wordlist: line %s: term %s normalises to nothing", line, strconv.Quote(pe.Term))
}

// banLabel names what a ban covers in l: an address as it is, an account
// or a network in words.
func banLabel(l *i18n.Lang, b *parley.Ban) string {
	if b.Kind == parley.BanEmail {
		return b.Label
	}
	return l.Message(b.Label)
}
