package parley

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Expert is a person whose answers editors publish under reader comments.
type Expert struct {
	ID             int64
	Slug           string
	Name           string
	Title          string
	Affiliation    string
	PortraitURL    string
	PortraitCredit string
	BioMD          string
	BioHTML        string
	// ContactEmail is private to editors.
	ContactEmail string
}

// Validate cleans an expert profile in place and reports every problem.
func (e *Expert) Validate() error {
	p := Problems{}
	for field, v := range map[string]*string{"name": &e.Name, "title": &e.Title, "affiliation": &e.Affiliation, "portrait_credit": &e.PortraitCredit} {
		s, ok := CleanLine(*v)
		if !ok {
			p.Add(field, "This is not valid UTF-8 text.")
		}
		if utf8.RuneCountInString(s) > MaxCreditLen {
			p.Add(field, fmt.Sprintf("This is longer than %d characters.", MaxCreditLen))
		}
		*v = s
	}
	if e.Name == "" {
		p.Add("name", "An expert needs a name.")
	}
	if e.Slug == "" {
		e.Slug = Slugify(e.Name)
	}
	if !validSlug(e.Slug) {
		p.Add("slug", "The slug may hold only lower-case letters, digits and dashes (at most 100).")
	}
	if e.PortraitURL != "" && !localOrHTTPURL(e.PortraitURL) {
		p.Add("portrait", "The portrait must be an http(s) address or a path on this site.")
	}
	if e.ContactEmail != "" && !ValidEmail(e.ContactEmail) {
		p.Add("contact_email", "This does not look like an email address.")
	}
	return p.Err()
}

// Question is a reader comment the editors featured in the debate's article
// and put to experts. Its framing line introduces it ("Ana argues that ... Is she right?").
type Question struct {
	ID          int64
	DebateID    int64
	CommentID   int64
	Position    int
	FramingMD   string
	FramingHTML string
	// Comment is the featured comment, filled by reads that need it.
	Comment *Comment
	// Answers are the published answers in the editors' order.
	Answers []*Answer
}

// AnswerStatus tracks an expert's answer from draft to publication.
type AnswerStatus string

const (
	AnswerDraft     AnswerStatus = "draft"
	AnswerPublished AnswerStatus = "published"
)

// Answer is an expert's reply to a question, shown under the reader comment it answers.
type Answer struct {
	ID         int64
	QuestionID int64
	CommentID  int64
	ExpertID   int64
	Expert     *Expert
	// LeadIn is the editorial line before the answer ("What would she say?").
	LeadIn      string
	BodyMD      string
	BodyHTML    string
	Position    int
	Status      AnswerStatus
	PublishedAt time.Time
}

// AnswerRequest is an editor's request to an expert to answer a question,
// made through a private link in a mail: the link works for that expert
// and that question only, until it expires or is revoked, and once.
type AnswerRequest struct {
	ID         int64
	QuestionID int64
	ExpertID   int64
	// Generation counts the sends: a link names the generation it was
	// sent with, and works only while that is the request's latest.
	Generation int64
	Expert     *Expert
	SentBy     string
	SentAt     time.Time
	ExpiresAt  time.Time
	RevokedAt  time.Time
	Reminders  int
	RemindedAt time.Time
	AnsweredAt time.Time
	// RenewalAskedAt is when the expert last asked for a fresh link.
	RenewalAskedAt time.Time
}

// RequestState says where a request is.
type RequestState string

const (
	RequestWaiting  RequestState = "waiting"
	RequestAnswered RequestState = "answered"
	RequestExpired  RequestState = "expired"
	RequestRevoked  RequestState = "revoked"
)

// State is the request's state at a time.
func (r *AnswerRequest) State(now time.Time) RequestState {
	switch {
	case !r.AnsweredAt.IsZero():
		return RequestAnswered
	case !r.RevokedAt.IsZero():
		return RequestRevoked
	case !now.Before(r.ExpiresAt):
		return RequestExpired
	}
	return RequestWaiting
}

// MaxAnswerLen bounds an expert's answer, in characters.
const MaxAnswerLen = 20_000

// CleanAnswer checks an answer's text and returns it cleaned.
func CleanAnswer(body string) (string, error) {
	body, ok := CleanText(body)
	switch {
	case !ok:
		return "", &Error{Code: EINVALID, Message: "The answer is not valid UTF-8 text.", Fields: map[string]string{"body": "The answer is not valid UTF-8 text."}}
	case strings.TrimSpace(body) == "":
		return "", &Error{Code: EINVALID, Message: "Please write your answer.", Fields: map[string]string{"body": "Please write your answer."}}
	case utf8.RuneCountInString(body) > MaxAnswerLen:
		return "", &Error{Code: EINVALID, Message: "The answer is longer than 20,000 characters.", Fields: map[string]string{"body": "The answer is longer than 20,000 characters."}}
	}
	return body, nil
}
