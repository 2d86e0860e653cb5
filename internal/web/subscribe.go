package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/notify"
	"github.com/parley-org/parley/internal/store"
)

// subscribeForm is the form that follows a debate or a thread without
// commenting, with what was typed and what is wrong with it.
type subscribeForm struct {
	Action   string
	Email    string
	Delivery parley.Delivery
	// ThreadID is the thread followed, 0 for the whole debate.
	ThreadID int64
	Problems map[string]string
	Message  string
}

// newSubscribeForm is the debate page's subscribe form.
func newSubscribeForm(d *parley.Debate) subscribeForm {
	return subscribeForm{Action: "/debates/" + d.Slug + "/subscriptions#subscribe", Delivery: parley.DeliverImmediately}
}

// subscribe follows a debate, or with threadID one of its conversations,
// for a form or an API request. A signed-in reader follows with their
// account's address, proven if they confirmed it.
func (s *Server) subscribe(r *http.Request, d *parley.Debate, email string, threadID int64, delivery parley.Delivery) (notify.Outcome, error) {
	req := store.NewSubscription{Email: email, DebateID: d.ID, Scope: parley.ScopeDebate, Delivery: delivery, Language: lang(r).Code}
	if u := currentUser(r); u != nil {
		req.Email, req.Proven = u.Email, u.Verified()
	}
	if !req.Proven {
		if ok, wait := s.limits.links.allow(s.clientNet(r), time.Now()); !ok {
			return 0, rateLimited(wait, "subscribing")
		}
	}
	if threadID != 0 {
		c, err := s.visibleComment(r, threadID)
		if err != nil || c.DebateID != d.ID {
			return 0, &parley.Error{Code: parley.EINVALID, Message: "That conversation is not in this debate.",
				Fields: map[string]string{"thread": "That conversation is not in this debate."}}
		}
		req.Scope, req.CommentID = parley.ScopeThread, c.RootID
	}
	return s.notify.Subscribe(r.Context(), req)
}

// subscribedMessage says what happens next, the same for every guest
// address: whether one is confirmed already is nobody else's business. It
// is English, a catalogue key.
func subscribedMessage(o notify.Outcome, signedIn bool) string {
	if signedIn && o == notify.Active {
		return "Done: we will email you about new comments. Every mail has a link to stop it."
	}
	return "Thank you. If this address has not confirmed before, we have sent it a message with a link to confirm (at most one a day); nothing else is sent until then. Every mail has a link to stop it."
}

func (s *Server) handleSubscribe(w http.ResponseWriter, r *http.Request) {
	d, err := s.publicDebate(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	r.ParseForm()
	form := newSubscribeForm(d)
	form.Email, form.Delivery = r.PostForm.Get("email"), parley.Delivery(r.PostForm.Get("delivery"))
	form.ThreadID, _ = strconv.ParseInt(r.PostForm.Get("thread"), 10, 64)
	o, err := s.subscribe(r, d, form.Email, form.ThreadID, form.Delivery)
	if err != nil {
		setRetryAfter(w, err)
		form.Problems = parley.ErrorFields(err)
		if len(form.Problems) == 0 {
			form.Message = parley.ErrorMessage(err)
		}
		s.renderSubscribe(w, r, d, form, status(err))
		return
	}
	s.notice(w, r, lang(r).T("Following “%s”", d.Title), lang(r).T(subscribedMessage(o, currentUser(r) != nil)))
}

type subscribePage struct {
	pageMeta
	Debate *parley.Debate
	Form   subscribeForm
}

func (s *Server) handleSubscribeForm(w http.ResponseWriter, r *http.Request) {
	d, err := s.publicDebate(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	form := newSubscribeForm(d)
	form.ThreadID, _ = strconv.ParseInt(r.URL.Query().Get("thread"), 10, 64)
	s.renderSubscribe(w, r, d, form, http.StatusOK)
}

func (s *Server) renderSubscribe(w http.ResponseWriter, r *http.Request, d *parley.Debate, form subscribeForm, code int) {
	s.render(w, r, code, "subscribe", subscribePage{pageMeta: s.meta(r, lang(r).T("Follow “%s”", d.Title)), Debate: d, Form: form})
}

// tokenPage is a page reached by a link in a mail, with a button that does
// what the link is for (mail scanners open links; only people press buttons).
// Its texts are in the reader's language already.
type tokenPage struct {
	pageMeta
	Action  string
	Message string
	Button  string
}

func (s *Server) handleConfirmForm(w http.ResponseWriter, r *http.Request) {
	if err := s.notify.CheckLink("confirm", r.PathValue("token")); err != nil {
		s.fail(w, r, err)
		return
	}
	l := lang(r)
	p := tokenPage{pageMeta: s.meta(r, l.T("Confirm your subscription")), Action: r.URL.Path,
		Message: l.T("Confirm that you want mail about the debates you chose."), Button: l.T("Yes, send me this mail")}
	p.Canonical = s.cfg.BaseURL + "/subscriptions/confirm"
	s.render(w, r, http.StatusOK, "token", p)
}

func (s *Server) handleConfirm(w http.ResponseWriter, r *http.Request) {
	a, err := s.notify.Confirm(r.Context(), r.PathValue("token"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/subscriptions/"+s.notify.ManageToken(a.ID)+"?done=confirmed", http.StatusSeeOther)
}

func (s *Server) handleUnsubscribeForm(w http.ResponseWriter, r *http.Request) {
	if err := s.notify.CheckLink("unsubscribe", r.PathValue("token")); err != nil {
		s.fail(w, r, err)
		return
	}
	l := lang(r)
	p := tokenPage{pageMeta: s.meta(r, l.T("Stop this mail")), Action: r.URL.Path,
		Message: l.T("Stop the mail this link came with."), Button: l.T("Stop this mail")}
	p.Canonical = s.cfg.BaseURL + "/unsubscribe"
	s.render(w, r, http.StatusOK, "token", p)
}

// handleUnsubscribe ends a subscription. Mail programs POST here with
// "List-Unsubscribe=One-Click" (RFC 8058); people press the page's button.
func (s *Server) handleUnsubscribe(w http.ResponseWriter, r *http.Request) {
	out, err := s.notify.Unsubscribe(r.Context(), r.PathValue("token"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	l := lang(r)
	msg := l.T("You will get no more of this mail.")
	if len(out.Subscriptions) == 1 {
		msg = l.T("You will get no more mail about “%s”.", out.Subscriptions[0].DebateTitle)
	}
	p := tokenPage{pageMeta: s.meta(r, l.T("Unsubscribed")), Message: msg}
	p.Canonical = s.cfg.BaseURL + "/unsubscribe"
	p.Action = "/subscriptions/" + s.notify.ManageToken(out.AddressID)
	s.render(w, r, http.StatusOK, "unsubscribed", p)
}

type manageSubscriptionsPage struct {
	pageMeta
	Address       *parley.Address
	Subscriptions []*parley.Subscription
	Action        string
	Done          string
	Deliveries    []parley.Delivery
}

func (s *Server) handleManageSubscriptions(w http.ResponseWriter, r *http.Request) {
	a, err := s.notify.AddressOf(r.Context(), r.PathValue("token"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	subs, err := s.notify.Subscriptions(r.Context(), a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := manageSubscriptionsPage{pageMeta: s.meta(r, lang(r).T("Your subscriptions")), Address: a, Subscriptions: subs, Action: r.URL.Path,
		Done: r.URL.Query().Get("done"), Deliveries: []parley.Delivery{parley.DeliverImmediately, parley.DeliverDaily, parley.DeliverWeekly}}
	p.Canonical = s.cfg.BaseURL + "/subscriptions"
	s.render(w, r, http.StatusOK, "subscriptions", p)
}

// handleChangeSubscriptions changes how often one subscription is
// delivered, stops it, or stops all mail to the address.
func (s *Server) handleChangeSubscriptions(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	a, err := s.notify.AddressOf(r.Context(), token)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	r.ParseForm()
	id, _ := strconv.ParseInt(r.PostForm.Get("subscription"), 10, 64)
	done := "saved"
	switch r.PostForm.Get("action") {
	case "delivery":
		err = s.store.SetDelivery(r.Context(), a.ID, id, parley.Delivery(r.PostForm.Get("delivery")))
	case "stop":
		err = s.store.EndSubscription(r.Context(), a.ID, id)
	case "confirm":
		// This page's link came by mail to the address: its owner is here.
		err = s.store.ConfirmSubscription(r.Context(), a.ID, id)
	case "stop-all":
		err, done = s.notify.UnsubscribeAll(r.Context(), a), "stopped"
	default:
		err = parley.Errorf(parley.EBADREQUEST, "Choose what to change.")
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/subscriptions/"+token+"?done="+done, http.StatusSeeOther)
}

type apiSubscribeBody struct {
	Email    string `json:"email"`
	ThreadID int64  `json:"thread_id"`
	Delivery string `json:"delivery"`
}

// apiSubscribe follows a debate or a thread; 202 whatever the address's state.
func (s *Server) apiSubscribe(w http.ResponseWriter, r *http.Request) {
	d, err := s.publicDebate(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	var body apiSubscribeBody
	if err := decodeJSON(r, &body); err != nil {
		s.apiFail(w, r, err)
		return
	}
	o, err := s.subscribe(r, d, body.Email, body.ThreadID, parley.Delivery(body.Delivery))
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, apiMessage{Message: lang(r).T(subscribedMessage(o, currentUser(r) != nil))})
}

type adminMailPage struct {
	pageMeta
	Failed      []store.FailedJob
	Undelivered []*parley.Address
}

// handleAdminMail shows the mail that could not be delivered, and the
// addresses that refused it, for admins.
func (s *Server) handleAdminMail(w http.ResponseWriter, r *http.Request) {
	failed, err := s.store.FailedJobs(r.Context(), 100)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	undelivered, err := s.store.SuppressedAddresses(r.Context(), "bounced", 100)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "adminmail", adminMailPage{pageMeta: s.meta(r, lang(r).T("Mail that failed")), Failed: failed, Undelivered: undelivered})
}
