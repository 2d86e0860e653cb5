package web

import (
	"context"
	"errors"
	"html/template"
	"io"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/auth"
	"github.com/parley-org/parley/internal/media"
	"github.com/parley-org/parley/internal/store"
)

// The console's library: uploaded images, experts, partner organisations,
// and the editor's API tokens.

// imageTooLarge is the answer to an upload whose body is over
// uploadBodyLimit, in the words media.Dir.CleanImage uses for a file over 5 MB.
const imageTooLargeMsg = "The image is larger than 5 MB. Please make it smaller and upload it again."

var imageTooLarge = &parley.Error{Code: parley.ETOOLARGE, Message: imageTooLargeMsg, Fields: map[string]string{"image": imageTooLargeMsg}}

// Images.

// saveImage checks an uploaded image and its credit line and stores both:
// the file in the media folder, the credit in the library. Nothing is
// stored unless both are good. file may be nil when none was sent.
func (s *Server) saveImage(ctx context.Context, u *parley.User, file io.Reader, credit string) (*parley.Upload, error) {
	p := parley.Problems{}
	credit, ok := parley.CleanLine(credit)
	switch {
	case !ok:
		p.Add("credit", "The credit line is not valid UTF-8 text.")
	case credit == "":
		p.Add("credit", "Please give the credit line to show with the image, such as “Photo: A. Photographer”.")
	case utf8.RuneCountInString(credit) > parley.MaxCreditLen:
		p.Add("credit", "The credit line is longer than 200 characters.")
	}
	var img *media.Image
	code := parley.EINVALID
	if file == nil {
		p.Add("image", "Please choose an image file: a JPEG, PNG or WebP image of at most 5 MB.")
	} else {
		var err error
		if img, err = s.media.CleanImage(ctx, file); err != nil {
			if parley.ErrorFields(err) == nil {
				return nil, err // reading the upload failed
			}
			addProblems(p, err)
			if parley.ErrorCode(err) == parley.ETOOLARGE {
				code = parley.ETOOLARGE
			}
		}
	}
	if len(p) > 0 {
		msg := "Please correct the highlighted fields."
		if code == parley.ETOOLARGE {
			msg = p["image"]
		}
		return nil, &parley.Error{Code: code, Message: msg, Fields: p}
	}
	name, err := s.media.SaveImage(img)
	if err != nil {
		return nil, err
	}
	up := &parley.Upload{Name: name, ContentType: img.ContentType, Bytes: int64(len(img.Data)), Width: img.Width, Height: img.Height, Credit: credit}
	if u != nil {
		up.UserID = u.ID
	}
	// Should this fail, the file stays behind: harmless, since it is named
	// by its content and a retry finds it.
	return up, s.store.SaveUpload(ctx, up)
}

// uploadForm stores the image of a multipart form with fields "image" and
// "credit", and returns the credit as typed. A form of another kind has no
// file to store.
func (s *Server) uploadForm(r *http.Request) (string, *parley.Upload, error) {
	err := r.ParseMultipartForm(uploadBodyLimit)
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return "", nil, imageTooLarge
	}
	if _, ok := errors.AsType[*bodyError](err); ok {
		return "", nil, asDomain(err) // a slow or vanished client
	}
	if err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return "", nil, &parley.Error{Code: parley.EBADREQUEST, Message: "Send the image as multipart/form-data, in a field named image."}
	}
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
	}
	credit := r.PostFormValue("credit")
	var file io.Reader
	if f, _, err := r.FormFile("image"); err == nil {
		defer f.Close()
		file = f
	} else if !errors.Is(err, http.ErrMissingFile) && !errors.Is(err, http.ErrNotMultipart) {
		return credit, nil, err
	}
	u, err := s.saveImage(r.Context(), currentUser(r), file, credit)
	return credit, u, err
}

type adminImagesPage struct {
	consoleMeta
	Images []*parley.Upload
	Form   imageForm
}

type imageForm struct {
	Credit string
	formState
}

func (s *Server) renderImages(w http.ResponseWriter, r *http.Request, f imageForm, code int) {
	images, err := s.store.Uploads(r.Context(), 0)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, code, "admin_images", adminImagesPage{consoleMeta: s.console(r, "images", lang(r).T("Images")), Images: images, Form: f})
}

func (s *Server) handleAdminImages(w http.ResponseWriter, r *http.Request) {
	s.renderImages(w, r, imageForm{}, http.StatusOK)
}

func (s *Server) handleAdminUpload(w http.ResponseWriter, r *http.Request) {
	credit, _, err := s.uploadForm(r)
	if err != nil {
		f := imageForm{Credit: credit}
		code := s.formFailed(w, r, err, &f.formState, "image", "credit")
		s.renderImages(w, r, f, code)
		return
	}
	redirect(w, r, "/admin/images?saved=1", http.StatusSeeOther)
}

// Experts.

// expertFields are the expert form's fields in their order on the page.
var expertFields = []string{"name", "slug", "title", "affiliation", "portrait", "portrait_credit", "bio", "contact_email"}

type expertForm struct {
	Name, Slug, Title, Affiliation, Portrait, PortraitCredit, Bio, ContactEmail string
	formState
}

func expertFormOf(e *parley.Expert) expertForm {
	return expertForm{Name: e.Name, Slug: e.Slug, Title: e.Title, Affiliation: e.Affiliation, Portrait: e.PortraitURL,
		PortraitCredit: e.PortraitCredit, Bio: e.BioMD, ContactEmail: e.ContactEmail}
}

func (f *expertForm) apply(e *parley.Expert) {
	e.Name, e.Slug, e.Title, e.Affiliation = f.Name, strings.TrimSpace(f.Slug), f.Title, f.Affiliation
	e.PortraitURL, e.PortraitCredit, e.BioMD, e.ContactEmail = strings.TrimSpace(f.Portrait), f.PortraitCredit, f.Bio, f.ContactEmail
}

// saveExpert validates an expert's profile and stores it: a new expert when
// e.ID is 0.
func (s *Server) saveExpert(ctx context.Context, e *parley.Expert) error {
	p := parley.Problems{}
	bio, ok := parley.CleanText(e.BioMD)
	switch {
	case !ok:
		p.Add("bio", "The bio is not valid UTF-8 text.")
	case len(bio) > parley.MaxDebateBody:
		p.Add("bio", "The bio is longer than 100,000 characters.")
	}
	e.BioMD, e.ContactEmail = bio, strings.TrimSpace(e.ContactEmail)
	e.PortraitCredit = s.libraryCredit(ctx, e.PortraitURL, e.PortraitCredit)
	addProblems(p, e.Validate())
	if err := p.Err(); err != nil {
		return err
	}
	e.BioHTML = s.articles.Render(e.BioMD)
	if e.ID == 0 {
		return s.store.CreateExpert(ctx, e)
	}
	return s.store.UpdateExpert(ctx, e)
}

type adminExpertsPage struct {
	consoleMeta
	Experts []*parley.Expert
}

func (s *Server) handleAdminExperts(w http.ResponseWriter, r *http.Request) {
	list, err := s.store.Experts(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "admin_experts", adminExpertsPage{consoleMeta: s.console(r, "experts", lang(r).T("Experts")), Experts: list})
}

type adminExpertPage struct {
	consoleMeta
	// Expert is the expert as stored; nil while creating one.
	Expert        *parley.Expert
	Action        string
	Form          expertForm
	Images        []*parley.Upload
	OtherPortrait string
	Bio           template.HTML
}

func (s *Server) renderExpertEditor(w http.ResponseWriter, r *http.Request, e *parley.Expert, f expertForm, code int) {
	images, err := s.store.Uploads(r.Context(), consoleImages)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	title, action := lang(r).T("New expert"), "/admin/experts"
	if e != nil {
		title, action = e.Name, "/admin/experts/"+strconv.FormatInt(e.ID, 10)
	}
	s.render(w, r, code, "admin_expert", adminExpertPage{consoleMeta: s.console(r, "experts", title), Expert: e, Action: action,
		Form: f, Images: images, OtherPortrait: otherImage(f.Portrait, images), Bio: template.HTML(s.articles.Render(f.Bio))})
}

func (s *Server) handleAdminNewExpert(w http.ResponseWriter, r *http.Request) {
	s.renderExpertEditor(w, r, nil, expertForm{}, http.StatusOK)
}

func (s *Server) handleAdminExpert(w http.ResponseWriter, r *http.Request) {
	e, err := s.store.ExpertByID(r.Context(), pathID(r, "id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderExpertEditor(w, r, e, expertFormOf(e), http.StatusOK)
}

func (s *Server) handleAdminCreateExpert(w http.ResponseWriter, r *http.Request) {
	s.postExpert(w, r, nil)
}

func (s *Server) handleAdminSaveExpert(w http.ResponseWriter, r *http.Request) {
	e, err := s.store.ExpertByID(r.Context(), pathID(r, "id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.postExpert(w, r, e)
}

func (s *Server) postExpert(w http.ResponseWriter, r *http.Request, stored *parley.Expert) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, err)
		return
	}
	v := r.PostForm
	f := expertForm{Name: v.Get("name"), Slug: v.Get("slug"), Title: v.Get("title"), Affiliation: v.Get("affiliation"),
		Portrait: v.Get("portrait"), PortraitCredit: v.Get("portrait_credit"), Bio: v.Get("bio"), ContactEmail: v.Get("contact_email")}
	e := &parley.Expert{}
	if stored != nil {
		edited := *stored
		e = &edited
	}
	f.apply(e)
	if err := s.saveExpert(r.Context(), e); err != nil {
		code := s.formFailed(w, r, err, &f.formState, expertFields...)
		s.renderExpertEditor(w, r, stored, f, code)
		return
	}
	redirect(w, r, "/admin/experts/"+strconv.FormatInt(e.ID, 10)+"?saved=1", http.StatusSeeOther)
}

// Partners.

var partnerFields = []string{"name", "slug", "url", "logo"}

type partnerForm struct {
	Name, Slug, URL, Logo string
	formState
}

func (f *partnerForm) apply(p *parley.Partner) {
	p.Name, p.Slug, p.URL, p.LogoURL = f.Name, strings.TrimSpace(f.Slug), strings.TrimSpace(f.URL), strings.TrimSpace(f.Logo)
}

// savePartner validates a partner and stores it: a new one when p.ID is 0.
func (s *Server) savePartner(ctx context.Context, p *parley.Partner) error {
	if err := p.Validate(); err != nil {
		return err
	}
	if p.ID == 0 {
		return s.store.CreatePartner(ctx, p)
	}
	return s.store.UpdatePartner(ctx, p)
}

type adminPartnersPage struct {
	consoleMeta
	Partners []*parley.Partner
	Deleted  bool
}

func (s *Server) handleAdminPartners(w http.ResponseWriter, r *http.Request) {
	list, err := s.store.Partners(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "admin_partners", adminPartnersPage{consoleMeta: s.console(r, "partners", lang(r).T("Partners")),
		Partners: list, Deleted: r.URL.Query().Get("deleted") == "1"})
}

type adminPartnerPage struct {
	consoleMeta
	// Partner is the partner as stored; nil while creating one.
	Partner   *parley.Partner
	Action    string
	Form      partnerForm
	Images    []*parley.Upload
	OtherLogo string
}

func (s *Server) renderPartnerEditor(w http.ResponseWriter, r *http.Request, p *parley.Partner, f partnerForm, code int) {
	images, err := s.store.Uploads(r.Context(), consoleImages)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	title, action := lang(r).T("New partner"), "/admin/partners"
	if p != nil {
		title, action = p.Name, "/admin/partners/"+strconv.FormatInt(p.ID, 10)
	}
	s.render(w, r, code, "admin_partner", adminPartnerPage{consoleMeta: s.console(r, "partners", title), Partner: p, Action: action,
		Form: f, Images: images, OtherLogo: otherImage(f.Logo, images)})
}

func (s *Server) handleAdminNewPartner(w http.ResponseWriter, r *http.Request) {
	s.renderPartnerEditor(w, r, nil, partnerForm{}, http.StatusOK)
}

func (s *Server) handleAdminPartner(w http.ResponseWriter, r *http.Request) {
	p, err := s.store.PartnerByID(r.Context(), pathID(r, "id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderPartnerEditor(w, r, p, partnerForm{Name: p.Name, Slug: p.Slug, URL: p.URL, Logo: p.LogoURL}, http.StatusOK)
}

func (s *Server) handleAdminCreatePartner(w http.ResponseWriter, r *http.Request) {
	s.postPartner(w, r, nil)
}

func (s *Server) handleAdminSavePartner(w http.ResponseWriter, r *http.Request) {
	p, err := s.store.PartnerByID(r.Context(), pathID(r, "id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.postPartner(w, r, p)
}

func (s *Server) postPartner(w http.ResponseWriter, r *http.Request, stored *parley.Partner) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, err)
		return
	}
	v := r.PostForm
	f := partnerForm{Name: v.Get("name"), Slug: v.Get("slug"), URL: v.Get("url"), Logo: v.Get("logo")}
	p := &parley.Partner{}
	if stored != nil {
		p.ID = stored.ID
	}
	f.apply(p)
	if err := s.savePartner(r.Context(), p); err != nil {
		code := s.formFailed(w, r, err, &f.formState, partnerFields...)
		s.renderPartnerEditor(w, r, stored, f, code)
		return
	}
	redirect(w, r, "/admin/partners/"+strconv.FormatInt(p.ID, 10)+"?saved=1", http.StatusSeeOther)
}

func (s *Server) handleAdminDeletePartner(w http.ResponseWriter, r *http.Request) {
	if err := s.store.DeletePartner(r.Context(), pathID(r, "id")); err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/admin/partners?deleted=1", http.StatusSeeOther)
}

// API tokens.

const maxTokenNameLen = 80

type adminTokensPage struct {
	consoleMeta
	Tokens []*store.APIToken
	Form   tokenForm
	// NewToken is the token just made. It is shown this once: only its hash
	// is kept.
	NewToken string
}

type tokenForm struct {
	Name string
	formState
}

func (s *Server) renderTokens(w http.ResponseWriter, r *http.Request, p adminTokensPage, code int) {
	tokens, err := s.store.APITokens(r.Context(), currentUser(r).ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.consoleMeta, p.Tokens = s.console(r, "tokens", lang(r).T("API tokens")), tokens
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, code, "admin_tokens", p)
}

func (s *Server) handleAdminTokens(w http.ResponseWriter, r *http.Request) {
	s.renderTokens(w, r, adminTokensPage{}, http.StatusOK)
}

func (s *Server) handleAdminCreateToken(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, err)
		return
	}
	f := tokenForm{Name: r.PostForm.Get("name")}
	token, _, err := s.createAPIToken(r, f.Name)
	if err != nil {
		code := s.formFailed(w, r, err, &f.formState, "name")
		s.renderTokens(w, r, adminTokensPage{Form: f}, code)
		return
	}
	s.renderTokens(w, r, adminTokensPage{NewToken: token}, http.StatusCreated)
}

// createAPIToken makes an API token for the signed-in editor and returns it;
// only its hash is kept, so this is the one time anyone sees it.
func (s *Server) createAPIToken(r *http.Request, name string) (string, *store.APIToken, error) {
	name, ok := parley.CleanLine(name)
	p := parley.Problems{}
	switch {
	case !ok:
		p.Add("name", "The name is not valid UTF-8 text.")
	case name == "":
		p.Add("name", "Name the token after the program that will use it, so that you know which one to revoke.")
	case utf8.RuneCountInString(name) > maxTokenNameLen:
		p.Add("name", "The name is longer than 80 characters.")
	}
	if err := p.Err(); err != nil {
		return "", nil, err
	}
	token, hash, prefix := auth.NewAPIToken()
	t := &store.APIToken{UserID: currentUser(r).ID, Name: name, Prefix: prefix}
	if err := s.store.CreateAPIToken(r.Context(), t, hash); err != nil {
		return "", nil, err
	}
	return token, t, nil
}

func (s *Server) handleAdminRevokeToken(w http.ResponseWriter, r *http.Request) {
	if err := s.store.RevokeAPIToken(r.Context(), currentUser(r).ID, pathID(r, "id")); err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/admin/tokens?saved=1", http.StatusSeeOther)
}
