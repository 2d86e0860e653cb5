package importer

import (
	"strings"
	"testing"
)

func TestParseDebate(t *testing.T) {
	f, err := ParseDebate([]byte("---\ntitle: Trams or buses?\nquestion: Which should the city buy?\nimage: hero.png\ncredit: \"Photo: A. N. Other\"\nstatus: published\ntopics: [transport, cities]\n---\nThe council must choose.\n\n## Costs\n"))
	if err != nil {
		t.Fatal(err)
	}
	d := f.Debate
	if d.Title != "Trams or buses?" || d.Question != "Which should the city buy?" || f.Image != "hero.png" || d.ImageCredit != "Photo: A. N. Other" ||
		d.Status != "published" || strings.Join(d.Topics, ",") != "transport,cities" || !strings.HasPrefix(d.BodyMD, "The council must choose.") {
		t.Fatalf("got %+v image %q", d, f.Image)
	}
	if err := d.Validate(); err != nil || d.Slug != "trams-or-buses" {
		t.Fatalf("validate: %v, slug %q, want nil, trams-or-buses", err, d.Slug)
	}
}

func TestParseDebateRemoteImage(t *testing.T) {
	f, err := ParseDebate([]byte("---\ntitle: T\nquestion: Q?\nimage: https://example.org/a.jpg\n---\n"))
	if err != nil {
		t.Fatal(err)
	}
	if f.Debate.ImageURL != "https://example.org/a.jpg" || f.Image != "" {
		t.Fatalf("got url %q file %q, want the URL kept and no file", f.Debate.ImageURL, f.Image)
	}
}

func TestParseDebateRejectsBrokenFiles(t *testing.T) {
	for name, src := range map[string]string{
		"no front matter": "Just text",
		"not closed":      "---\ntitle: T\n",
		"unknown key":     "---\ntitle: T\ncolour: red\n---\nx",
		"bad yaml":        "---\ntitle: [unclosed\n---\nx",
	} {
		if _, err := ParseDebate([]byte(src)); err == nil {
			t.Errorf("%s: got nil error, want one", name)
		}
	}
}
