package parley

import (
	"slices"
	"time"
	"unicode/utf8"
)

// DebateStatus is where a debate is in its life.
type DebateStatus string

const (
	DebateDraft     DebateStatus = "draft"     // visible to editors only
	DebatePublished DebateStatus = "published" // public and open for comments
	DebateClosed    DebateStatus = "closed"    // public, no new comments
)

// Valid reports whether s is a known status.
func (s DebateStatus) Valid() bool {
	return s == DebateDraft || s == DebatePublished || s == DebateClosed
}

// Debate is an editorial article that ends in a question put to readers.
type Debate struct {
	ID          int64
	Slug        string
	Title       string
	Question    string // the lead question readers answer
	BodyMD      string
	BodyHTML    string // sanitised at write time
	ImageURL    string
	ImageCredit string
	Topics      []string
	Status      DebateStatus
	// HoldForReview holds every new comment for a moderator before it shows.
	HoldForReview bool
	// AccountsOnly refuses comments from guests without an account.
	AccountsOnly bool
	// Policy is how the debate screens new comments.
	Policy Policy
	// PublishAt schedules a draft: it publishes itself at that time.
	PublishAt   time.Time
	PublishedAt time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
	// CommentCount counts approved comments only.
	CommentCount  int
	LastCommentAt time.Time
	// Version changes with every commit that changes what the debate's pages show.
	Version int64
}

// Public reports whether readers may see the debate.
func (d *Debate) Public() bool { return d.Status == DebatePublished || d.Status == DebateClosed }

// Open reports whether the debate takes new comments.
func (d *Debate) Open() bool { return d.Status == DebatePublished }

// Limits on debate fields.
const (
	MaxTitleLen    = 200
	MaxQuestionLen = 300
	MaxCreditLen   = 200
	MaxDebateBody  = 100_000
	MaxTopics      = 10
)

// Validate cleans a debate's fields in place and reports every problem.
func (d *Debate) Validate() error {
	p := Problems{}
	var ok bool
	if d.Title, ok = CleanLine(d.Title); !ok {
		p.Add("title", "The title is not valid UTF-8 text.")
	}
	if d.Slug == "" {
		d.Slug = Slugify(d.Title)
	}
	if d.Question, ok = CleanLine(d.Question); !ok {
		p.Add("question", "The question is not valid UTF-8 text.")
	}
	if d.BodyMD, ok = CleanText(d.BodyMD); !ok {
		p.Add("body", "The article is not valid UTF-8 text.")
	}
	if d.ImageCredit, ok = CleanLine(d.ImageCredit); !ok {
		p.Add("image_credit", "The credit line is not valid UTF-8 text.")
	}
	switch {
	case d.Title == "":
		p.Add("title", "A debate needs a title.")
	case utf8.RuneCountInString(d.Title) > MaxTitleLen:
		p.Add("title", "The title is longer than 200 characters.")
	}
	if !validSlug(d.Slug) {
		p.Add("slug", "The slug may hold only lower-case letters, digits and dashes (at most 100).")
	}
	switch {
	case d.Question == "":
		p.Add("question", "A debate needs a lead question.")
	case utf8.RuneCountInString(d.Question) > MaxQuestionLen:
		p.Add("question", "The question is longer than 300 characters.")
	}
	if len(d.BodyMD) > MaxDebateBody {
		p.Add("body", "The article is longer than 100,000 characters.")
	}
	if d.ImageURL != "" && !localOrHTTPURL(d.ImageURL) {
		p.Add("image", "The image must be an http(s) address or a path on this site.")
	}
	if utf8.RuneCountInString(d.ImageCredit) > MaxCreditLen {
		p.Add("image_credit", "The credit line is longer than 200 characters.")
	}
	if d.Status == "" {
		d.Status = DebateDraft
	}
	if !d.Status.Valid() {
		p.Add("status", "The status must be draft, published or closed.")
	}
	topics := d.Topics[:0:0]
	for _, t := range d.Topics {
		if t = Slugify(t); t != "" && !slices.Contains(topics, t) {
			topics = append(topics, t)
		}
	}
	d.Topics = topics
	if len(d.Topics) > MaxTopics {
		p.Add("topics", "A debate can have at most 10 topics.")
	}
	return p.Err()
}

// DebateFilter selects debates for a listing.
type DebateFilter struct {
	// Public limits the list to published and closed debates.
	Public bool
	Topic  string
	Offset int
	Limit  int
}
