// Package demo fills an empty Parley with original demo content: debates,
// experts, reader comments in several languages, featured questions and
// expert answers. The content lives in content/ and is free to reuse.
package demo

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"path"
	"regexp"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/markup"
	"github.com/parley-org/parley/internal/media"
	"github.com/parley-org/parley/internal/notify"
	"github.com/parley-org/parley/internal/store"
)

//go:embed content
var content embed.FS

type file struct {
	Experts []struct {
		Key            string `yaml:"key"`
		Slug           string `yaml:"slug"`
		Name           string `yaml:"name"`
		Title          string `yaml:"title"`
		Affiliation    string `yaml:"affiliation"`
		Portrait       string `yaml:"portrait"`
		PortraitCredit string `yaml:"portrait_credit"`
		Bio            string `yaml:"bio"`
	} `yaml:"experts"`
	Debates []debate `yaml:"debates"`
}

type debate struct {
	Slug          string    `yaml:"slug"`
	Title         string    `yaml:"title"`
	Question      string    `yaml:"question"`
	Image         string    `yaml:"image"`
	ImageCredit   string    `yaml:"image_credit"`
	Status        string    `yaml:"status"`
	Topics        []string  `yaml:"topics"`
	DaysAgo       int       `yaml:"days_ago"`
	HoldForReview bool      `yaml:"hold_for_review"`
	Language      string    `yaml:"language"`
	Body          string    `yaml:"body"`
	Comments      []comment `yaml:"comments"`
	// Translations are the editors' translations of the debate.
	Translations []struct {
		Language    string `yaml:"language"`
		Title       string `yaml:"title"`
		Question    string `yaml:"question"`
		ImageCredit string `yaml:"image_credit"`
		Body        string `yaml:"body"`
	} `yaml:"translations"`
	Questions []struct {
		Comment string `yaml:"comment"`
		Framing string `yaml:"framing"`
		Answers []struct {
			Expert string `yaml:"expert"`
			LeadIn string `yaml:"lead_in"`
			Body   string `yaml:"body"`
		} `yaml:"answers"`
	} `yaml:"questions"`
}

type comment struct {
	Key      string    `yaml:"key"`
	Name     string    `yaml:"name"`
	Email    string    `yaml:"email"`
	Language string    `yaml:"language"`
	Minutes  int       `yaml:"minutes"`
	Body     string    `yaml:"body"`
	Replies  []comment `yaml:"replies"`
	// Held and Spam, when set, say why the comment waits for a moderator
	// or was filed as spam; Reports are readers' reports of it.
	Held    string   `yaml:"held"`
	Spam    string   `yaml:"spam"`
	Reports []string `yaml:"reports"`
}

// Load writes the demo content into an empty database, in one transaction,
// dated relative to now. It does nothing if any debate exists, and reports
// whether it loaded. baseURL is the site's address: an "@Name" in a demo
// comment links to that person's comment, as in a comment posted on the
// site (comment Markdown takes only absolute links).
func Load(ctx context.Context, st *store.Store, md *media.Dir, now time.Time, baseURL string) (bool, error) {
	n, err := st.CountDebates(ctx)
	if err != nil || n > 0 {
		return false, err
	}
	raw, err := content.ReadFile("content/debates.yaml")
	if err != nil {
		return false, err
	}
	var f file
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return false, fmt.Errorf("demo content: %w", err)
	}
	avatarSecret, err := st.Secret(ctx, "avatars")
	if err != nil {
		return false, err
	}
	l := &loader{st: st, md: md, now: now, baseURL: strings.TrimRight(baseURL, "/"), avatarSecret: avatarSecret, experts: map[string]*parley.Expert{},
		articles: markup.NewArticle(markup.WithSiteURL(baseURL)), comments: markup.NewComments(markup.WithSiteURL(baseURL))}
	err = st.Atomically(ctx, func(ctx context.Context) error {
		for _, e := range f.Experts {
			portrait, err := l.image(e.Portrait)
			if err != nil {
				return err
			}
			x := &parley.Expert{Slug: e.Slug, Name: e.Name, Title: e.Title, Affiliation: e.Affiliation,
				PortraitURL: portrait, PortraitCredit: e.PortraitCredit, BioMD: e.Bio, BioHTML: l.articles.Render(e.Bio)}
			if err := x.Validate(); err != nil {
				return fmt.Errorf("demo expert %s: %w %v", e.Key, err, parley.ErrorFields(err))
			}
			if err := st.SaveExpert(ctx, x); err != nil {
				return err
			}
			l.experts[e.Key] = x
		}
		for _, d := range f.Debates {
			if err := l.debate(ctx, d); err != nil {
				return fmt.Errorf("demo debate %s: %w", d.Slug, err)
			}
		}
		return nil
	})
	return err == nil, err
}

type loader struct {
	st                 *store.Store
	md                 *media.Dir
	now                time.Time
	baseURL            string
	avatarSecret       []byte
	experts            map[string]*parley.Expert
	articles, comments *markup.Renderer
}

// image copies an embedded image into the media folder and returns its URL.
func (l *loader) image(name string) (string, error) {
	data, err := content.ReadFile("content/" + name)
	if err != nil {
		return "", fmt.Errorf("demo image: %w", err)
	}
	stored, err := l.md.Save(path.Ext(name), data)
	if err != nil {
		return "", err
	}
	return "/media/" + stored, nil
}

func (l *loader) debate(ctx context.Context, in debate) error {
	image, err := l.image(in.Image)
	if err != nil {
		return err
	}
	published := l.now.Add(-time.Duration(in.DaysAgo) * 24 * time.Hour)
	d := &parley.Debate{Slug: in.Slug, Title: in.Title, Question: in.Question, BodyMD: in.Body, BodyHTML: l.articles.Render(in.Body),
		ImageURL: image, ImageCredit: in.ImageCredit, Topics: in.Topics, Status: parley.DebateStatus(in.Status),
		HoldForReview: in.HoldForReview, PublishedAt: published, Language: in.Language}
	if err := d.Validate(); err != nil {
		return fmt.Errorf("%w %v", err, parley.ErrorFields(err))
	}
	if _, err := l.st.SaveDebate(ctx, d); err != nil {
		return err
	}
	for _, tr := range in.Translations {
		t := &parley.DebateTranslation{DebateID: d.ID, Language: tr.Language, Title: tr.Title, Question: tr.Question,
			BodyMD: tr.Body, BodyHTML: l.articles.Render(tr.Body), ImageCredit: tr.ImageCredit}
		if err := t.Normalize(); err != nil {
			return fmt.Errorf("translation into %s: %w %v", tr.Language, err, parley.ErrorFields(err))
		}
		if err := l.st.SaveDebateTranslation(ctx, t); err != nil {
			return err
		}
	}
	ids := map[string]int64{}
	// authors maps each name that signs an approved comment so far to its
	// latest, for "@Name" mentions (store.DebateAuthors, when posting).
	authors := map[string]int64{}
	var add func(list []comment, parent int64) error
	add = func(list []comment, parent int64) error {
		for _, c := range list {
			nc := &parley.NewComment{ParentID: parent, AuthorName: c.Name, AuthorEmail: c.Email, Body: reflow(c.Body)}
			if err := nc.Validate(parley.DefaultMaxBodyLen); err != nil {
				return fmt.Errorf("comment %s: %w %v", c.Key, err, parley.ErrorFields(err))
			}
			status, screening := parley.CommentApproved, store.Screening{}
			switch {
			case c.Spam != "":
				status, screening.HoldReasons = parley.CommentSpam, []string{c.Spam}
			case c.Held != "":
				status, screening.HoldReasons = parley.CommentPending, []string{c.Held}
			}
			created, _, err := l.st.CreateComment(ctx, store.CreateComment{
				DebateID: d.ID, ParentID: parent, AuthorName: nc.AuthorName, AuthorEmail: nc.AuthorEmail,
				AvatarKey: parley.AvatarKey(l.avatarSecret, nc.AuthorEmail), BodyMD: nc.Body,
				BodyHTML: l.comments.Render(notify.LinkMentions(nc.Body, l.baseURL, notify.FindMentions(nc.Body, authors))),
				Language: c.Language, MaxDepth: parley.DefaultMaxDepth, Status: status, Screening: screening,
				CreatedAt: published.Add(time.Duration(c.Minutes) * time.Minute), IgnoreClosed: true, Quiet: true,
			})
			if err != nil {
				return fmt.Errorf("comment %s: %w", c.Key, err)
			}
			for i, reason := range c.Reports {
				r := parley.Report{CommentID: created.ID, Reason: parley.ReportReason(reason)}
				if err := r.Validate(); err != nil {
					return fmt.Errorf("comment %s: report %d: %w", c.Key, i+1, err)
				}
				if _, err := l.st.ReportComment(ctx, r, fmt.Sprintf("demo:%d", i), 0); err != nil {
					return fmt.Errorf("comment %s: %w", c.Key, err)
				}
			}
			ids[c.Key] = created.ID
			if status == parley.CommentApproved {
				authors[nc.AuthorName] = created.ID
			}
			if err := add(c.Replies, created.ID); err != nil {
				return err
			}
		}
		return nil
	}
	if err := add(in.Comments, 0); err != nil {
		return err
	}
	for i, q := range in.Questions {
		commentID, ok := ids[q.Comment]
		if !ok {
			return fmt.Errorf("question %d names unknown comment %q", i+1, q.Comment)
		}
		question := &parley.Question{DebateID: d.ID, CommentID: commentID, Position: i + 1, FramingMD: q.Framing, FramingHTML: l.articles.Render(q.Framing)}
		if err := l.st.AddQuestion(ctx, question); err != nil {
			return err
		}
		for j, a := range q.Answers {
			e, ok := l.experts[a.Expert]
			if !ok {
				return fmt.Errorf("answer names unknown expert %q", a.Expert)
			}
			err := l.st.AddAnswer(ctx, &parley.Answer{QuestionID: question.ID, ExpertID: e.ID, LeadIn: a.LeadIn, BodyMD: a.Body,
				BodyHTML: l.articles.Render(a.Body), Position: j + 1, Status: parley.AnswerPublished,
				PublishedAt: published.Add(time.Duration(6+i) * time.Hour)})
			if err != nil {
				return err
			}
		}
	}
	return nil
}

var blockStart = regexp.MustCompile(`^(\s*[-*+] |\s*\d+[.)] |\s*>)`)

// reflow joins the lines the content file wraps for legibility, as a reader
// typing into a comment box would have written them; lists and quotes keep
// their lines.
func reflow(text string) string {
	lines := strings.Split(strings.TrimSpace(text), "\n")
	var b strings.Builder
	for i, line := range lines {
		if i > 0 {
			prev := lines[i-1]
			if line == "" || prev == "" || blockStart.MatchString(line) || blockStart.MatchString(prev) && !strings.HasPrefix(line, " ") {
				b.WriteByte('\n')
			} else {
				b.WriteByte(' ')
			}
		}
		b.WriteString(line)
	}
	return b.String()
}
