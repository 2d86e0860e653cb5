package parley_test

import (
	"strings"
	"testing"

	"github.com/parley-org/parley"
)

func TestSiteValidateCleansAndExplains(t *testing.T) {
	s := parley.Site{Name: "  The\tForum ", IntroMD: " Hello\r\nthere ", ControllerName: " Forum Ltd ",
		ControllerAddress: "1 Quay Street\r\nRiverside", ControllerEmail: " privacy@forum.example ", LogoURL: " /media/a.png "}
	if err := s.Validate(); err != nil {
		t.Fatalf("good settings refused: %v", err)
	}
	if s.Name != "The Forum" || s.IntroMD != "Hello\nthere" || s.ControllerAddress != "1 Quay Street\nRiverside" ||
		s.ControllerEmail != "privacy@forum.example" || s.LogoURL != "/media/a.png" {
		t.Errorf("not cleaned: %+v", s)
	}
	if !s.ControllerNamed() {
		t.Error("a name and an address name the controller")
	}
	if (&parley.Site{ControllerName: "Forum Ltd"}).ControllerNamed() {
		t.Error("a controller without an address to write to is not named")
	}
	if err := (&parley.Site{}).Validate(); err != nil {
		t.Errorf("empty settings (a fresh site) refused: %v", err)
	}

	bad := parley.Site{Name: strings.Repeat("n", parley.MaxSiteNameLen+1), Organisation: "bad \xff", LogoURL: "https://elsewhere.example/logo.png",
		IntroMD: strings.Repeat("i", parley.MaxSiteIntroLen+1), FeaturedDebateID: -1, ControllerEmail: "not an address",
		DPOEmail: "dpo@example.org", AuthorityURL: "javascript:alert(1)"}
	fields := parley.ErrorFields(bad.Validate())
	for _, f := range []string{"name", "organisation", "logo", "intro", "featured_debate", "controller_email", "controller_name",
		"dpo_name", "authority_url", "authority_name"} {
		if fields[f] == "" {
			t.Errorf("no problem reported for %s (got %v)", f, fields)
		}
	}
	// The logo comes from the library: a path under /media/ and nothing else.
	for _, logo := range []string{"/static/app.css", "/media/../admin", "//evil.example/media/x.png", "/media/\\evil.example"} {
		s := parley.Site{LogoURL: logo}
		if parley.ErrorFields(s.Validate())["logo"] == "" {
			t.Errorf("logo %q accepted", logo)
		}
	}
	if fields := parley.ErrorFields((&parley.Site{DPOName: "Dana"}).Validate()); fields["dpo_email"] == "" {
		t.Errorf("an officer without an address: %v", fields)
	}
}
