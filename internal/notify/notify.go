// Package notify tells readers by mail about the debates they follow: it
// keeps subscriptions with a double opt-in, turns each newly visible comment
// into mail for its subscribers (at once, or in a daily or weekly digest)
// and hands the mail to the outbox, which delivers it durably.
//
// Posting a comment only queues one job in the comment's own transaction
// (store.CommentJob); the fan-out to its subscribers happens here, in
// batches, so a debate with many subscribers does not slow its comment form.
package notify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/outbox"
	"github.com/parley-org/parley/internal/store"
)

// DigestJob is the kind of job that sends one address its digest.
const DigestJob = "digest"

// fanOutBatch is how many recipients one transaction queues mail for: small
// enough that a comment posted meanwhile waits little for the writer.
const fanOutBatch = 50

// Config is what notifications need to know about the site.
type Config struct {
	BaseURL  string
	SiteName string
	// Site, when set, names the site as each mail is written, since an
	// operator may rename it while the server runs; SiteName is the fallback.
	Site func() string
}

// Notifier keeps subscriptions and sends their mail.
type Notifier struct {
	cfg    Config
	store  *store.Store
	outbox *outbox.Outbox
	log    *slog.Logger
	secret []byte
	worker string
	kick   chan struct{}
}

// New returns a notifier. Its tokens are signed with a secret kept in the
// database, so links work on every node.
func New(ctx context.Context, cfg Config, st *store.Store, ob *outbox.Outbox, log *slog.Logger) (*Notifier, error) {
	secret, err := st.Secret(ctx, "subscriptions")
	if err != nil {
		return nil, err
	}
	host, _ := os.Hostname()
	b := make([]byte, 4)
	rand.Read(b)
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.SiteName == "" {
		cfg.SiteName = "Parley"
	}
	n := &Notifier{cfg: cfg, store: st, outbox: ob, log: log, secret: secret,
		worker: host + "-" + hex.EncodeToString(b), kick: make(chan struct{}, 1)}
	// Mail queued earlier may no longer be wanted when its turn comes.
	ob.OnBeforeSend(n.stillWanted)
	return n, nil
}

// siteName is the site's name as a mail is written.
func (n *Notifier) siteName() string {
	if n.cfg.Site != nil {
		if name := n.cfg.Site(); name != "" {
			return name
		}
	}
	return n.cfg.SiteName
}

// Outcome says what a subscription request did.
type Outcome int

const (
	// Active: the address was confirmed before; mail starts now.
	Active Outcome = iota
	// ConfirmationSent: a mail asks the address's owner to confirm.
	ConfirmationSent
	// ConfirmationPending: a confirmation went out in the last day; no
	// other is sent, so the form cannot be used to flood an inbox.
	ConfirmationPending
)

// Subscribe starts a subscription. An address that has not confirmed (or
// that unsubscribed from everything or bounced since) gets a confirmation
// mail, at most one a day, and no other mail until it confirms.
func (n *Notifier) Subscribe(ctx context.Context, req store.NewSubscription) (Outcome, error) {
	if err := validate(&req); err != nil {
		return 0, err
	}
	sub, addr, err := n.store.Subscribe(ctx, req)
	if err != nil {
		return 0, err
	}
	if sub.Active() && addr.Mailable() {
		return Active, nil
	}
	// The claim and the mail commit together: a confirmation that failed to
	// queue does not block the next one for a day.
	outcome := ConfirmationPending
	err = n.store.Atomically(ctx, func(ctx context.Context) error {
		sentAt, claimed, err := n.store.ClaimConfirmation(ctx, addr.ID)
		if err != nil || !claimed {
			return err
		}
		addr.ConfirmSentAt = sentAt
		msg, err := n.confirmationMail(ctx, addr, sub)
		if err != nil {
			return err
		}
		outcome = ConfirmationSent
		return n.outbox.Queue(ctx, "confirm-"+itoa(addr.ID)+"-"+itoa(sentAt.UnixMilli()), msg)
	})
	return outcome, err
}

func validate(req *store.NewSubscription) error {
	p := parley.Problems{}
	req.Email = parley.NormalizeEmail(req.Email)
	if req.Email == "" || len(req.Email) > parley.MaxEmailLen || !parley.ValidEmail(req.Email) {
		p.Add("email", "Please give a valid email address.")
	}
	if req.Delivery == "" {
		req.Delivery = parley.DeliverImmediately
	}
	if !req.Delivery.Valid() {
		p.Add("delivery", "Choose immediately, daily or weekly.")
	}
	if !req.Scope.Valid() {
		p.Add("scope", "Choose to follow the whole debate or one conversation.")
	}
	if (req.Scope == parley.ScopeDebate) != (req.CommentID == 0) {
		p.Add("scope", "Choose to follow the whole debate or one conversation.")
	}
	return p.Err()
}

// Run sends notifications until ctx ends: it fans out new comments as they
// are announced and sends digests when they come due. Every node runs it.
func (n *Notifier) Run(ctx context.Context) {
	tick := time.NewTicker(2 * time.Second)
	defer tick.Stop()
	for {
		if _, err := n.Flush(ctx); err != nil && ctx.Err() == nil {
			n.log.Warn("notifications: could not read the queue", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-n.kick:
		case <-tick.C:
		}
	}
}

// Kick wakes Run, after a comment was announced.
func (n *Notifier) Kick() {
	select {
	case n.kick <- struct{}{}:
	default:
	}
}

// Flush does every notification job that is due and reports how many.
func (n *Notifier) Flush(ctx context.Context) (int, error) {
	done := 0
	if err := n.queueDueDigests(ctx); err != nil {
		return 0, err
	}
	for _, kind := range []string{store.CommentJob, store.AnswerJob, DigestJob} {
		for ctx.Err() == nil {
			// A fan-out of 10,000 takes seconds; after a crash, another node
			// takes it over within a minute, and its keys keep it from
			// sending anything twice.
			jobs, err := n.store.Claim(ctx, kind, n.worker, 1, time.Minute)
			if err != nil || len(jobs) == 0 {
				if err != nil {
					return done, err
				}
				break
			}
			for _, j := range jobs {
				var err error
				switch kind {
				case store.CommentJob:
					err = n.fanOut(ctx, j.Key)
				case store.AnswerJob:
					err = n.fanOutAnswer(ctx, j.Key)
				default:
					err = n.sendDigest(ctx, j)
				}
				n.finish(ctx, j, err)
				done++
			}
		}
	}
	return done, nil
}

func (n *Notifier) finish(ctx context.Context, j store.Job, err error) {
	switch {
	case err == nil:
		err = n.store.Complete(ctx, j.ID, n.worker)
	case j.Attempts >= 20:
		n.log.Error("notifications: giving up on a job", "kind", j.Kind, "key", j.Key, "err", err)
		err = n.store.Fail(ctx, j.ID, n.worker, err, "")
	default:
		n.log.Warn("notifications: job failed, will retry", "kind", j.Kind, "key", j.Key, "err", err)
		err = n.store.Retry(ctx, j.ID, n.worker, err, outbox.Backoff(j.Attempts))
	}
	if err != nil && ctx.Err() == nil {
		n.log.Warn("notifications: could not record a job's outcome", "kind", j.Kind, "key", j.Key, "err", err)
	}
}

// stillWanted reports whether a queued notification should still go out:
// the comment may have been removed, the subscription stopped or the
// address suppressed since it was queued. Other mail always goes.
func (n *Notifier) stillWanted(ctx context.Context, key string) (bool, error) {
	switch {
	case strings.HasPrefix(key, "na-"):
		sub, answer, _ := strings.Cut(key[3:], "-")
		subID, _ := strconv.ParseInt(sub, 10, 64)
		answerID, _ := strconv.ParseInt(answer, 10, 64)
		return n.store.AnswerNotificationWanted(ctx, subID, answerID)
	case strings.HasPrefix(key, "n-"):
		sub, comment, _ := strings.Cut(key[2:], "-")
		subID, _ := strconv.ParseInt(sub, 10, 64)
		commentID, _ := strconv.ParseInt(comment, 10, 64)
		return n.store.NotificationWanted(ctx, subID, commentID)
	case strings.HasPrefix(key, "digest-"):
		addr, _, _ := strings.Cut(key[len("digest-"):], "-")
		id, _ := strconv.ParseInt(addr, 10, 64)
		a, err := n.store.Address(ctx, id)
		if err != nil {
			return false, err
		}
		return a.Mailable(), nil
	}
	return true, nil
}

// Bounced stops all mail to an address the mail server refused for good.
func (n *Notifier) Bounced(ctx context.Context, email string) {
	if err := n.store.SuppressAddress(ctx, email, "bounced"); err != nil {
		n.log.Warn("notifications: could not mark an address undeliverable", "err", err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
