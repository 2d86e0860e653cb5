package parley

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Policy is how a debate screens new comments, beside HoldForReview (which
// holds every comment). The zero Policy is not the default: see DefaultPolicy.
type Policy struct {
	// HoldFirstTime holds comments of authors who have no approved comment yet.
	HoldFirstTime bool
	// MaxLinks is the most links a comment may carry before it is held.
	MaxLinks int
	// HoldWords and RejectWords are word lists, one term a line: a comment
	// with a term of the first waits for a moderator; one with a term of
	// the second is refused, with the reason, before it is stored.
	HoldWords, RejectWords string
	// ReportThreshold is how many readers' reports hide an approved comment
	// until a moderator has looked at it.
	ReportThreshold int
}

// DefaultPolicy is a new debate's: post-moderation, more than two links
// held, three reports hide a comment.
func DefaultPolicy() Policy { return Policy{MaxLinks: 2, ReportThreshold: 3} }

// Limits of a policy.
const (
	MaxWordListLen     = 50_000
	MaxReportThreshold = 1000
	MaxLinksLimit      = 100
)

// Validate reports every problem with a policy. Word lists are checked by
// whoever compiles them.
func (p *Policy) Validate() error {
	pr := Problems{}
	if p.MaxLinks < 0 || p.MaxLinks > MaxLinksLimit {
		pr.Add("max_links", "The number of links must be between 0 and 100.")
	}
	if p.ReportThreshold < 1 || p.ReportThreshold > MaxReportThreshold {
		pr.Add("report_threshold", "The number of reports must be between 1 and 1000.")
	}
	for field, list := range map[string]*string{"hold_words": &p.HoldWords, "reject_words": &p.RejectWords} {
		var ok bool
		if *list, ok = CleanText(*list); !ok {
			pr.Add(field, "The list is not valid UTF-8 text.")
		} else if len(*list) > MaxWordListLen {
			pr.Add(field, "The list is longer than 50,000 characters.")
		}
	}
	return pr.Err()
}

// ReportReason is why a reader reports a comment.
type ReportReason string

const (
	ReportSpam       ReportReason = "spam"
	ReportHarassment ReportReason = "harassment"
	ReportHate       ReportReason = "hate"
	ReportIllegal    ReportReason = "illegal"
	ReportOther      ReportReason = "other"
)

// ReportReasons lists the reasons in the order a form offers them.
var ReportReasons = []ReportReason{ReportSpam, ReportHarassment, ReportHate, ReportIllegal, ReportOther}

// Valid reports whether r is a known reason.
func (r ReportReason) Valid() bool {
	for _, k := range ReportReasons {
		if r == k {
			return true
		}
	}
	return false
}

// Label is how a page names the reason.
func (r ReportReason) Label() string {
	switch r {
	case ReportSpam:
		return "Spam or advertising"
	case ReportHarassment:
		return "Harassment or personal attack"
	case ReportHate:
		return "Hate speech"
	case ReportIllegal:
		return "Illegal content"
	}
	return "Something else"
}

// MaxReportDetail bounds what a reader may add to a report, and
// MaxAppealLen an appeal.
const (
	MaxReportDetail = 1000
	MaxAppealLen    = 4000
	MaxReasonLen    = 1000
)

// Report is a reader's report of a comment.
type Report struct {
	CommentID int64
	Reason    ReportReason
	Detail    string
}

// Validate cleans the report and reports its problems.
func (r *Report) Validate() error {
	p := Problems{}
	if !r.Reason.Valid() {
		p.Add("reason", "Please choose why you report this comment.")
	}
	var ok bool
	if r.Detail, ok = CleanText(r.Detail); !ok {
		p.Add("detail", "Your note is not valid UTF-8 text.")
	} else if utf8.RuneCountInString(r.Detail) > MaxReportDetail {
		p.Add("detail", "Your note is longer than 1,000 characters.")
	}
	if r.Reason == ReportOther && strings.TrimSpace(r.Detail) == "" {
		p.Add("detail", "Please say in a few words what is wrong with this comment.")
	}
	return p.Err()
}

// ModerationVerb is what a moderator does to comments.
type ModerationVerb string

const (
	VerbApprove ModerationVerb = "approve" // publish (or keep published) and close its reports
	VerbSpam    ModerationVerb = "spam"
	VerbTrash   ModerationVerb = "trash"   // remove, with a statement of reasons to its author
	VerbRestore ModerationVerb = "restore" // undo a removal: back to where it was
	// VerbHide is the site's own action: reports hid a comment until a moderator looks.
	VerbHide           ModerationVerb = "hide"
	VerbAppealUpheld   ModerationVerb = "appeal-upheld"
	VerbAppealReversed ModerationVerb = "appeal-reversed"
	VerbBan            ModerationVerb = "ban"
	VerbUnban          ModerationVerb = "unban"
	VerbPolicy         ModerationVerb = "policy"
)

// Decision is a moderator's decision on one or more comments.
type Decision struct {
	Verb       ModerationVerb
	CommentIDs []int64
	// Category is the rule the decision rests on (a ReportReason, for removals).
	Category ReportReason
	// Reason is the moderator's own words; for a removal the author reads them.
	Reason string
}

// Validate checks a decision before it is carried out.
func (d *Decision) Validate() error {
	p := Problems{}
	switch d.Verb {
	case VerbApprove, VerbSpam, VerbTrash, VerbRestore:
	default:
		p.Add("action", "Please choose approve, spam, trash or restore.")
	}
	if len(d.CommentIDs) == 0 {
		p.Add("ids", "Please select at least one comment.")
	} else if len(d.CommentIDs) > 200 {
		p.Add("ids", "Please select at most 200 comments at a time.")
	}
	var ok bool
	if d.Reason, ok = CleanText(d.Reason); !ok {
		p.Add("reason", "The reason is not valid UTF-8 text.")
	} else if utf8.RuneCountInString(d.Reason) > MaxReasonLen {
		p.Add("reason", "The reason is longer than 1,000 characters.")
	}
	if d.Category != "" && !d.Category.Valid() {
		p.Add("category", "Unknown rule.")
	}
	if d.Verb == VerbTrash && d.Category == "" {
		p.Add("category", "Please choose the rule the comment breaks: its author is told.")
	}
	return p.Err()
}

// ModerationAction is one line of the audit log.
type ModerationAction struct {
	ID          int64
	CommentID   int64
	DebateID    int64
	ActorID     int64 // 0 for the site itself
	ActorName   string
	Verb        ModerationVerb
	From, To    CommentStatus
	Category    ReportReason
	Reason      string
	CreatedAt   time.Time
	DebateTitle string
	DebateSlug  string
}

// BanKind is what a ban is on.
type BanKind string

const (
	BanAccount BanKind = "account"
	BanEmail   BanKind = "email"
	BanNetwork BanKind = "network"
)

// Ban keeps an account, an address or a network from commenting.
type Ban struct {
	ID        int64
	Kind      BanKind
	Value     string
	Label     string
	Reason    string
	CreatedBy string
	CreatedAt time.Time
	ExpiresAt time.Time // zero: until lifted
}

// Appeal is an author's request to reconsider the removal of their comment.
type Appeal struct {
	ID            int64
	CommentID     int64
	Body          string
	CreatedAt     time.Time
	DecidedAt     time.Time
	DecidedBy     string
	Outcome       string // "", "upheld" or "reversed"
	OutcomeReason string
}
