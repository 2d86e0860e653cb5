package parley

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// CommentStatus decides who sees a comment.
type CommentStatus string

const (
	CommentApproved CommentStatus = "approved" // shown and counted
	CommentPending  CommentStatus = "pending"  // waiting for a moderator; its author sees it
	CommentSpam     CommentStatus = "spam"
	CommentTrash    CommentStatus = "trash"
)

// Valid reports whether s is a known status.
func (s CommentStatus) Valid() bool {
	switch s {
	case CommentApproved, CommentPending, CommentSpam, CommentTrash:
		return true
	}
	return false
}

// Comment is a reader's contribution to a debate. Comments are stored flat;
// BuildThread arranges them into a tree.
type Comment struct {
	ID       int64
	DebateID int64
	// ParentID places the comment in the tree (0 for a top-level comment).
	ParentID int64
	// RootID is the top-level comment of the thread; a top-level comment is its own root.
	RootID int64
	// ReplyToID is the comment actually answered. It differs from ParentID
	// when the reply would have been deeper than the thread allows and was
	// placed beside its parent instead.
	ReplyToID   int64
	ReplyToName string
	// ReplyToAnswerID is the expert's answer (to ReplyToID) the comment
	// replies to, 0 for none.
	ReplyToAnswerID int64
	Depth           int // 0 for top-level
	AuthorName      string
	// AuthorEmail is private: it never appears in a page, feed, API response or log.
	AuthorEmail string
	// AvatarKey derives the generated avatar; it reveals nothing about the email.
	AvatarKey string
	BodyMD    string
	BodyHTML  string // sanitised at write time
	Status    CommentStatus
	Language  string // ISO 639-1, "" when unknown
	// Source names where a comment entered on a reader's behalf came from
	// ("email", "post", "social"); "" for comments posted on the site.
	Source string
	// UserID is the account that wrote the comment, 0 for a guest.
	UserID int64
	// EditedAt is when its author last edited it, zero if never.
	EditedAt time.Time
	// DeletedAt is when its author deleted it; a deleted comment with replies
	// stays in the thread as "comment deleted", without its text.
	DeletedAt time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
}

// SourceLabel says where a comment entered on a reader's behalf came
// from, as readers read it ("sent in by email"); "" for the site's own.
func (c *Comment) SourceLabel() string {
	switch c.Source {
	case "":
		return ""
	case "email":
		return "sent in by email"
	case "post":
		return "sent in by post"
	case "social":
		return "sent in on social media"
	case "phone":
		return "sent in by phone"
	}
	return "sent in from elsewhere"
}

// EditWindow is how long after posting an author may edit a comment.
const EditWindow = 15 * time.Minute

// Limits on comment fields. The body limit is configurable per site; this is the default.
const (
	MaxNameLen          = 80
	MaxEmailLen         = 254
	DefaultMaxBodyLen   = 5000
	DefaultMaxDepth     = 4
	MaxSubmissionKeyLen = 64
)

// NewComment is what a reader submits.
type NewComment struct {
	ParentID    int64
	AuthorName  string
	AuthorEmail string
	Body        string
	// SubmissionKey makes a post idempotent: a second post with the same key
	// returns the first comment instead of creating another.
	SubmissionKey string
	// NotifyReplies and NotifyAll subscribe the author, by mail, to replies
	// to this comment and to every new comment of the debate.
	NotifyReplies, NotifyAll bool
	// AnswerID, with ParentID, replies to an expert's answer to the parent.
	AnswerID int64
}

// Validate cleans the submission in place and reports every problem, each
// beside its field. maxBody is the site's limit on the body in characters.
func (c *NewComment) Validate(maxBody int) error {
	p := Problems{}
	var ok bool
	if c.AuthorName, ok = CleanLine(c.AuthorName); !ok {
		p.Add("author_name", "Your name is not valid UTF-8 text.")
	}
	if c.AuthorEmail, ok = CleanLine(c.AuthorEmail); !ok {
		p.Add("author_email", "Your email address is not valid UTF-8 text.")
	}
	if c.Body, ok = CleanText(c.Body); !ok {
		p.Add("body", "Your comment is not valid UTF-8 text.")
	}
	switch n := utf8.RuneCountInString(c.AuthorName); {
	case n == 0:
		p.Add("author_name", "Please give a name to show with your comment.")
	case n > MaxNameLen:
		p.Add("author_name", "Your name is longer than 80 characters.")
	}
	switch {
	case c.AuthorEmail == "":
		p.Add("author_email", "Please give your email address. It will never be shown.")
	case len(c.AuthorEmail) > MaxEmailLen || !ValidEmail(c.AuthorEmail):
		p.Add("author_email", "This does not look like an email address.")
	}
	switch n := utf8.RuneCountInString(c.Body); {
	case n == 0:
		p.Add("body", "Please write a comment.")
	case n > maxBody:
		p.Add("body", fmt.Sprintf("Your comment is %d characters long; the limit is %d.", n, maxBody))
	}
	if c.ParentID < 0 {
		p.Add("parent_id", "The comment you reply to does not exist.")
	}
	if len(c.SubmissionKey) > MaxSubmissionKeyLen {
		c.SubmissionKey = ""
	}
	return p.Err()
}

// ValidEmail reports whether s is a bare address such as name@example.org.
func ValidEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return false
	}
	// net/mail takes any UTF-8 in an atom, so "a\u202e@x.org" or a
	// zero-width space in the domain would pass: no address needs them.
	if strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || isStrippedControl(r) || unicode.Is(unicode.Cf, r) }) {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	return at > 0 && strings.Contains(s[at+1:], ".")
}

// CommentFilter selects the approved top-level threads of one debate page.
type CommentFilter struct {
	DebateID int64
	// NewestFirst orders top-level threads newest first; replies stay oldest first.
	NewestFirst bool
	// After is the cursor: the last top-level comment ID of the previous page.
	After int64
	// Limit is the number of top-level threads.
	Limit int
}

// ThreadPage is one page of a debate's comments: whole threads, never part of one.
type ThreadPage struct {
	Comments []*Comment // flat, in display order of roots; replies by ID
	// Next is the cursor for the following page, 0 on the last page.
	Next int64
}

// AvatarKey derives the key of a commenter's generated avatar from their
// email address and a site secret. Unlike a plain hash of the address (as
// Gravatar uses), it cannot be reversed by guessing addresses.
func AvatarKey(secret []byte, email string) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(strings.ToLower(strings.TrimSpace(email))))
	return hex.EncodeToString(m.Sum(nil)[:10])
}

// CountLinks counts the links of a comment's sanitised HTML that lead
// off the site: not those to its own pages (mentions of other commenters
// link to their comments), whose addresses start with "/", "#" or site.
func CountLinks(html, site string) int {
	n := 0
	for rest := html; ; {
		i := strings.Index(rest, `<a href="`)
		if i < 0 {
			return n
		}
		rest = rest[i+len(`<a href="`):]
		own := strings.HasPrefix(rest, "/") || strings.HasPrefix(rest, "#") || (site != "" && strings.HasPrefix(rest, site+"/"))
		if !own {
			n++
		}
	}
}
