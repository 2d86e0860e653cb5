package web

import (
	"encoding/json"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/store"
)

// The console's JSON API under /api/v1/admin: what the console's pages do,
// for programs holding an editor's API token. Requests change only the
// fields they send (PATCH) and share the pages' validation.

type apiAdminDebate struct {
	ID            int64              `json:"id"`
	Slug          string             `json:"slug"`
	Title         string             `json:"title"`
	Question      string             `json:"question"`
	BodyMD        string             `json:"body_md"`
	BodyHTML      string             `json:"body_html"`
	ImageURL      string             `json:"image_url"`
	ImageCredit   string             `json:"image_credit"`
	Topics        []string           `json:"topics"`
	Status        string             `json:"status"`
	PublishAt     *time.Time         `json:"publish_at"`
	PublishedAt   *time.Time         `json:"published_at"`
	AccountsOnly  bool               `json:"accounts_only"`
	HoldForReview bool               `json:"hold_for_review"`
	CommentCount  int                `json:"comment_count"`
	CreatedAt     time.Time          `json:"created_at"`
	UpdatedAt     time.Time          `json:"updated_at"`
	URL           string             `json:"url"`
	Questions     []apiAdminQuestion `json:"questions,omitempty"`
}

type apiAdminQuestion struct {
	ID          int64       `json:"id"`
	Position    int         `json:"position"`
	FramingMD   string      `json:"framing_md"`
	FramingHTML string      `json:"framing_html"`
	Comment     *apiComment `json:"comment"`
}

type apiAdminDebateList struct {
	Debates []apiAdminDebate `json:"debates"`
	Total   int              `json:"total"`
	Page    int              `json:"page"`
	PerPage int              `json:"per_page"`
}

func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func (s *Server) apiAdminDebateOf(d *parley.Debate, questions []*parley.Question) apiAdminDebate {
	a := apiAdminDebate{
		ID: d.ID, Slug: d.Slug, Title: d.Title, Question: d.Question, BodyMD: d.BodyMD, BodyHTML: d.BodyHTML,
		ImageURL: d.ImageURL, ImageCredit: d.ImageCredit, Topics: d.Topics, Status: string(d.Status),
		PublishAt: timeOrNil(d.PublishAt), PublishedAt: timeOrNil(d.PublishedAt), AccountsOnly: d.AccountsOnly,
		HoldForReview: d.HoldForReview, CommentCount: d.CommentCount, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt,
		URL: s.cfg.BaseURL + "/debates/" + d.Slug,
	}
	if a.Topics == nil {
		a.Topics = []string{}
	}
	for _, q := range questions {
		a.Questions = append(a.Questions, s.apiAdminQuestionOf(d.Slug, q))
	}
	return a
}

func (s *Server) apiAdminQuestionOf(slug string, q *parley.Question) apiAdminQuestion {
	return apiAdminQuestion{ID: q.ID, Position: q.Position, FramingMD: q.FramingMD, FramingHTML: q.FramingHTML,
		Comment: s.apiCommentOf(slug, q.Comment)}
}

// apiDebateInput is a debate as clients send it; a field left out is left
// as it is.
type apiDebateInput struct {
	Slug        *string  `json:"slug"`
	Title       *string  `json:"title"`
	Question    *string  `json:"question"`
	BodyMD      *string  `json:"body_md"`
	ImageURL    *string  `json:"image_url"`
	ImageCredit *string  `json:"image_credit"`
	Topics      []string `json:"topics"`
	Status      *string  `json:"status"`
	// PublishAt is raw so that null (no schedule) differs from absent.
	PublishAt     json.RawMessage `json:"publish_at"`
	AccountsOnly  *bool           `json:"accounts_only"`
	HoldForReview *bool           `json:"hold_for_review"`
}

// setIf sets *dst to *v when v was sent.
func setIf[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

func (in *apiDebateInput) apply(d *parley.Debate, now time.Time) parley.Problems {
	setIf(&d.Slug, in.Slug)
	setIf(&d.Title, in.Title)
	setIf(&d.Question, in.Question)
	setIf(&d.BodyMD, in.BodyMD)
	setIf(&d.ImageURL, in.ImageURL)
	setIf(&d.ImageCredit, in.ImageCredit)
	setIf(&d.AccountsOnly, in.AccountsOnly)
	setIf(&d.HoldForReview, in.HoldForReview)
	if in.Topics != nil {
		d.Topics = in.Topics
	}
	if in.Status != nil {
		d.Status = parley.DebateStatus(*in.Status)
	}
	p := parley.Problems{}
	switch string(in.PublishAt) {
	case "":
	case "null":
		d.PublishAt = time.Time{}
	default:
		var t time.Time
		switch {
		case json.Unmarshal(in.PublishAt, &t) != nil:
			p.Add("publish_at", "publish_at must be an RFC 3339 date-time, such as 2026-05-01T08:00:00Z, or null.")
		case d.Status != parley.DebateDraft:
			p.Add("publish_at", `Only a draft can be scheduled: send "status": "draft" with publish_at.`)
		case scheduleProblem(t, now) != "":
			p.Add("publish_at", scheduleProblem(t, now))
		default:
			d.PublishAt = t.UTC()
		}
	}
	return p
}

// apiFieldNames maps the names of the pages' fields to the API's, where
// they differ.
var apiFieldNames = map[string]string{"body": "body_md", "image": "image_url", "portrait": "portrait_url", "bio": "bio_md", "logo": "logo_url"}

// apiFields renames the fields of a validation error to the API's names.
func apiFields(err error) error {
	fields := parley.ErrorFields(err)
	if len(fields) == 0 {
		return err
	}
	renamed := make(map[string]string, len(fields))
	for k, v := range fields {
		if n, ok := apiFieldNames[k]; ok {
			k = n
		}
		renamed[k] = v
	}
	return &parley.Error{Code: parley.ErrorCode(err), Message: parley.ErrorMessage(err), Fields: renamed}
}

func (s *Server) apiAdminListDebates(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	pageNo, perPage, err := pageParams(q.Get("page"), q.Get("per_page"), consoleDebatesPerPage, 100)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	list, total, err := s.store.Debates(r.Context(), parley.DebateFilter{Offset: (pageNo - 1) * perPage, Limit: perPage})
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	out := apiAdminDebateList{Debates: make([]apiAdminDebate, 0, len(list)), Total: total, Page: pageNo, PerPage: perPage}
	for _, d := range list {
		out.Debates = append(out.Debates, s.apiAdminDebateOf(d, nil))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) apiAdminCreateDebate(w http.ResponseWriter, r *http.Request) {
	var in apiDebateInput
	if err := decodeJSON(r, &in); err != nil {
		s.apiFail(w, r, err)
		return
	}
	d := &parley.Debate{Status: parley.DebateDraft}
	if err := s.saveDebate(r.Context(), d, in.apply(d, time.Now())); err != nil {
		s.apiFail(w, r, apiFields(err))
		return
	}
	w.Header().Set("Location", "/api/v1/admin/debates/"+strconv.FormatInt(d.ID, 10))
	s.apiWriteAdminDebate(w, r, http.StatusCreated, d.ID)
}

func (s *Server) apiAdminGetDebate(w http.ResponseWriter, r *http.Request) {
	s.apiWriteAdminDebate(w, r, http.StatusOK, pathID(r, "id"))
}

// apiWriteAdminDebate answers with a debate as stored, with its featured
// comments.
func (s *Server) apiWriteAdminDebate(w http.ResponseWriter, r *http.Request, code int, id int64) {
	d, err := s.store.DebateByID(r.Context(), id)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	questions, err := s.store.Questions(r.Context(), d.ID)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	writeJSON(w, code, s.apiAdminDebateOf(d, questions))
}

func (s *Server) apiAdminPatchDebate(w http.ResponseWriter, r *http.Request) {
	d, err := s.adminDebate(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	var in apiDebateInput
	if err := decodeJSON(r, &in); err != nil {
		s.apiFail(w, r, err)
		return
	}
	if err := s.saveDebate(r.Context(), d, in.apply(d, time.Now())); err != nil {
		s.apiFail(w, r, apiFields(err))
		return
	}
	s.apiWriteAdminDebate(w, r, http.StatusOK, d.ID)
}

// apiCommentRef is a comment's ID, or its number or address as a string.
type apiCommentRef string

func (c *apiCommentRef) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] != '"' {
		*c = apiCommentRef(b) // a number; anything else fails commentRef
		return nil
	}
	return json.Unmarshal(b, (*string)(c))
}

type apiFeatureInput struct {
	Comment apiCommentRef `json:"comment"`
	Framing string        `json:"framing"`
}

func (s *Server) apiAdminFeature(w http.ResponseWriter, r *http.Request) {
	d, err := s.adminDebate(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	var in apiFeatureInput
	if err := decodeJSON(r, &in); err != nil {
		s.apiFail(w, r, err)
		return
	}
	q, err := s.feature(r.Context(), d, string(in.Comment), in.Framing)
	if err == nil {
		q.Comment, err = s.store.Comment(r.Context(), q.CommentID)
	}
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/admin/debates/"+strconv.FormatInt(d.ID, 10))
	writeJSON(w, http.StatusCreated, s.apiAdminQuestionOf(d.Slug, q))
}

func (s *Server) apiAdminUnfeature(w http.ResponseWriter, r *http.Request) {
	if err := s.store.RemoveQuestion(r.Context(), pathID(r, "id"), pathID(r, "qid")); err != nil {
		s.apiFail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type apiMoveBody struct {
	By string `json:"by"`
}

// apiAdminMoveQuestion moves a featured comment one place up or down in the article.
func (s *Server) apiAdminMoveQuestion(w http.ResponseWriter, r *http.Request) {
	var body apiMoveBody
	if err := decodeJSON(r, &body); err != nil {
		s.apiFail(w, r, err)
		return
	}
	by := map[string]int{"up": -1, "down": 1}[body.By]
	if by == 0 {
		s.apiFail(w, r, &parley.Error{Code: parley.EINVALID, Message: `"by" must be "up" or "down".`, Fields: map[string]string{"by": `Must be "up" or "down".`}})
		return
	}
	if err := s.store.MoveQuestion(r.Context(), pathID(r, "id"), pathID(r, "qid"), by); err != nil {
		s.apiFail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// Tokens.

type apiToken struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
	// Token is the token itself, in the answer that creates it only.
	Token string `json:"token,omitempty"`
}

func apiTokenOf(t *store.APIToken) apiToken {
	a := apiToken{ID: t.ID, Name: t.Name, Prefix: t.Prefix, CreatedAt: t.CreatedAt}
	if !t.LastUsedAt.IsZero() {
		a.LastUsedAt = &t.LastUsedAt
	}
	if !t.RevokedAt.IsZero() {
		a.RevokedAt = &t.RevokedAt
	}
	return a
}

type apiTokenList struct {
	Tokens []apiToken `json:"tokens"`
}

func (s *Server) apiAdminListTokens(w http.ResponseWriter, r *http.Request) {
	list, err := s.store.APITokens(r.Context(), currentUser(r).ID)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	out := apiTokenList{Tokens: []apiToken{}}
	for _, t := range list {
		out.Tokens = append(out.Tokens, apiTokenOf(t))
	}
	writeJSON(w, http.StatusOK, out)
}

type apiTokenBody struct {
	Name string `json:"name"`
}

func (s *Server) apiAdminCreateToken(w http.ResponseWriter, r *http.Request) {
	var body apiTokenBody
	if err := decodeJSON(r, &body); err != nil {
		s.apiFail(w, r, err)
		return
	}
	token, t, err := s.createAPIToken(r, body.Name)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	out := apiTokenOf(t)
	out.Token = token
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, out)
}

func (s *Server) apiAdminRevokeToken(w http.ResponseWriter, r *http.Request) {
	if err := s.store.RevokeAPIToken(r.Context(), currentUser(r).ID, pathID(r, "id")); err != nil {
		s.apiFail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// Images.

type apiUpload struct {
	Name        string    `json:"name"`
	URL         string    `json:"url"`
	ContentType string    `json:"content_type"`
	Bytes       int64     `json:"bytes"`
	Width       int       `json:"width"`
	Height      int       `json:"height"`
	Credit      string    `json:"credit"`
	CreatedAt   time.Time `json:"created_at"`
}

func apiUploadOf(u *parley.Upload) apiUpload {
	return apiUpload{Name: u.Name, URL: u.URL(), ContentType: u.ContentType, Bytes: u.Bytes, Width: u.Width, Height: u.Height,
		Credit: u.Credit, CreatedAt: u.CreatedAt}
}

// apiAdminUploadImage takes a multipart form like the console's, or the
// image itself as the body with the credit in the query.
func (s *Server) apiAdminUploadImage(w http.ResponseWriter, r *http.Request) {
	var up *parley.Upload
	var err error
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		_, up, err = s.uploadForm(r)
	} else {
		up, err = s.saveImage(r.Context(), currentUser(r), r.Body, r.URL.Query().Get("credit"))
	}
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	w.Header().Set("Location", up.URL())
	writeJSON(w, http.StatusCreated, apiUploadOf(up))
}

func (s *Server) apiAdminListImages(w http.ResponseWriter, r *http.Request) {
	list, err := s.store.Uploads(r.Context(), 0)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	out := struct {
		Images []apiUpload `json:"images"`
	}{Images: make([]apiUpload, 0, len(list))}
	for _, u := range list {
		out.Images = append(out.Images, apiUploadOf(u))
	}
	writeJSON(w, http.StatusOK, out)
}

// Experts.

type apiAdminExpert struct {
	ID             int64  `json:"id"`
	Slug           string `json:"slug"`
	Name           string `json:"name"`
	Title          string `json:"title"`
	Affiliation    string `json:"affiliation"`
	PortraitURL    string `json:"portrait_url"`
	PortraitCredit string `json:"portrait_credit"`
	BioMD          string `json:"bio_md"`
	BioHTML        string `json:"bio_html"`
	ContactEmail   string `json:"contact_email"`
	URL            string `json:"url"`
}

func (s *Server) apiAdminExpertOf(e *parley.Expert) apiAdminExpert {
	return apiAdminExpert{ID: e.ID, Slug: e.Slug, Name: e.Name, Title: e.Title, Affiliation: e.Affiliation, PortraitURL: e.PortraitURL,
		PortraitCredit: e.PortraitCredit, BioMD: e.BioMD, BioHTML: e.BioHTML, ContactEmail: e.ContactEmail,
		URL: s.cfg.BaseURL + "/experts/" + e.Slug}
}

type apiExpertInput struct {
	Slug           *string `json:"slug"`
	Name           *string `json:"name"`
	Title          *string `json:"title"`
	Affiliation    *string `json:"affiliation"`
	PortraitURL    *string `json:"portrait_url"`
	PortraitCredit *string `json:"portrait_credit"`
	BioMD          *string `json:"bio_md"`
	ContactEmail   *string `json:"contact_email"`
}

func (in *apiExpertInput) apply(e *parley.Expert) {
	setIf(&e.Slug, in.Slug)
	setIf(&e.Name, in.Name)
	setIf(&e.Title, in.Title)
	setIf(&e.Affiliation, in.Affiliation)
	setIf(&e.PortraitURL, in.PortraitURL)
	setIf(&e.PortraitCredit, in.PortraitCredit)
	setIf(&e.BioMD, in.BioMD)
	setIf(&e.ContactEmail, in.ContactEmail)
}

func (s *Server) apiAdminListExperts(w http.ResponseWriter, r *http.Request) {
	list, err := s.store.Experts(r.Context())
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	out := struct {
		Experts []apiAdminExpert `json:"experts"`
	}{Experts: make([]apiAdminExpert, 0, len(list))}
	for _, e := range list {
		out.Experts = append(out.Experts, s.apiAdminExpertOf(e))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) apiAdminCreateExpert(w http.ResponseWriter, r *http.Request) {
	var in apiExpertInput
	if err := decodeJSON(r, &in); err != nil {
		s.apiFail(w, r, err)
		return
	}
	e := &parley.Expert{}
	in.apply(e)
	if err := s.saveExpert(r.Context(), e); err != nil {
		s.apiFail(w, r, apiFields(err))
		return
	}
	w.Header().Set("Location", "/api/v1/admin/experts/"+strconv.FormatInt(e.ID, 10))
	writeJSON(w, http.StatusCreated, s.apiAdminExpertOf(e))
}

func (s *Server) apiAdminGetExpert(w http.ResponseWriter, r *http.Request) {
	e, err := s.store.ExpertByID(r.Context(), pathID(r, "id"))
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.apiAdminExpertOf(e))
}

func (s *Server) apiAdminPatchExpert(w http.ResponseWriter, r *http.Request) {
	e, err := s.store.ExpertByID(r.Context(), pathID(r, "id"))
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	var in apiExpertInput
	if err := decodeJSON(r, &in); err != nil {
		s.apiFail(w, r, err)
		return
	}
	in.apply(e)
	if err := s.saveExpert(r.Context(), e); err != nil {
		s.apiFail(w, r, apiFields(err))
		return
	}
	writeJSON(w, http.StatusOK, s.apiAdminExpertOf(e))
}

// Partners.

type apiPartner struct {
	ID      int64  `json:"id"`
	Slug    string `json:"slug"`
	Name    string `json:"name"`
	URL     string `json:"url"`
	LogoURL string `json:"logo_url"`
}

func apiPartnerOf(p *parley.Partner) apiPartner {
	return apiPartner{ID: p.ID, Slug: p.Slug, Name: p.Name, URL: p.URL, LogoURL: p.LogoURL}
}

type apiPartnerInput struct {
	Slug    *string `json:"slug"`
	Name    *string `json:"name"`
	URL     *string `json:"url"`
	LogoURL *string `json:"logo_url"`
}

func (in *apiPartnerInput) apply(p *parley.Partner) {
	setIf(&p.Slug, in.Slug)
	setIf(&p.Name, in.Name)
	setIf(&p.URL, in.URL)
	setIf(&p.LogoURL, in.LogoURL)
}

func (s *Server) apiAdminListPartners(w http.ResponseWriter, r *http.Request) {
	list, err := s.store.Partners(r.Context())
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	out := struct {
		Partners []apiPartner `json:"partners"`
	}{Partners: make([]apiPartner, 0, len(list))}
	for _, p := range list {
		out.Partners = append(out.Partners, apiPartnerOf(p))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) apiAdminCreatePartner(w http.ResponseWriter, r *http.Request) {
	var in apiPartnerInput
	if err := decodeJSON(r, &in); err != nil {
		s.apiFail(w, r, err)
		return
	}
	p := &parley.Partner{}
	in.apply(p)
	if err := s.savePartner(r.Context(), p); err != nil {
		s.apiFail(w, r, apiFields(err))
		return
	}
	writeJSON(w, http.StatusCreated, apiPartnerOf(p))
}

func (s *Server) apiAdminPatchPartner(w http.ResponseWriter, r *http.Request) {
	p, err := s.store.PartnerByID(r.Context(), pathID(r, "id"))
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	var in apiPartnerInput
	if err := decodeJSON(r, &in); err != nil {
		s.apiFail(w, r, err)
		return
	}
	in.apply(p)
	if err := s.savePartner(r.Context(), p); err != nil {
		s.apiFail(w, r, apiFields(err))
		return
	}
	writeJSON(w, http.StatusOK, apiPartnerOf(p))
}

func (s *Server) apiAdminDeletePartner(w http.ResponseWriter, r *http.Request) {
	if err := s.store.DeletePartner(r.Context(), pathID(r, "id")); err != nil {
		s.apiFail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
