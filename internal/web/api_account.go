package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/auth"
	"github.com/parley-org/parley/internal/store"
)

// apiUser is an account as the API shows it. Email is set only for the
// account itself and for admins.
type apiUser struct {
	ID         int64     `json:"id"`
	Name       string    `json:"name"`
	Role       string    `json:"role,omitempty"`
	Email      string    `json:"email,omitempty"`
	Verified   *bool     `json:"verified,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	ProfileURL string    `json:"profile_url"`
}

func (s *Server) apiUserOf(u *parley.User, private bool) apiUser {
	a := apiUser{ID: u.ID, Name: u.Name, CreatedAt: u.CreatedAt, ProfileURL: s.cfg.BaseURL + "/people/" + strconv.FormatInt(u.ID, 10)}
	if private {
		verified := u.Verified()
		a.Role, a.Email, a.Verified = string(u.Role), u.Email, &verified
	}
	return a
}

type apiSignUpBody struct {
	Name     string `json:"name"`
	Email    string `json:"email"`
	Password string `json:"password"`
}

// apiSignUp creates an account. The answer is 202 whether or not the
// address had one: the mail says which.
func (s *Server) apiSignUp(w http.ResponseWriter, r *http.Request) {
	var body apiSignUpBody
	if err := decodeJSON(r, &body); err != nil {
		s.apiFail(w, r, err)
		return
	}
	if err := s.signUp(r, body.Name, body.Email, body.Password, ""); err != nil {
		s.apiFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, apiMessage{Message: lang(r).T("Check your email: open the link in it to confirm your address.")})
}

type apiMessage struct {
	Message string `json:"message"`
}

type apiSignInBody struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

type apiSession struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
	User      apiUser   `json:"user"`
}

// apiSignIn starts a session for a program: its token goes in the
// Authorization header as a bearer token.
func (s *Server) apiSignIn(w http.ResponseWriter, r *http.Request) {
	var body apiSignInBody
	if err := decodeJSON(r, &body); err != nil {
		s.apiFail(w, r, err)
		return
	}
	u, err := s.signIn(r, body.Email, body.Password)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.apiStartSession(w, r, u)
}

func (s *Server) apiSignOut(w http.ResponseWriter, r *http.Request) {
	v := currentViewer(r)
	if v.sessionHash == "" {
		s.apiFail(w, r, parley.Errorf(parley.EBADREQUEST, "This request carries an API token, not a session; revoke tokens in the console."))
		return
	}
	if err := s.store.DeleteSession(r.Context(), v.sessionHash); err != nil {
		s.apiFail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// apiSignOutEverywhere ends every session of the account, this one too.
func (s *Server) apiSignOutEverywhere(w http.ResponseWriter, r *http.Request) {
	if err := s.store.DeleteSessions(r.Context(), currentUser(r).ID, ""); err != nil {
		s.apiFail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type apiUseLinkBody struct {
	Purpose  string `json:"purpose"`
	Token    string `json:"token"`
	Password string `json:"password,omitempty"`
}

// apiUseLink does what an emailed link is for, for an app that received
// the link, and starts a session.
func (s *Server) apiUseLink(w http.ResponseWriter, r *http.Request) {
	var body apiUseLinkBody
	if err := decodeJSON(r, &body); err != nil {
		s.apiFail(w, r, err)
		return
	}
	purpose := store.LinkPurpose(body.Purpose)
	if _, ok := linkTTL[purpose]; !ok {
		s.apiFail(w, r, errLinkPurpose())
		return
	}
	u, err := s.completeLink(r.Context(), purpose, auth.HashToken(body.Token), body.Password)
	var le *store.LinkError
	if errors.As(err, &le) {
		code := parley.ENOTFOUND
		if le.Reason != store.LinkUnknown {
			code = parley.ECONFLICT
		}
		err = parley.Errorf(code, "%s", le.Error())
	}
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.apiStartSession(w, r, u)
}

// errLinkPurpose refuses a link purpose the API does not know. The field's
// name and its values are the API's, not words to translate.
func errLinkPurpose() error {
	signin, reset, verify := store.LinkSignIn, store.LinkReset, store.LinkVerify
	return &parley.Error{Code: parley.EINVALID, Message: fmt.Sprintf("%s must be %s, %s or %s.", "purpose", signin, reset, verify),
		Fields: map[string]string{"purpose": fmt.Sprintf("Must be %s, %s or %s.", signin, reset, verify)}}
}

// apiStartSession answers with a new session for the account.
func (s *Server) apiStartSession(w http.ResponseWriter, r *http.Request, u *parley.User) {
	token, hash := auth.NewToken()
	if err := s.store.CreateSession(r.Context(), u.ID, hash); err != nil {
		s.apiFail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, apiSession{Token: token, ExpiresAt: time.Now().Add(store.SessionLifetime).UTC().Truncate(time.Second), User: s.apiUserOf(u, true)})
}

type apiLinkBody struct {
	Purpose string `json:"purpose"`
	Email   string `json:"email"`
}

// apiRequestLink mails a sign-in, reset or verification link; 202 whether
// or not the address has an account.
func (s *Server) apiRequestLink(w http.ResponseWriter, r *http.Request) {
	var body apiLinkBody
	if err := decodeJSON(r, &body); err != nil {
		s.apiFail(w, r, err)
		return
	}
	if _, ok := linkTTL[store.LinkPurpose(body.Purpose)]; !ok {
		s.apiFail(w, r, errLinkPurpose())
		return
	}
	if err := s.requestLink(r, store.LinkPurpose(body.Purpose), body.Email, ""); err != nil {
		s.apiFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, apiMessage{Message: lang(r).T(linkSentMessage)})
}

func (s *Server) apiMe(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.apiUserOf(currentUser(r), true))
}

type apiEditBody struct {
	Body string `json:"body"`
}

func (s *Server) apiEditComment(w http.ResponseWriter, r *http.Request) {
	var body apiEditBody
	if err := decodeJSON(r, &body); err != nil {
		s.apiFail(w, r, err)
		return
	}
	c, err := s.ownComment(r)
	if err == nil {
		c, err = s.editComment(r, c.ID, body.Body)
	}
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	d, err := s.store.DebateByID(r.Context(), c.DebateID)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.apiCommentOf(d.Slug, c))
}

func (s *Server) apiDeleteComment(w http.ResponseWriter, r *http.Request) {
	c, err := s.ownComment(r)
	if err == nil {
		err = s.store.DeleteComment(r.Context(), c.ID, currentUser(r).ID)
	}
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type apiProfile struct {
	User     apiUser       `json:"user"`
	Comments []*apiComment `json:"comments"`
	Next     *string       `json:"next"`
}

func (s *Server) apiProfile(w http.ResponseWriter, r *http.Request) {
	u, list, next, err := s.profile(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	p := apiProfile{User: s.apiUserOf(u, false), Comments: []*apiComment{}}
	for _, pc := range list {
		p.Comments = append(p.Comments, s.apiCommentOf(pc.DebateSlug, pc.Comment))
	}
	if next != 0 {
		n := s.cfg.BaseURL + r.URL.Path + "?before=" + strconv.FormatInt(next, 10)
		p.Next = &n
	}
	writeJSON(w, http.StatusOK, p)
}

type apiUserList struct {
	Users []apiUser `json:"users"`
	Total int       `json:"total"`
}

func (s *Server) apiListUsers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page, per, err := pageParams(q.Get("page"), q.Get("per_page"), 50, 200)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	list, total, err := s.store.Users(r.Context(), store.UserFilter{Query: q.Get("q"), Offset: (page - 1) * per, Limit: per})
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	out := apiUserList{Users: []apiUser{}, Total: total}
	for _, u := range list {
		out.Users = append(out.Users, s.apiUserOf(u, true))
	}
	writeJSON(w, http.StatusOK, out)
}

type apiRoleBody struct {
	Role string `json:"role"`
}

func (s *Server) apiSetRole(w http.ResponseWriter, r *http.Request) {
	var body apiRoleBody
	if err := decodeJSON(r, &body); err != nil {
		s.apiFail(w, r, err)
		return
	}
	id := pathID(r, "id")
	err := s.setRole(r, id, parley.Role(body.Role))
	var u *parley.User
	if err == nil {
		u, err = s.store.User(r.Context(), id)
	}
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.apiUserOf(u, true))
}
