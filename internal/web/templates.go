package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/i18n"
	"github.com/parley-org/parley/internal/langid"
	"github.com/parley-org/parley/internal/markup"
)

//go:embed all:templates static
var assets embed.FS

// templates holds one template set per page and language, each with the
// shared layout; a language's sets differ only in the catalogue their t,
// th, msg, date and num functions read.
type templates struct {
	pages map[string]map[string]*template.Template // by language code, then page
}

// page returns a page's template in a language.
func (t *templates) page(lang *i18n.Lang, name string) *template.Template {
	if p := t.pages[lang.Code]; p != nil {
		return p[name]
	}
	return t.pages["en"][name]
}

// staticVersion maps each static file to a hash of its content, so its URL
// changes with it and it can be cached for a year.
var staticVersion = func() map[string]string {
	v := map[string]string{}
	fs.WalkDir(assets, "static", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := assets.ReadFile(p)
			sum := sha256.Sum256(b)
			v[strings.TrimPrefix(p, "static/")] = hex.EncodeToString(sum[:6])
		}
		return nil
	})
	return v
}()

func staticURL(name string) string { return "/static/" + name + "?v=" + staticVersion[name] }

var funcs = template.FuncMap{
	"static":  staticURL,
	"excerpt": markup.Excerpt,
	"iso":     func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	// commentLanguages are the languages a comment can be detected in.
	"commentLanguages": langid.Supported,
	// euLanguages are those a debate may be written and translated in.
	"euLanguages": parley.EULanguages,
	"endonym":     i18n.Endonym,
	// topicName is how a topic's slug reads ("public-services": "Public services").
	"topicName": topicName,
	// shareData is what the share metadata needs: the page's and the site's name.
	"shareData": func(m *shareMeta, site string) map[string]any { return map[string]any{"Meta": m, "Site": site} },
	"can":       func(u *parley.User, role string) bool { return u.Can(parley.Role(role)) },
	// subscribeData is what the subscribe form needs beside a page's own data.
	"subscribeData": func(f subscribeForm, u *parley.User) map[string]any { return map[string]any{"Form": f, "User": u} },
	// passwordField is what the password field needs: its problems, and
	// whether it sets a new password.
	"passwordField": func(problems any, isNew bool) map[string]any {
		var p map[string]string
		switch f := problems.(type) {
		case accountForm:
			p = f.Problems
		case map[string]string:
			p = f
		}
		return map[string]any{"Problems": p, "New": isNew, "Kept": len(p) > 0}
	},
	// categoryChoice is what the moderation rule select needs.
	"categoryChoice": func(c []parley.ReportReason, selected string) map[string]any {
		return map[string]any{"Categories": c, "Selected": selected}
	},
	// retried is a field of a console form that failed, when it is that form.
	"retried": func(r retryForm, form, field string) string {
		if r.For != form {
			return ""
		}
		return map[string]string{"reason": r.Reason, "category": r.Category, "kind": r.Kind, "days": r.Days}[field]
	},
	"trusted": func(s string) template.HTML {
		// Only for HTML that Parley sanitised itself at write time.
		return template.HTML(s)
	},
}

func parseTemplates() (*templates, error) {
	english := map[string]*template.Template{}
	t := &templates{pages: map[string]map[string]*template.Template{"en": english}}
	names, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		base := strings.TrimSuffix(path.Base(name), ".html")
		if base == "layout" || strings.HasPrefix(base, "_") {
			continue // shared by every page
		}
		tmpl, err := template.New(base).Funcs(funcs).Funcs(i18n.English().Funcs()).ParseFS(assets, "templates/layout.html", "templates/_*.html", name)
		if err != nil {
			return nil, fmt.Errorf("parse template %s: %w", name, err)
		}
		english[base] = tmpl
	}
	// Clones share the parsed trees: a language costs a map of pointers.
	for _, l := range i18n.All() {
		if l.Code == "en" {
			continue
		}
		t.pages[l.Code] = map[string]*template.Template{}
		for name, tmpl := range english {
			c, err := tmpl.Clone()
			if err != nil {
				return nil, err
			}
			t.pages[l.Code][name] = c.Funcs(l.Funcs())
		}
	}
	return t, nil
}

// pageMeta is what the layout needs from every page.
type pageMeta struct {
	Site        string
	Title       string
	Description string
	Canonical   string
	// Feed is an Atom feed to advertise, if any.
	Feed string
	// User is the signed-in account, nil for a visitor. Pages of signed-in
	// readers are never cached, so the header may name them.
	User *parley.User
	// Here is the page's own address, for links that come back to it.
	Here string
	// Share, when set, is what the page tells the sites it is shared on,
	// and its share links.
	Share *shareMeta
	// Logo and Organisation are the operator's, from the site's settings.
	Logo, Organisation string
	// SetupNeeded tells an admin in the consoles that the privacy page does
	// not yet name the controller.
	SetupNeeded bool
	// Lang is the language the page is in; Languages those it can switch
	// to, and Alternates the page's address in each.
	Lang       *i18n.Lang
	Languages  []*i18n.Lang
	Alternates []alternate
}

func (s *Server) meta(r *http.Request, title string) pageMeta {
	site := s.site()
	m := pageMeta{Site: s.siteName(), Title: title, Canonical: s.cfg.BaseURL + r.URL.Path, User: currentUser(r),
		Logo: site.LogoURL, Organisation: site.Organisation, Lang: lang(r), Languages: i18n.All(), Alternates: s.alternates(r)}
	if l := r.URL.Query().Get("lang"); i18n.Get(l) != nil {
		m.Canonical += "?lang=" + l // each language version is its own page
	}
	m.SetupNeeded = m.User.Can(parley.RoleAdmin) && consolePath(r.URL.Path) && !site.ControllerNamed()
	if r.Method == http.MethodGet && !tokenPath(r.URL.Path) {
		m.Here = r.URL.RequestURI() // never an address that holds a token
	}
	return m
}

// render executes a page into a buffer first, so a template error becomes a
// clean 500 instead of half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, code int, page string, data any) {
	tmpl := s.pages.page(lang(r), page)
	buf := getBuffer()
	defer putBuffer(buf)
	if tmpl == nil {
		s.log.Error("no such template", "page", page)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if err := tmpl.ExecuteTemplate(buf, "layout", data); err != nil {
		s.log.Error("render", "page", page, "err", err)
		http.Error(w, "Something went wrong on our side.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if code == http.StatusServiceUnavailable && w.Header().Get("Retry-After") == "" {
		w.Header().Set("Retry-After", "5")
	}
	w.WriteHeader(code)
	w.Write(buf.Bytes())
}

type errorPage struct {
	pageMeta
	Status  int
	Message string
	// Form keeps what a reader typed into a form that could not be handled.
	Form commentForm
}
