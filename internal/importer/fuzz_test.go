package importer

import (
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/parley-org/parley"
)

func FuzzParseDebate(f *testing.F) {
	for _, s := range []string{
		"---\ntitle: Trams or buses?\nquestion: Which should the city buy?\nimage: hero.png\ncredit: \"Photo: A. N. Other\"\nstatus: published\ntopics: [transport, cities]\n---\nThe council must choose.\n\n## Costs\n",
		"---\ntitle: T\nquestion: Q?\nimage: https://example.org/a.jpg\n---\n",
		"\ufeff---\r\ntitle: T\r\n---\r\nbody\r\n",
		"---\ntitle: T\n---",
		"---\ntitle: [unclosed\n---\nx",
		"---\ncolour: red\n---\nx",
		"---\ntitle: &a x\nslug: *a\n---\n",
		"---\ntopics: [[a], {b: c}]\n---\n",
		"---\ntitle: |\n  two\n  lines\n---\n---\nmore\n---\n",
		"---\ntitle: x\n--- \ntitle: y\n---\n",
		"---\n---\n",
		"---\ntitle: |\n \n 0\n---",
		"Just text",
		"---\ntitle: 1e3\nslug: null\ntopics: ~\n---\r\r\nbody\r\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		df, err := ParseDebate(src)
		if err != nil {
			if df != nil {
				t.Fatalf("ParseDebate returned a file with the error %v", err)
			}
			return
		}
		d := df.Debate
		if d == nil {
			t.Fatal("ParseDebate returned no debate and no error")
		}
		if d.ImageURL != "" && (df.Image != "" || !strings.HasPrefix(d.ImageURL, "http://") && !strings.HasPrefix(d.ImageURL, "https://")) {
			t.Fatalf("image URL %q with file %q", d.ImageURL, df.Image)
		}
		if strings.HasPrefix(df.Image, "http://") || strings.HasPrefix(df.Image, "https://") {
			t.Fatalf("a remote image %q taken for a file", df.Image)
		}

		// Written out again, the file reads back as the same debate.
		again, err := ParseDebate(writeDebate(t, df))
		if err != nil {
			t.Fatalf("the debate written out again does not parse: %v\n%s", err, writeDebate(t, df))
		}
		// Compared as they are stored, cleaned: YAML does not keep every
		// leading or trailing newline of a block scalar through a round trip.
		a := again.Debate
		if line(a.Title) != line(d.Title) || line(a.Slug) != line(d.Slug) || line(a.Question) != line(d.Question) ||
			line(a.ImageCredit) != line(d.ImageCredit) || line(string(a.Status)) != line(string(d.Status)) ||
			line(a.ImageURL) != line(d.ImageURL) || line(again.Image) != line(df.Image) ||
			!slices.EqualFunc(a.Topics, d.Topics, func(x, y string) bool { return line(x) == line(y) }) {
			t.Fatalf("written out and read again:\n got %+v image %q\nwant %+v image %q", a, again.Image, d, df.Image)
		}
		b1, _ := parley.CleanText(d.BodyMD)
		b2, _ := parley.CleanText(a.BodyMD)
		if b1 != b2 {
			t.Fatalf("body %q read back as %q", d.BodyMD, a.BodyMD)
		}

		// Whatever the file holds, validation refuses or cleans it; it never panics.
		if d.Validate() == nil && (d.Title == "" || d.Question == "" || !d.Status.Valid()) {
			t.Fatalf("Validate accepted %+v", d)
		}
	})
}

func line(s string) string {
	s, _ = parley.CleanLine(s)
	return s
}

// writeDebate writes a parsed debate back out as a debate file.
func writeDebate(t *testing.T, df *DebateFile) []byte {
	t.Helper()
	d := df.Debate
	fm := frontMatter{Title: d.Title, Slug: d.Slug, Question: d.Question, Image: df.Image, Credit: d.ImageCredit,
		Status: string(d.Status), Topics: d.Topics}
	if d.ImageURL != "" {
		fm.Image = d.ImageURL
	}
	head, err := yaml.Marshal(fm)
	if err != nil {
		t.Fatalf("marshal %+v: %v", fm, err)
	}
	return []byte("---\n" + string(head) + "---\n" + d.BodyMD)
}
