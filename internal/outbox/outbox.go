// Package outbox delivers Parley's email durably. A message is queued as a
// job in the database, in the same transaction as the write that causes it
// when the caller runs inside store.Atomically, and a worker on every node
// sends queued messages with retries and exponential backoff. A message
// survives an SMTP outage and a restart; a permanent rejection stops it.
package outbox

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/parley-org/parley/internal/mail"
	"github.com/parley-org/parley/internal/store"
)

// jobKind names the jobs this package owns.
const jobKind = "mail"

// Backoff bounds: the first retry after a minute, doubling to at most an
// hour, for up to MaxAttempts attempts (more than two days).
const (
	firstRetry  = time.Minute
	lastRetry   = time.Hour
	MaxAttempts = 60
	// lease is how long a worker holds a message; one it has not finished by
	// then (it crashed) is sent by another.
	// senders is how many messages go out at once: a mail server takes
	// several connections, and one slow message must not hold up the rest.
	senders = 8
	// perClaim is how many messages a sender claims at once: fewer claims
	// leave the database's writer to others (on SQLite, comments being
	// posted), and a node that dies holds at most senders×perClaim messages
	// for one lease.
	perClaim = 4
)

// Outbox queues and sends mail.
type Outbox struct {
	store  *store.Store
	sender mail.Sender
	log    *slog.Logger
	worker string
	// lease is how long a sender holds a message: twice the longest send,
	// so that a live sender never loses one, and a dead one's comes back soon.
	lease time.Duration
	kick  chan struct{}
	// sending serialises Flush and the worker loop within a process.
	sending sync.Mutex
	// undeliverable hears of each address a mail server refused for good.
	undeliverable func(ctx context.Context, to string)
	// beforeSend decides whether a queued message is still wanted.
	beforeSend func(ctx context.Context, key string) (bool, error)
}

// OnBeforeSend registers fn to decide, just before a message goes out,
// whether it is still wanted (its reason may have gone since it was
// queued); a message it turns down is finished without being sent. Call it
// before Run.
func (o *Outbox) OnBeforeSend(fn func(ctx context.Context, key string) (bool, error)) {
	o.beforeSend = fn
}

// OnUndeliverable registers fn to hear of each address a mail server
// refused for good, so that nothing more is sent to it. Call it before Run.
func (o *Outbox) OnUndeliverable(fn func(ctx context.Context, to string)) { o.undeliverable = fn }

// New returns an outbox sending through sender.
func New(st *store.Store, sender mail.Sender, log *slog.Logger) *Outbox {
	host, _ := os.Hostname()
	b := make([]byte, 4)
	rand.Read(b)
	lease := 2 * mail.DefaultTimeout
	if t, ok := sender.(interface{ Timeout() time.Duration }); ok {
		lease = 2*t.Timeout() + time.Second
	}
	return &Outbox{store: st, sender: sender, log: log, worker: host + "-" + hex.EncodeToString(b), lease: lease, kick: make(chan struct{}, 1)}
}

// Sender is where the outbox sends; the dev mailbox reads it.
func (o *Outbox) Sender() mail.Sender { return o.sender }

// Queue adds a message. key makes queueing idempotent (one message per key)
// and becomes its Message-ID, so a receiver can drop a copy sent twice. Inside
// store.Atomically the message commits with the rest of the transaction.
func (o *Outbox) Queue(ctx context.Context, key string, m mail.Message) error {
	if key == "" {
		return errors.New("outbox: a message needs a key")
	}
	m.Key = key
	payload, err := json.Marshal(m)
	if err != nil {
		return err
	}
	if err := o.store.Enqueue(ctx, store.Job{Kind: jobKind, Key: key, Payload: string(payload)}); err != nil {
		return err
	}
	// Wake the worker once the message is committed; if it is busy it
	// looks again when done.
	o.store.AfterCommit(ctx, func() {
		select {
		case o.kick <- struct{}{}:
		default:
		}
	})
	return nil
}

// Run sends queued messages until ctx ends, looking for new ones when one
// is queued here and every few seconds (for those queued by other nodes and
// retries that come due).
func (o *Outbox) Run(ctx context.Context) {
	tick := time.NewTicker(5 * time.Second)
	defer tick.Stop()
	for {
		if _, err := o.Flush(ctx); err != nil && ctx.Err() == nil {
			o.log.Warn("outbox: could not read the queue", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-o.kick:
		case <-tick.C:
		}
	}
}

// Flush sends every message that is due now and reports how many it sent.
func (o *Outbox) Flush(ctx context.Context) (int, error) {
	o.sending.Lock()
	defer o.sending.Unlock()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		sent     int
		firstErr error
	)
	for range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				jobs, err := o.store.Claim(ctx, jobKind, o.worker, perClaim, perClaim*o.lease)
				if err != nil || len(jobs) == 0 {
					mu.Lock()
					firstErr = cmp.Or(firstErr, err)
					mu.Unlock()
					return
				}
				for _, j := range jobs {
					if o.deliver(ctx, j) {
						mu.Lock()
						sent++
						mu.Unlock()
					}
				}
			}
		}()
	}
	wg.Wait()
	return sent, firstErr
}

// deliver sends one message and records the outcome.
func (o *Outbox) deliver(ctx context.Context, j store.Job) bool {
	var m mail.Message
	if err := json.Unmarshal([]byte(j.Payload), &m); err != nil {
		o.finish(ctx, o.store.Fail(ctx, j.ID, o.worker, fmt.Errorf("unreadable message: %w", err), ""))
		return false
	}
	if o.beforeSend != nil {
		wanted, err := o.beforeSend(ctx, j.Key)
		if err != nil {
			o.finish(ctx, o.store.Retry(ctx, j.ID, o.worker, err, Backoff(j.Attempts)))
			return false
		}
		if !wanted {
			o.finish(ctx, o.store.Complete(ctx, j.ID, o.worker))
			return false
		}
	}
	sendCtx, cancel := context.WithTimeout(ctx, mail.DefaultTimeout)
	err := o.sender.Send(sendCtx, m)
	cancel()
	switch {
	case err == nil:
		o.finish(ctx, o.store.Complete(ctx, j.ID, o.worker))
		return true
	case mail.IsPermanent(err) || j.Attempts >= MaxAttempts:
		o.log.Error("outbox: giving up on a message", "job", j.ID, "attempts", j.Attempts, "err", err)
		o.finish(ctx, o.store.Fail(ctx, j.ID, o.worker, err, recipientOnly(m)))
		if mail.IsPermanent(err) && o.undeliverable != nil && !errors.Is(err, mail.ErrInvalid) {
			o.undeliverable(ctx, m.To)
		}
	default:
		o.log.Warn("outbox: send failed, will retry", "job", j.ID, "attempts", j.Attempts, "err", err)
		o.finish(ctx, o.store.Retry(ctx, j.ID, o.worker, err, Backoff(j.Attempts)))
	}
	return false
}

func (o *Outbox) finish(ctx context.Context, err error) {
	if err != nil && ctx.Err() == nil {
		o.log.Warn("outbox: could not record a send", "err", err)
	}
}

// recipientOnly is what a failed message keeps for admins: its recipient,
// not its text, which may hold a sign-in link.
func recipientOnly(m mail.Message) string {
	b, _ := json.Marshal(struct{ To string }{m.To})
	return string(b)
}

// Backoff is the wait before the next attempt after the given number of
// attempts: a minute, doubling, at most an hour.
func Backoff(attempts int) time.Duration {
	d := firstRetry
	for i := 1; i < attempts && d < lastRetry; i++ {
		d *= 2
	}
	return min(d, lastRetry)
}
