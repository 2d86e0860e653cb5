package parley

import (
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// Role is what a person with an account may do. Roles are ordered: each one
// may do everything the roles before it may (an editor also moderates), except
// that an expert is a participant whose account is known to the editors.
type Role string

const (
	RoleParticipant Role = "participant" // comments under their account
	RoleExpert      Role = "expert"      // answers questions put to them
	RoleModerator   Role = "moderator"   // decides on held and reported comments
	RoleEditor      Role = "editor"      // runs debates in the editors' console
	RoleAdmin       Role = "admin"       // assigns roles, sees the dev mailbox
)

// Roles lists the roles in order of power.
var Roles = []Role{RoleParticipant, RoleExpert, RoleModerator, RoleEditor, RoleAdmin}

func (r Role) rank() int {
	for i, x := range Roles {
		if x == r {
			return i
		}
	}
	return -1
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r.rank() >= 0 }

// AtLeast reports whether r may do what min may.
func (r Role) AtLeast(min Role) bool { return r.Valid() && r.rank() >= min.rank() }

// User is a person with an account.
type User struct {
	ID    int64
	Email string // lower-cased; private
	Name  string
	Role  Role
	// HasPassword is false for accounts that sign in by emailed links only.
	HasPassword     bool
	EmailVerifiedAt time.Time
	CreatedAt       time.Time
	// Language is the interface language the account chose ("de"), or "".
	Language string
}

// Verified reports whether the user has proved they own their address.
func (u *User) Verified() bool { return !u.EmailVerifiedAt.IsZero() }

// Can reports whether u (nil for a visitor without an account) has at least the role min.
func (u *User) Can(min Role) bool { return u != nil && u.Role.AtLeast(min) }

// NormalizeEmail is how an address is stored and looked up: trimmed and
// lower-cased, so that one mailbox has one account.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// MinPasswordLen is the shortest password an account may have.
const MinPasswordLen = 10

// MaxPasswordLen bounds the work of hashing a password.
const MaxPasswordLen = 1000

// ValidateAccount checks a name and an address for a new account.
func ValidateAccount(name, email string) (string, string, error) {
	p := Problems{}
	name, ok := CleanLine(name)
	if !ok {
		p.Add("name", "Your name is not valid UTF-8 text.")
	}
	switch n := utf8.RuneCountInString(name); {
	case n == 0:
		p.Add("name", "Please give the name to show with your comments.")
	case n > MaxNameLen:
		p.Add("name", "Your name is longer than 80 characters.")
	}
	email = NormalizeEmail(email)
	switch {
	case email == "":
		p.Add("email", "Please give your email address.")
	case len(email) > MaxEmailLen || !ValidEmail(email):
		p.Add("email", "This does not look like an email address.")
	}
	return name, email, p.Err()
}

// Partner is an organisation a debate is run with.
type Partner struct {
	ID      int64
	Slug    string
	Name    string
	URL     string
	LogoURL string
}

// Validate cleans a partner in place and reports every problem.
func (p *Partner) Validate() error {
	probs := Problems{}
	var ok bool
	if p.Name, ok = CleanLine(p.Name); !ok {
		probs.Add("name", "This is not valid UTF-8 text.")
	}
	switch n := utf8.RuneCountInString(p.Name); {
	case n == 0:
		probs.Add("name", "A partner needs a name.")
	case n > MaxCreditLen:
		probs.Add("name", "The name is longer than 200 characters.")
	}
	if p.Slug == "" {
		p.Slug = Slugify(p.Name)
	}
	if !validSlug(p.Slug) {
		probs.Add("slug", "The slug may hold only lower-case letters, digits and dashes (at most 100).")
	}
	if p.URL != "" {
		if u, err := url.Parse(p.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			probs.Add("url", "The link must be an http(s) address.")
		}
	}
	if p.LogoURL != "" && !localOrHTTPURL(p.LogoURL) {
		probs.Add("logo", "The logo must be an http(s) address or a path on this site.")
	}
	return probs.Err()
}

// Upload is an image uploaded through the editors' console.
type Upload struct {
	Name        string // content-hashed file name under /media/
	ContentType string
	Bytes       int64
	Width       int
	Height      int
	Credit      string
	UserID      int64
	CreatedAt   time.Time
}

// URL is the address the image is served at.
func (u *Upload) URL() string { return "/media/" + u.Name }
