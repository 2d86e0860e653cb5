package outbox_test

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/parley-org/parley/internal/mail"
	"github.com/parley-org/parley/internal/mail/mailtest"
	"github.com/parley-org/parley/internal/outbox"
	"github.com/parley-org/parley/internal/store"
	"github.com/parley-org/parley/internal/store/storetest"
)

// clock is a store clock the test moves forward.
type clock struct {
	mu  sync.Mutex
	off time.Duration
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.off)
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.off += d
	c.mu.Unlock()
}

func setup(t *testing.T) (*store.Store, *mailtest.Server, *outbox.Outbox, *clock) {
	t.Helper()
	st := storetest.Open(t)
	c := &clock{}
	st.Now = c.now
	smtp := mailtest.New(t, mailtest.Options{})
	sender, err := mail.NewSMTP(smtp.URL()+"&timeout=2s", "Parley <noreply@example.org>")
	if err != nil {
		t.Fatal(err)
	}
	return st, smtp, outbox.New(st, sender, slog.New(slog.NewTextHandler(io.Discard, nil))), c
}

func message(i int) mail.Message {
	return mail.Message{To: "reader" + strconv.Itoa(i) + "@example.org", Subject: "Message " + strconv.Itoa(i), Text: "Hello."}
}

func TestOutboxSurvivesAnSMTPOutage(t *testing.T) {
	st, smtp, ob, c := setup(t)
	ctx := context.Background()
	smtp.Stop()
	for i := range 3 {
		if err := ob.Queue(ctx, "m"+strconv.Itoa(i), message(i)); err != nil {
			t.Fatal(err)
		}
	}
	// Queueing the same message again does nothing.
	if err := ob.Queue(ctx, "m0", message(0)); err != nil {
		t.Fatal(err)
	}
	if n, err := ob.Flush(ctx); n != 0 || err != nil {
		t.Fatalf("sent %d during the outage (err %v)", n, err)
	}
	smtp.Start()
	// Back up, but the retries are not due yet.
	if n, _ := ob.Flush(ctx); n != 0 {
		t.Fatalf("retried %d before their time", n)
	}
	c.advance(outbox.Backoff(1) + time.Second)
	if n, err := ob.Flush(ctx); n != 3 || err != nil {
		t.Fatalf("sent %d after the outage, want 3 (err %v)", n, err)
	}
	c.advance(2 * time.Hour)
	if n, _ := ob.Flush(ctx); n != 0 {
		t.Fatalf("sent %d more after all were delivered", n)
	}
	got := smtp.Received()
	seen := map[string]bool{}
	for _, m := range got {
		seen[m.Subject] = true
	}
	if len(got) != 3 || len(seen) != 3 {
		t.Fatalf("received %d messages (%d distinct), want each of 3 exactly once", len(got), len(seen))
	}
	if id := got[0].Header.Get("Message-Id"); id == "" {
		t.Error("no Message-ID")
	}
	_ = st
}

func TestOutboxResendsWhatACrashedWorkerHeld(t *testing.T) {
	st, smtp, ob, c := setup(t)
	ctx := context.Background()
	if err := ob.Queue(ctx, "crash", message(1)); err != nil {
		t.Fatal(err)
	}
	// Another worker claimed it and died before sending.
	if jobs, err := st.Claim(ctx, "mail", "dead-worker", 10, 2*time.Minute); err != nil || len(jobs) != 1 {
		t.Fatalf("claim: %v %v", jobs, err)
	}
	if n, _ := ob.Flush(ctx); n != 0 {
		t.Fatal("sent a message another worker holds")
	}
	c.advance(3 * time.Minute)
	if n, err := ob.Flush(ctx); n != 1 || err != nil {
		t.Fatalf("sent %d after the lease ran out, want 1 (err %v)", n, err)
	}
	if len(smtp.Received()) != 1 {
		t.Fatalf("received %d", len(smtp.Received()))
	}
}

func TestOutboxStopsAtAPermanentRejection(t *testing.T) {
	_, smtp, ob, c := setup(t)
	ctx := context.Background()
	smtp.FailNext(mailtest.RCPT, 1, 550, "no such mailbox")
	var refused []string
	ob.OnUndeliverable(func(_ context.Context, to string) { refused = append(refused, to) })
	if err := ob.Queue(ctx, "bounce", message(1)); err != nil {
		t.Fatal(err)
	}
	if n, _ := ob.Flush(ctx); n != 0 {
		t.Fatal("a rejected message counted as sent")
	}
	c.advance(2 * time.Hour)
	if n, _ := ob.Flush(ctx); n != 0 || len(smtp.Received()) != 0 {
		t.Fatalf("a permanently rejected message was retried: sent %d, received %d", n, len(smtp.Received()))
	}
	if len(refused) != 1 || refused[0] != message(1).To {
		t.Errorf("undeliverable addresses heard: %v, want %s", refused, message(1).To)
	}
}

func TestBackoffGrowsToAnHour(t *testing.T) {
	prev := time.Duration(0)
	for n := 1; n <= 12; n++ {
		d := outbox.Backoff(n)
		if d < prev || d > time.Hour {
			t.Fatalf("backoff after %d attempts %v (previous %v)", n, d, prev)
		}
		prev = d
	}
	if outbox.Backoff(1) != time.Minute || outbox.Backoff(20) != time.Hour {
		t.Errorf("backoff starts at %v and ends at %v", outbox.Backoff(1), outbox.Backoff(20))
	}
}
