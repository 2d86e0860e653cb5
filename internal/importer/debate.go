// Package importer reads content made elsewhere into Parley's domain types:
// debates written as Markdown files today; WordPress and Disqus exports later.
package importer

import (
	"bytes"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/parley-org/parley"
)

// DebateFile is a debate written as Markdown with YAML front matter:
//
//	---
//	title: Should city centres be car-free?
//	slug: car-free-centres
//	question: Would you give up your car for a calmer centre?
//	image: hero.jpg
//	credit: "Photo: …"
//	status: published
//	topics: [cities, transport]
//	---
//	The article, in Markdown.
type DebateFile struct {
	Debate *parley.Debate
	// Image is the front matter's image: a URL, or a file path relative to
	// the Markdown file.
	Image string
}

type frontMatter struct {
	Title    string   `yaml:"title"`
	Slug     string   `yaml:"slug"`
	Question string   `yaml:"question"`
	Image    string   `yaml:"image"`
	Credit   string   `yaml:"credit"`
	Status   string   `yaml:"status"`
	Topics   []string `yaml:"topics"`
}

// ParseDebate reads a debate file. The body is left unrendered.
func ParseDebate(src []byte) (*DebateFile, error) {
	src = bytes.TrimPrefix(src, []byte("\ufeff"))
	text := strings.ReplaceAll(string(src), "\r\n", "\n")
	if !strings.HasPrefix(text, "---\n") {
		return nil, fmt.Errorf("the file must start with front matter between two lines of ---")
	}
	head, body, ok := strings.Cut(text[4:], "\n---\n")
	if !ok {
		if head, ok = strings.CutSuffix(text[4:], "\n---"); !ok {
			return nil, fmt.Errorf("the front matter is not closed by a line of ---")
		}
	}
	var fm frontMatter
	dec := yaml.NewDecoder(strings.NewReader(head))
	dec.KnownFields(true)
	if err := dec.Decode(&fm); err != nil {
		return nil, fmt.Errorf("front matter: %w", err)
	}
	d := &parley.Debate{
		Title: fm.Title, Slug: fm.Slug, Question: fm.Question, BodyMD: body, ImageCredit: fm.Credit,
		Status: parley.DebateStatus(fm.Status), Topics: fm.Topics,
	}
	f := &DebateFile{Debate: d, Image: fm.Image}
	if strings.HasPrefix(fm.Image, "http://") || strings.HasPrefix(fm.Image, "https://") {
		d.ImageURL, f.Image = fm.Image, ""
	}
	return f, nil
}
