package web

import (
	"context"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/i18n"
	"github.com/parley-org/parley/internal/markup"
)

// The operator's site settings: the name, publisher and logo of every page,
// the home page's introduction and featured debate, and the controller's
// details for the privacy page. Admins change them at /admin/settings.

// siteCache holds the settings every page reads, so that rendering never
// waits for the database. A change the store announces reloads them before
// the page cache drops its pages (see Invalidate): a page rendered after
// the drop already shows the change. cacheTTL bounds how long a change no
// one announced goes unseen.
type siteCache struct {
	cur atomic.Pointer[siteEntry]
	// mu makes loads one at a time, so an older read cannot overwrite a
	// newer one.
	mu sync.Mutex
	// refreshing is set while a refresh runs in the background.
	refreshing atomic.Bool
}

type siteEntry struct {
	site *parley.Site
	// due is when the entry is next read again from the database.
	due time.Time
}

// siteRetry is how soon a failed load is tried again.
const siteRetry = 5 * time.Second

// loadSite reads the settings from the database into the cache. On failure
// the cache keeps what it had and tries again in a few seconds.
func (s *Server) loadSite(ctx context.Context) error {
	c := &s.siteCache
	c.mu.Lock()
	defer c.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	st, err := s.store.Site(ctx)
	if err != nil {
		old := &parley.Site{}
		if e := c.cur.Load(); e != nil {
			old = e.site
		}
		c.cur.Store(&siteEntry{site: old, due: time.Now().Add(siteRetry)})
		return err
	}
	c.cur.Store(&siteEntry{site: st, due: time.Now().Add(cacheTTL)})
	return nil
}

// siteChanged reloads the settings after a change that may touch them.
func (s *Server) siteChanged() {
	if err := s.loadSite(context.Background()); err != nil {
		s.log.Warn("reload site settings", "err", err)
	}
}

// site returns the operator's settings. They are shared: callers must not
// modify them.
func (s *Server) site() *parley.Site {
	e := s.siteCache.cur.Load()
	if e == nil {
		return &parley.Site{}
	}
	if time.Now().After(e.due) && s.siteCache.refreshing.CompareAndSwap(false, true) {
		go func() {
			defer s.siteCache.refreshing.Store(false)
			if err := s.loadSite(context.Background()); err != nil {
				s.log.Warn("refresh site settings", "err", err)
			}
		}()
	}
	return e.site
}

// siteName is the site's name: the operator's setting, else the configured one.
func (s *Server) siteName() string {
	if n := s.site().Name; n != "" {
		return n
	}
	return s.cfg.SiteName
}

// consolePath reports whether the path is one of the consoles', where admins
// are told what the site's settings still lack.
func consolePath(p string) bool {
	for _, prefix := range []string{"/admin", "/moderation"} {
		if p == prefix || strings.HasPrefix(p, prefix+"/") {
			return true
		}
	}
	return false
}

// defaultIntro introduces a site whose operator has written no introduction.
const defaultIntro = "Public debates: read the question, say what you think, hear from experts."

// siteHome is what the home page shows of the settings.
type siteHome struct {
	Intro template.HTML
	// Summary is the introduction as plain text, for the page's description.
	Summary string
	// Featured is the featured debate, on the first page only, if readers
	// may see it.
	Featured *parley.Debate
}

// siteHome reads the request's language from ctx, for the default
// introduction.
func (s *Server) siteHome(ctx context.Context, pageNo int) (siteHome, error) {
	st := s.site()
	h := siteHome{Intro: template.HTML(st.IntroHTML), Summary: markup.Excerpt(st.IntroHTML, 200)}
	if st.IntroHTML == "" {
		l, ok := ctx.Value(langKey{}).(*i18n.Lang)
		if !ok {
			l = i18n.English()
		}
		intro := l.T(defaultIntro)
		h.Intro, h.Summary = template.HTML("<p>"+template.HTMLEscapeString(intro)+"</p>"), intro
	}
	if pageNo != 1 || st.FeaturedDebateID == 0 {
		return h, nil
	}
	d, err := s.store.DebateByID(ctx, st.FeaturedDebateID)
	switch {
	case parley.ErrorCode(err) == parley.ENOTFOUND:
		return h, nil // deleted since it was chosen
	case err != nil:
		return h, err
	}
	if d.Public() {
		h.Featured = d
	}
	return h, nil
}

// saveSite validates the settings and stores them: the featured debate must
// be one readers can see, the logo an image of the library.
func (s *Server) saveSite(ctx context.Context, st *parley.Site) error {
	p := parley.Problems{}
	addProblems(p, st.Validate())
	if st.FeaturedDebateID > 0 && p["featured_debate"] == "" {
		d, err := s.store.DebateByID(ctx, st.FeaturedDebateID)
		switch {
		case parley.ErrorCode(err) == parley.ENOTFOUND:
			p.Add("featured_debate", "There is no such debate.")
		case err != nil:
			return err
		case !d.Public():
			p.Add("featured_debate", "Only a published or closed debate can be featured; this one is a draft.")
		}
	}
	if name, ok := strings.CutPrefix(st.LogoURL, "/media/"); ok && p["logo"] == "" {
		if _, err := s.store.Upload(ctx, name); parley.ErrorCode(err) == parley.ENOTFOUND {
			p.Add("logo", "There is no such image in the library.")
		} else if err != nil {
			return err
		}
	}
	if err := p.Err(); err != nil {
		return err
	}
	st.IntroHTML = ""
	if st.IntroMD != "" {
		st.IntroHTML = s.articles.Render(st.IntroMD)
	}
	return s.store.SaveSite(ctx, st)
}

// The console's settings page.

// settingsFields are the settings form's fields in their order on the page.
var settingsFields = []string{"name", "organisation", "logo", "intro", "featured_debate", "controller_name", "controller_address",
	"controller_email", "dpo_name", "dpo_email", "authority_name", "authority_url", "mail_provider"}

type settingsForm struct {
	Name, Organisation, Logo, Intro, FeaturedDebate              string
	ControllerName, ControllerAddress, ControllerEmail           string
	DPOName, DPOEmail, AuthorityName, AuthorityURL, MailProvider string
	formState
}

// settingsField is what the template draws of one single-line field.
type settingsField struct {
	Name, Label, Help, Type, Value, Problem, DescribedBy string
	Focus                                                bool
}

// Field describes one of the form's single-line fields; typ is the input's
// type, empty for text.
func (f settingsForm) Field(name, label, help, typ string) settingsField {
	values := map[string]string{"name": f.Name, "organisation": f.Organisation, "controller_name": f.ControllerName,
		"controller_email": f.ControllerEmail, "dpo_name": f.DPOName, "dpo_email": f.DPOEmail,
		"authority_name": f.AuthorityName, "authority_url": f.AuthorityURL, "mail_provider": f.MailProvider}
	fd := settingsField{Name: name, Label: label, Help: help, Type: typ, Value: values[name], Problem: f.Problems[name], Focus: f.Focus == name}
	var ids []string
	if help != "" {
		ids = append(ids, name+"-help")
	}
	if fd.Problem != "" {
		ids = append(ids, name+"-problem")
	}
	fd.DescribedBy = strings.Join(ids, " ")
	return fd
}

func settingsFormOf(st *parley.Site) settingsForm {
	f := settingsForm{Name: st.Name, Organisation: st.Organisation, Logo: st.LogoURL, Intro: st.IntroMD,
		ControllerName: st.ControllerName, ControllerAddress: st.ControllerAddress, ControllerEmail: st.ControllerEmail,
		DPOName: st.DPOName, DPOEmail: st.DPOEmail, AuthorityName: st.AuthorityName, AuthorityURL: st.AuthorityURL, MailProvider: st.MailProvider}
	if st.FeaturedDebateID > 0 {
		f.FeaturedDebate = strconv.FormatInt(st.FeaturedDebateID, 10)
	}
	return f
}

// site returns the settings the form holds; an unreadable featured debate
// is a problem of its own.
func (f *settingsForm) site() (*parley.Site, error) {
	st := &parley.Site{Name: f.Name, Organisation: f.Organisation, LogoURL: f.Logo, IntroMD: f.Intro,
		ControllerName: f.ControllerName, ControllerAddress: f.ControllerAddress, ControllerEmail: f.ControllerEmail,
		DPOName: f.DPOName, DPOEmail: f.DPOEmail, AuthorityName: f.AuthorityName, AuthorityURL: f.AuthorityURL, MailProvider: f.MailProvider}
	if v := strings.TrimSpace(f.FeaturedDebate); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id < 0 {
			return nil, &parley.Error{Code: parley.EINVALID, Message: "Please correct the highlighted fields.",
				Fields: map[string]string{"featured_debate": "Choose a debate, or none."}}
		}
		st.FeaturedDebateID = id
	}
	return st, nil
}

type adminSettingsPage struct {
	consoleMeta
	Form settingsForm
	// DefaultName is the configured name, used while Name is empty.
	DefaultName string
	Images      []*parley.Upload
	OtherLogo   string
	Debates     []*parley.Debate
	// OtherDebate is the chosen featured debate when it is not among
	// Debates (older, or no longer public).
	OtherDebate *parley.Debate
	Preview     template.HTML
	// Complete says the privacy page names the controller.
	Complete bool
}

func (s *Server) renderSettings(w http.ResponseWriter, r *http.Request, f settingsForm, code int) {
	ctx := r.Context()
	images, err := s.store.Uploads(ctx, consoleImages)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	debates, _, err := s.store.Debates(ctx, parley.DebateFilter{Public: true, Limit: 200})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := adminSettingsPage{consoleMeta: s.console(r, "settings", lang(r).T("Site settings")), Form: f, DefaultName: s.cfg.SiteName,
		Images: images, OtherLogo: otherImage(f.Logo, images), Debates: debates, Complete: s.site().ControllerNamed()}
	if id, err := strconv.ParseInt(f.FeaturedDebate, 10, 64); err == nil && id > 0 {
		found := false
		for _, d := range debates {
			found = found || d.ID == id
		}
		if !found {
			if d, err := s.store.DebateByID(ctx, id); err == nil {
				p.OtherDebate = d
			}
		}
	}
	if f.Intro != "" {
		p.Preview = template.HTML(s.articles.Render(f.Intro))
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, code, "admin_settings", p)
}

func (s *Server) handleAdminSettings(w http.ResponseWriter, r *http.Request) {
	st, err := s.store.Site(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderSettings(w, r, settingsFormOf(st), http.StatusOK)
}

func (s *Server) handleAdminSaveSettings(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, err)
		return
	}
	v := r.PostForm
	f := settingsForm{Name: v.Get("name"), Organisation: v.Get("organisation"), Logo: v.Get("logo"), Intro: v.Get("intro"),
		FeaturedDebate: v.Get("featured_debate"), ControllerName: v.Get("controller_name"), ControllerAddress: v.Get("controller_address"),
		ControllerEmail: v.Get("controller_email"), DPOName: v.Get("dpo_name"), DPOEmail: v.Get("dpo_email"),
		AuthorityName: v.Get("authority_name"), AuthorityURL: v.Get("authority_url"), MailProvider: v.Get("mail_provider")}
	if v.Get("action") == "preview" {
		// Without JavaScript, the introduction's preview comes from here.
		s.renderSettings(w, r, f, http.StatusOK)
		return
	}
	st, err := f.site()
	if err == nil {
		err = s.saveSite(r.Context(), st)
	}
	if err != nil {
		code := s.formFailed(w, r, err, &f.formState, settingsFields...)
		s.renderSettings(w, r, f, code)
		return
	}
	redirect(w, r, "/admin/settings?saved=1", http.StatusSeeOther)
}

// The API: GET and PATCH /api/v1/admin/settings.

type apiSettings struct {
	Name             string `json:"name"`
	DefaultName      string `json:"default_name"`
	Organisation     string `json:"organisation"`
	LogoURL          string `json:"logo_url"`
	Intro            string `json:"intro"`
	IntroHTML        string `json:"intro_html"`
	FeaturedDebateID int64  `json:"featured_debate_id"`
	ControllerName   string `json:"controller_name"`
	ControllerAddr   string `json:"controller_address"`
	ControllerEmail  string `json:"controller_email"`
	DPOName          string `json:"dpo_name"`
	DPOEmail         string `json:"dpo_email"`
	AuthorityName    string `json:"authority_name"`
	AuthorityURL     string `json:"authority_url"`
	MailProvider     string `json:"mail_provider"`
	ControllerNamed  bool   `json:"controller_named"`
}

func (s *Server) apiSettingsOf(st *parley.Site) apiSettings {
	return apiSettings{Name: st.Name, DefaultName: s.cfg.SiteName, Organisation: st.Organisation, LogoURL: st.LogoURL,
		Intro: st.IntroMD, IntroHTML: st.IntroHTML, FeaturedDebateID: st.FeaturedDebateID,
		ControllerName: st.ControllerName, ControllerAddr: st.ControllerAddress, ControllerEmail: st.ControllerEmail,
		DPOName: st.DPOName, DPOEmail: st.DPOEmail, AuthorityName: st.AuthorityName, AuthorityURL: st.AuthorityURL,
		MailProvider: st.MailProvider, ControllerNamed: st.ControllerNamed()}
}

type apiSettingsInput struct {
	Name             *string `json:"name"`
	Organisation     *string `json:"organisation"`
	LogoURL          *string `json:"logo_url"`
	Intro            *string `json:"intro"`
	FeaturedDebateID *int64  `json:"featured_debate_id"`
	ControllerName   *string `json:"controller_name"`
	ControllerAddr   *string `json:"controller_address"`
	ControllerEmail  *string `json:"controller_email"`
	DPOName          *string `json:"dpo_name"`
	DPOEmail         *string `json:"dpo_email"`
	AuthorityName    *string `json:"authority_name"`
	AuthorityURL     *string `json:"authority_url"`
	MailProvider     *string `json:"mail_provider"`
}

func (in *apiSettingsInput) apply(st *parley.Site) {
	setIf(&st.Name, in.Name)
	setIf(&st.Organisation, in.Organisation)
	setIf(&st.LogoURL, in.LogoURL)
	setIf(&st.IntroMD, in.Intro)
	if in.FeaturedDebateID != nil {
		st.FeaturedDebateID = *in.FeaturedDebateID
	}
	setIf(&st.ControllerName, in.ControllerName)
	setIf(&st.ControllerAddress, in.ControllerAddr)
	setIf(&st.ControllerEmail, in.ControllerEmail)
	setIf(&st.DPOName, in.DPOName)
	setIf(&st.DPOEmail, in.DPOEmail)
	setIf(&st.AuthorityName, in.AuthorityName)
	setIf(&st.AuthorityURL, in.AuthorityURL)
	setIf(&st.MailProvider, in.MailProvider)
}

// apiSettingsFields are the API's names for the form's fields.
var apiSettingsFields = map[string]string{"logo": "logo_url", "intro": "intro", "featured_debate": "featured_debate_id"}

func (s *Server) apiAdminGetSettings(w http.ResponseWriter, r *http.Request) {
	st, err := s.store.Site(r.Context())
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, s.apiSettingsOf(st))
}

func (s *Server) apiAdminPatchSettings(w http.ResponseWriter, r *http.Request) {
	var in apiSettingsInput
	if err := decodeJSON(r, &in); err != nil {
		s.apiFail(w, r, err)
		return
	}
	st, err := s.store.Site(r.Context())
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	in.apply(st)
	if err := s.saveSite(r.Context(), st); err != nil {
		if fields := parley.ErrorFields(err); len(fields) > 0 {
			renamed := make(map[string]string, len(fields))
			for k, v := range fields {
				if n, ok := apiSettingsFields[k]; ok {
					k = n
				}
				renamed[k] = v
			}
			err = &parley.Error{Code: parley.ErrorCode(err), Message: parley.ErrorMessage(err), Fields: renamed}
		}
		s.apiFail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, s.apiSettingsOf(st))
}
