package notify

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/mail"
	"github.com/parley-org/parley/internal/store"
)

// fanOut turns one newly visible comment into mail for everyone who follows
// it: a message now for immediate subscribers, an item in the next digest
// for the others. It works in batches, each in one transaction, and every
// message and item has a key of its own, so a retry after a crash sends
// nothing twice.
func (n *Notifier) fanOut(ctx context.Context, key string) error {
	id, _ := strconv.ParseInt(key, 10, 64)
	c, err := n.store.Comment(ctx, id)
	if parley.ErrorCode(err) == parley.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	if c.Status != parley.CommentApproved || !c.DeletedAt.IsZero() {
		return nil // removed before anyone was told: nobody hears of it
	}
	d, err := n.store.DebateByID(ctx, c.DebateID)
	if err != nil || !d.Public() {
		return err
	}
	var mentioned []string // the addresses of the authors it mentions
	if strings.Contains(c.BodyMD, "@") {
		authors, err := n.store.DebateAuthors(ctx, d.ID)
		if err != nil {
			return err
		}
		for _, m := range FindMentions(c.BodyMD, authors) {
			named, err := n.store.Comment(ctx, m.CommentID)
			if err != nil {
				return err
			}
			mentioned = append(mentioned, named.AuthorEmail)
		}
	}
	var parent *parley.Comment
	if c.ReplyToID != 0 {
		if parent, err = n.store.Comment(ctx, c.ReplyToID); err != nil {
			return err
		}
	}
	var after int64
	for {
		batch, err := n.store.Recipients(ctx, c, mentioned, after, fanOutBatch)
		if err != nil || len(batch) == 0 {
			return err
		}
		// The mails are written before the transaction, which holds the
		// only writer on SQLite: posting waits for it.
		msgs := make([]mail.Message, len(batch))
		for i, r := range batch {
			if r.Delivery == parley.DeliverImmediately {
				if msgs[i], err = n.commentMail(r, d, c, parent); err != nil {
					return err
				}
			}
		}
		err = n.store.Atomically(ctx, func(ctx context.Context) error {
			for i, r := range batch {
				if err := n.notify(ctx, r, c, msgs[i]); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		after = batch[len(batch)-1].AddressID
	}
}

// fanOutAnswer tells the subscribers of a debate and of the conversation
// an expert's newly published answer belongs to, as fanOut does for a
// comment. The reader whose comment it answers is told by the editors'
// publication itself, so not again here.
func (n *Notifier) fanOutAnswer(ctx context.Context, key string) error {
	id, _ := strconv.ParseInt(key, 10, 64)
	a, err := n.store.AnswerByID(ctx, id)
	if parley.ErrorCode(err) == parley.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	if a.Status != parley.AnswerPublished {
		return nil
	}
	answered, err := n.store.Comment(ctx, a.CommentID)
	if err != nil {
		return err
	}
	if answered.Status != parley.CommentApproved || !answered.DeletedAt.IsZero() {
		return nil // the comment it answers is no longer shown
	}
	d, err := n.store.DebateByID(ctx, answered.DebateID)
	if err != nil || !d.Public() {
		return err
	}
	e, err := n.store.ExpertByID(ctx, a.ExpertID)
	if err != nil {
		return err
	}
	a.Expert = e
	// The answer reaches whoever a reply to the answered comment would.
	as := &parley.Comment{DebateID: answered.DebateID, RootID: answered.RootID, ReplyToID: answered.ID, AuthorEmail: e.ContactEmail}
	var after int64
	for {
		batch, err := n.store.Recipients(ctx, as, nil, after, fanOutBatch)
		if err != nil || len(batch) == 0 {
			return err
		}
		err = n.store.Atomically(ctx, func(ctx context.Context) error {
			for _, r := range batch {
				if parley.NormalizeEmail(r.Email) == parley.NormalizeEmail(answered.AuthorEmail) {
					continue
				}
				if r.Delivery != parley.DeliverImmediately {
					if err := n.store.AddDigestAnswer(ctx, r, a.ID, nextDigest(r.Delivery, n.store.Clock())); err != nil {
						return err
					}
					continue
				}
				msg, err := n.answerMail(r, d, answered, &a.Answer)
				if err != nil {
					return err
				}
				if err := n.outbox.Queue(ctx, "na-"+itoa(r.SubscriptionID)+"-"+itoa(a.ID), msg); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		after = batch[len(batch)-1].AddressID
	}
}

// notify queues one recipient's mail about a comment, or keeps the comment
// for their digest.
func (n *Notifier) notify(ctx context.Context, r store.Recipient, c *parley.Comment, msg mail.Message) error {
	if r.Delivery == parley.DeliverImmediately {
		return n.outbox.Queue(ctx, "n-"+itoa(r.SubscriptionID)+"-"+itoa(c.ID), msg)
	}
	return n.store.AddDigestItem(ctx, r, c.ID, nextDigest(r.Delivery, n.store.Clock()))
}

// digestHour is when digests go out, UTC.
const digestHour = 7

// nextDigest is when the digest of a delivery next goes out: daily at 07:00
// UTC, weekly on Monday at 07:00 UTC.
func nextDigest(d parley.Delivery, now time.Time) time.Time {
	now = now.UTC()
	t := time.Date(now.Year(), now.Month(), now.Day(), digestHour, 0, 0, 0, time.UTC)
	if !t.After(now) {
		t = t.AddDate(0, 0, 1)
	}
	if d == parley.DeliverWeekly {
		for t.Weekday() != time.Monday {
			t = t.AddDate(0, 0, 1)
		}
	}
	return t
}

// queueDueDigests queues a job for each digest that is due. Its key holds
// the minute, so the nodes that look at once queue one job between them;
// a digest taken already finds nothing and sends nothing.
func (n *Notifier) queueDueDigests(ctx context.Context) error {
	due, err := n.store.DueDigests(ctx, 1000)
	if err != nil {
		return err
	}
	minute := n.store.Clock().Format("200601021504")
	for _, d := range due {
		key := itoa(d.AddressID) + "-" + string(d.Delivery) + "-" + minute
		if err := n.store.Enqueue(ctx, store.Job{Kind: DigestJob, Key: key, Payload: itoa(d.AddressID) + " " + string(d.Delivery)}); err != nil {
			return err
		}
	}
	return nil
}

// sendDigest sends one address the comments its digest collected. Taking
// the items and queueing the mail commit together.
func (n *Notifier) sendDigest(ctx context.Context, j store.Job) error {
	addr, delivery, _ := strings.Cut(j.Payload, " ")
	addressID, _ := strconv.ParseInt(addr, 10, 64)
	a, err := n.store.Address(ctx, addressID)
	if parley.ErrorCode(err) == parley.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	return n.store.Atomically(ctx, func(ctx context.Context) error {
		items, err := n.store.TakeDigest(ctx, addressID, parley.Delivery(delivery))
		if err != nil || len(items) == 0 || !a.Mailable() {
			return err // nothing pending, or the address may no longer be mailed
		}
		msg, err := n.digestMail(a, parley.Delivery(delivery), items)
		if err != nil {
			return err
		}
		return n.outbox.Queue(ctx, "digest-"+j.Key, msg)
	})
}
