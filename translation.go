package parley

import (
	"strings"
	"time"
	"unicode/utf8"
)

// DebateTranslation is an editor's translation of a debate into another
// language: readers of that language see it, with links to the others, and
// one comment section is shared by all.
type DebateTranslation struct {
	DebateID    int64
	Language    string // ISO 639-1
	Title       string
	Question    string
	BodyMD      string
	BodyHTML    string // sanitised at write time
	ImageCredit string
	// Framing holds the translated framing line of featured questions, by
	// question id (Markdown; FramingHTML sanitised).
	Framing     map[int64]string
	FramingHTML map[int64]string
	UpdatedAt   time.Time
}

// Normalize cleans the fields and reports what is wrong with them, as a
// debate's own are checked.
func (t *DebateTranslation) Normalize() error {
	p := Problems{}
	if !ValidLanguage(t.Language) {
		p.Add("language", "Choose one of the EU's languages.")
	}
	checkDebateText(p, &t.Title, &t.Question, &t.BodyMD, &t.ImageCredit)
	return p.Err()
}

// Over returns the debate as it reads in t's language: t's texts over d's
// (a copy, since d may be shared by caches).
func (t *DebateTranslation) Over(d *Debate) *Debate {
	c := *d
	c.Title, c.Question, c.BodyMD, c.BodyHTML = t.Title, t.Question, t.BodyMD, t.BodyHTML
	if t.ImageCredit != "" {
		c.ImageCredit = t.ImageCredit
	}
	return &c
}

// OverQuestions returns copies of a debate's featured questions with t's
// framing lines and its answers' translations into t's language (answers
// by answer and language); lines and answers not translated stay as they
// are.
func (t *DebateTranslation) OverQuestions(questions []*Question, answers map[int64]map[string]*AnswerTranslation) []*Question {
	out := make([]*Question, len(questions))
	for i, q := range questions {
		c := *q
		if html, ok := t.FramingHTML[q.ID]; ok {
			c.FramingMD, c.FramingHTML = t.Framing[q.ID], html
		}
		c.Answers = make([]*Answer, len(q.Answers))
		for j, a := range q.Answers {
			ta := *a
			if at := answers[a.ID][t.Language]; at != nil {
				ta.BodyMD, ta.BodyHTML = at.BodyMD, at.BodyHTML
				if at.LeadIn != "" {
					ta.LeadIn = at.LeadIn
				}
			}
			c.Answers[j] = &ta
		}
		out[i] = &c
	}
	return out
}

// AnswerTranslation is an editor's translation of a published expert
// answer: its lead-in line and its text.
type AnswerTranslation struct {
	AnswerID  int64
	Language  string
	LeadIn    string
	BodyMD    string
	BodyHTML  string
	UpdatedAt time.Time
}

// Normalize trims the fields and reports what is wrong with them.
func (t *AnswerTranslation) Normalize() error {
	t.LeadIn = strings.TrimSpace(t.LeadIn)
	p := Problems{}
	if !ValidLanguage(t.Language) {
		p.Add("language", "Choose one of the EU's languages.")
	}
	if !utf8.ValidString(t.LeadIn) || !utf8.ValidString(t.BodyMD) {
		p.Add("body", "This text is not valid UTF-8 text.")
	}
	if strings.TrimSpace(t.BodyMD) == "" {
		p.Add("body", "Please write the translated answer.")
	}
	if utf8.RuneCountInString(t.LeadIn) > MaxTitleLen {
		p.Add("lead_in", "The lead-in is longer than 200 characters.")
	}
	return p.Err()
}

// HumanTranslation is the provider name of a comment translation an editor
// wrote: it replaces the machine's.
const HumanTranslation = "human"

// CommentTranslation is a comment in another language: a machine
// translation, cached per provider until the comment is edited, or an
// editor's.
type CommentTranslation struct {
	CommentID int64
	Language  string
	Provider  string // a provider's name, or HumanTranslation
	BodyHTML  string // sanitised like the comment itself
	CreatedAt time.Time
}

// Human reports whether an editor wrote the translation.
func (t *CommentTranslation) Human() bool { return t.Provider == HumanTranslation }

// euLanguages are the EU's 24 official languages, by ISO 639-1 code.
var euLanguages = []string{"bg", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "ga", "hr", "hu",
	"it", "lt", "lv", "mt", "nl", "pl", "pt", "ro", "sk", "sl", "sv"}

// EULanguages returns the EU's official languages by ISO 639-1 code.
func EULanguages() []string { return append([]string(nil), euLanguages...) }

// ValidLanguage reports whether code is one of the EU's official languages,
// which debates may be written and translated in.
func ValidLanguage(code string) bool {
	for _, c := range euLanguages {
		if c == code {
			return true
		}
	}
	return false
}
