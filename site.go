package parley

import (
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"
)

// Site is what the operator tells readers about the site: the name, the
// publisher and the logo every page shows, the home page's introduction and
// featured debate, and, for the privacy page, who answers for readers' data
// and how to reach them (GDPR Art. 13).
type Site struct {
	// Name replaces the configured site name; empty keeps that.
	Name         string
	Organisation string
	// LogoURL is an image of the site's own library (/media/…), or empty.
	LogoURL string
	// IntroMD is the home page's introduction in Markdown; IntroHTML is it
	// rendered and sanitised when saved.
	IntroMD, IntroHTML string
	// FeaturedDebateID is the debate the home page puts first; 0 for none.
	FeaturedDebateID int64

	// The controller: who decides what is done with readers' data.
	ControllerName, ControllerAddress, ControllerEmail string
	// The data-protection officer, where there is one.
	DPOName, DPOEmail string
	// The supervisory authority readers may complain to.
	AuthorityName, AuthorityURL string
	// MailProvider names the service that delivers the site's mail, a
	// recipient of readers' addresses.
	MailProvider string
}

// Lengths of the site's settings, in characters.
const (
	MaxSiteNameLen    = 80
	MaxSiteIntroLen   = 5_000
	MaxSiteAddressLen = 500
)

// ControllerNamed reports whether the operator has said who the controller
// is and how to reach them; until then the privacy page says so plainly.
func (s *Site) ControllerNamed() bool { return s.ControllerName != "" && s.ControllerEmail != "" }

// Validate cleans the settings and reports every problem at once. Whether
// the featured debate exists is for the caller to check.
func (s *Site) Validate() error {
	p := Problems{}
	// cleaned checks a field cleaned by clean: one line, or text.
	cleaned := func(clean func(string) (string, bool)) func(field string, v *string, max int) {
		return func(field string, v *string, max int) {
			c, ok := clean(*v)
			switch {
			case !ok:
				p.Add(field, "This is not valid UTF-8 text.")
			case utf8.RuneCountInString(c) > max:
				p.Add(field, fmt.Sprintf("This is longer than %d characters.", max))
			}
			*v = c
		}
	}
	line, text := cleaned(CleanLine), cleaned(CleanText)
	line("name", &s.Name, MaxSiteNameLen)
	line("organisation", &s.Organisation, MaxCreditLen)
	s.LogoURL = strings.TrimSpace(s.LogoURL)
	if s.LogoURL != "" {
		if lp, ok := LocalPath(s.LogoURL); !ok || lp != s.LogoURL || !strings.HasPrefix(lp, "/media/") {
			p.Add("logo", "Choose the logo from the image library.")
		}
	}
	text("intro", &s.IntroMD, MaxSiteIntroLen)
	if s.FeaturedDebateID < 0 {
		p.Add("featured_debate", "Choose a debate, or none.")
	}
	line("controller_name", &s.ControllerName, MaxCreditLen)
	text("controller_address", &s.ControllerAddress, MaxSiteAddressLen)
	line("controller_email", &s.ControllerEmail, MaxCreditLen)
	line("dpo_name", &s.DPOName, MaxCreditLen)
	line("dpo_email", &s.DPOEmail, MaxCreditLen)
	line("authority_name", &s.AuthorityName, MaxCreditLen)
	line("authority_url", &s.AuthorityURL, MaxCreditLen)
	line("mail_provider", &s.MailProvider, MaxCreditLen)
	if s.ControllerEmail != "" && !ValidEmail(s.ControllerEmail) {
		p.Add("controller_email", "Give an address such as privacy@example.org.")
	}
	if s.ControllerName == "" && (s.ControllerEmail != "" || s.ControllerAddress != "") {
		p.Add("controller_name", "Name the person or organisation these contact details belong to.")
	}
	if s.DPOEmail != "" && !ValidEmail(s.DPOEmail) {
		p.Add("dpo_email", "Give an address such as dpo@example.org.")
	}
	if s.DPOName != "" && s.DPOEmail == "" {
		p.Add("dpo_email", "Give the officer's address, so that readers can write to them.")
	}
	if s.DPOName == "" && s.DPOEmail != "" {
		p.Add("dpo_name", "Name the data-protection officer.")
	}
	if s.AuthorityURL != "" {
		if u, err := url.Parse(s.AuthorityURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || !safeURLChars(s.AuthorityURL) {
			p.Add("authority_url", "The link must be an http(s) address.")
		}
	}
	if s.AuthorityName == "" && s.AuthorityURL != "" {
		p.Add("authority_name", "Name the authority the link leads to.")
	}
	return p.Err()
}
