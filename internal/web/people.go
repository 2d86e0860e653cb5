package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/store"
)

const profileCommentsPerPage = 30

type profilePage struct {
	pageMeta
	Person   *parley.User
	Comments []store.ProfileComment
	NextURL  string
}

// profile reads a person's public profile: their name and approved comments.
func (s *Server) profile(r *http.Request) (*parley.User, []store.ProfileComment, int64, error) {
	u, err := s.store.User(r.Context(), pathID(r, "id"))
	if err != nil {
		if parley.ErrorCode(err) == parley.ENOTFOUND {
			err = parley.Errorf(parley.ENOTFOUND, "There is no one at this address.")
		}
		return nil, nil, 0, err
	}
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	list, err := s.store.UserComments(r.Context(), u.ID, before, profileCommentsPerPage+1)
	if err != nil {
		return nil, nil, 0, err
	}
	var next int64
	if len(list) > profileCommentsPerPage {
		list = list[:profileCommentsPerPage]
		next = list[len(list)-1].Comment.ID
	}
	return u, list, next, nil
}

func (s *Server) handleProfile(w http.ResponseWriter, r *http.Request) {
	u, list, next, err := s.profile(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := profilePage{pageMeta: s.meta(r, u.Name), Person: u, Comments: list}
	if next != 0 {
		p.NextURL = r.URL.Path + "?before=" + strconv.FormatInt(next, 10)
	}
	s.render(w, r, http.StatusOK, "profile", p)
}

type editPage struct {
	pageMeta
	Comment  *parley.Comment
	Body     string
	Problems map[string]string
	Message  string
	MaxLen   int
	Until    time.Time
}

// ownComment returns a live comment of the signed-in reader's.
func (s *Server) ownComment(r *http.Request) (*parley.Comment, error) {
	return s.store.OwnComment(r.Context(), pathID(r, "id"), currentUser(r).ID)
}

func (s *Server) handleEditCommentForm(w http.ResponseWriter, r *http.Request) {
	c, err := s.ownComment(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderEdit(w, r, c, c.BodyMD, nil, http.StatusOK)
}

func (s *Server) renderEdit(w http.ResponseWriter, r *http.Request, c *parley.Comment, body string, err error, code int) {
	p := editPage{pageMeta: s.meta(r, lang(r).T("Edit your comment")), Comment: c, Body: body, MaxLen: s.cfg.MaxCommentLen,
		Until: c.CreatedAt.Add(parley.EditWindow)}
	if err != nil {
		p.Problems = parley.ErrorFields(err)
		if len(p.Problems) == 0 {
			p.Message = parley.ErrorMessage(err)
		}
		setRetryAfter(w, err)
	}
	s.render(w, r, code, "edit", p)
}

func (s *Server) handleEditComment(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, err)
		return
	}
	body := r.PostForm.Get("body")
	c, err := s.ownComment(r)
	if err != nil {
		s.failForm(w, r, err, commentForm{Body: body})
		return
	}
	edited, err := s.editComment(r, c.ID, body)
	if err != nil {
		s.renderEdit(w, r, c, body, err, status(err))
		return
	}
	s.redirectToComment(w, r, edited)
}

// editComment checks and stores a new text for the reader's own comment.
func (s *Server) editComment(r *http.Request, id int64, body string) (*parley.Comment, error) {
	u := currentUser(r)
	if ok, wait := s.posts.allow("user:"+strconv.FormatInt(u.ID, 10), time.Now()); !ok {
		return nil, rateLimited(wait, "changing comments")
	}
	in := &parley.NewComment{AuthorName: u.Name, AuthorEmail: u.Email, Body: body}
	if err := in.Validate(s.cfg.MaxCommentLen); err != nil {
		return nil, err
	}
	c, err := s.store.OwnComment(r.Context(), id, u.ID)
	if err != nil {
		return nil, err
	}
	d, err := s.store.DebateByID(r.Context(), c.DebateID)
	if err != nil {
		return nil, err
	}
	// A new text is screened as a new comment is: an edit cannot bring in
	// what posting would have refused or held.
	html, err := s.renderComment(r.Context(), d, in.Body)
	if err != nil {
		return nil, err
	}
	hold, screening, err := s.screen(r, d, u, in, html, trapVerdict{}, id)
	if err != nil {
		return nil, err
	}
	if d.HoldForReview && hold == parley.CommentPending {
		hold = "" // held already: an approved comment of such a debate cannot be edited
	}
	edited, err := s.store.EditComment(r.Context(), id, u.ID, in.Body, html, hold, screening)
	if err != nil {
		return nil, err
	}
	// New words may be in another language.
	if lang := s.detectLanguage(in.Body); lang != "" && lang != edited.Language {
		if err := s.store.SetCommentLanguage(r.Context(), id, lang); err != nil {
			s.log.Warn("comment language after an edit", "comment", id, "err", err)
		}
		edited.Language = lang
	}
	return edited, nil
}

// redirectToComment sends the reader to the page that shows the comment.
func (s *Server) redirectToComment(w http.ResponseWriter, r *http.Request, c *parley.Comment) {
	loc, err := s.commentLocation(r, c)
	if err != nil {
		loc = "/comments/" + strconv.FormatInt(c.ID, 10)
	}
	redirect(w, r, loc, http.StatusSeeOther)
}

type deletePage struct {
	pageMeta
	Comment *parley.Comment
}

func (s *Server) handleDeleteCommentForm(w http.ResponseWriter, r *http.Request) {
	c, err := s.ownComment(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "delete", deletePage{pageMeta: s.meta(r, lang(r).T("Delete your comment")), Comment: c})
}

func (s *Server) handleDeleteComment(w http.ResponseWriter, r *http.Request) {
	c, err := s.ownComment(r)
	if err == nil {
		err = s.store.DeleteComment(r.Context(), c.ID, currentUser(r).ID)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d, err := s.store.DebateByID(r.Context(), c.DebateID)
	if err != nil {
		redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	redirect(w, r, "/debates/"+url.PathEscape(d.Slug)+"#comments", http.StatusSeeOther)
}

// Admins' pages.

type usersPage struct {
	pageMeta
	Users   []*parley.User
	Total   int
	Query   string
	Roles   []parley.Role
	NextURL string
	PrevURL string
	Saved   string
}

const usersPerPage = 50

func (s *Server) handleUsers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	pageNo, _ := strconv.Atoi(q.Get("page"))
	pageNo = max(pageNo, 1)
	list, total, err := s.store.Users(r.Context(), store.UserFilter{Query: q.Get("q"), Offset: (pageNo - 1) * usersPerPage, Limit: usersPerPage})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := usersPage{pageMeta: s.meta(r, lang(r).T("People and roles")), Users: list, Total: total, Query: q.Get("q"), Roles: parley.Roles, Saved: q.Get("saved")}
	page := func(n int) string {
		return "/admin/users?" + url.Values{"q": {p.Query}, "page": {strconv.Itoa(n)}}.Encode()
	}
	if pageNo > 1 {
		p.PrevURL = page(pageNo - 1)
	}
	if pageNo*usersPerPage < total {
		p.NextURL = page(pageNo + 1)
	}
	s.render(w, r, http.StatusOK, "users", p)
}

func (s *Server) handleSetRole(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	if err := s.setRole(r, pathID(r, "id"), parley.Role(r.PostForm.Get("role"))); err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/admin/users?"+url.Values{"q": {r.PostForm.Get("q")}, "saved": {r.PathValue("id")}}.Encode(), http.StatusSeeOther)
}

// setRole changes an account's role. An admin cannot demote themselves, so
// the site always keeps the admin who is acting.
func (s *Server) setRole(r *http.Request, id int64, role parley.Role) error {
	if !role.Valid() {
		return &parley.Error{Code: parley.EINVALID, Message: "Choose one of the roles.", Fields: map[string]string{"role": "Unknown role."}}
	}
	if id == currentUser(r).ID && role != parley.RoleAdmin {
		return parley.Errorf(parley.ECONFLICT, "You cannot take the admin role from yourself; ask another admin.")
	}
	return s.store.SetRole(r.Context(), id, role)
}
