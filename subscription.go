package parley

import "time"

// Scope is what a subscription follows.
type Scope string

const (
	ScopeDebate  Scope = "debate"  // every new comment of a debate
	ScopeThread  Scope = "thread"  // every reply in one thread
	ScopeReplies Scope = "replies" // replies to one comment, and mentions of its author
)

// Valid reports whether s is a known scope.
func (s Scope) Valid() bool { return s == ScopeDebate || s == ScopeThread || s == ScopeReplies }

// Delivery is how often a subscriber hears.
type Delivery string

const (
	DeliverImmediately Delivery = "immediate"
	DeliverDaily       Delivery = "daily"
	DeliverWeekly      Delivery = "weekly"
)

// Valid reports whether d is a known delivery.
func (d Delivery) Valid() bool {
	return d == DeliverImmediately || d == DeliverDaily || d == DeliverWeekly
}

// Address is an email address Parley may write to about subscriptions.
// It is suppressed (no mail at all until its owner confirms again) once it
// unsubscribed from everything or bounced.
type Address struct {
	ID            int64
	Email         string
	Language      string
	ConfirmSentAt time.Time
	SuppressedAt  time.Time
	SuppressedWhy string // "unsubscribed" or "bounced"
}

// Mailable reports whether the address may receive notifications.
func (a *Address) Mailable() bool { return a.SuppressedAt.IsZero() }

// Subscription is one address following a debate, a thread or the replies
// to one comment.
type Subscription struct {
	ID        int64
	AddressID int64
	DebateID  int64
	Scope     Scope
	// CommentID is the thread's top-level comment (ScopeThread) or the
	// comment whose replies are followed (ScopeReplies); 0 for a debate.
	CommentID int64
	Delivery  Delivery
	// ConfirmedAt is the owner's consent; nothing is sent before it.
	ConfirmedAt time.Time
	// CreatedAt is when it was last asked for.
	CreatedAt time.Time
	EndedAt   time.Time
	// DebateSlug and DebateTitle name the debate, for lists.
	DebateSlug, DebateTitle string
}

// Active reports whether the subscription's mail goes out.
func (s *Subscription) Active() bool { return !s.ConfirmedAt.IsZero() && s.EndedAt.IsZero() }
