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
	// Language is the language the debate is written in (ISO 639-1), ""
	// when the editors did not say.
	Language string
	Topics   []string
	Status   DebateStatus
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
	checkDebateText(p, &d.Title, &d.Question, &d.BodyMD, &d.ImageCredit)
	if d.Slug == "" {
		d.Slug = Slugify(d.Title)
	}
	if d.Language != "" && !ValidLanguage(d.Language) {
		p.Add("language", "Choose one of the EU's languages.")
	}
	if !validSlug(d.Slug) {
		p.Add("slug", "The slug may hold only lower-case letters, digits and dashes (at most 100).")
	}
	if d.ImageURL != "" && !localOrHTTPURL(d.ImageURL) {
		p.Add("image", "The image must be an http(s) address or a path on this site.")
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

// checkDebateText cleans the texts of a debate, or of its translation, and
// records what is wrong with them.
func checkDebateText(p Problems, title, question, body, credit *string) {
	var ok bool
	if *title, ok = CleanLine(*title); !ok {
		p.Add("title", "The title is not valid UTF-8 text.")
	}
	if *question, ok = CleanLine(*question); !ok {
		p.Add("question", "The question is not valid UTF-8 text.")
	}
	if *body, ok = CleanText(*body); !ok {
		p.Add("body", "The article is not valid UTF-8 text.")
	}
	if *credit, ok = CleanLine(*credit); !ok {
		p.Add("image_credit", "The credit line is not valid UTF-8 text.")
	}
	switch {
	case *title == "":
		p.Add("title", "A debate needs a title.")
	case utf8.RuneCountInString(*title) > MaxTitleLen:
		p.Add("title", "The title is longer than 200 characters.")
	}
	switch {
	case *question == "":
		p.Add("question", "A debate needs a lead question.")
	case utf8.RuneCountInString(*question) > MaxQuestionLen:
		p.Add("question", "The question is longer than 300 characters.")
	}
	if len(*body) > MaxDebateBody {
		p.Add("body", "The article is longer than 100,000 characters.")
	}
	if utf8.RuneCountInString(*credit) > MaxCreditLen {
		p.Add("image_credit", "The credit line is longer than 200 characters.")
	}
}

// DebateFilter selects debates for a listing.
type DebateFilter struct {
	// Public limits the list to published and closed debates.
	Public bool
	Topic  string
	Offset int
	Limit  int
}
