package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/mail/mailtest"
	"github.com/parley-org/parley/internal/store"
)

// outageSubscribers is how many readers follow the debate of
// TestNotificationsSurviveAnSMTPOutage.
const outageSubscribers = 400

// TestNotificationsSurviveAnSMTPOutage posts comments while the mail server
// is down, and while it goes down in the middle of sending: once it is back
// and the retries come due, every subscriber has each comment's message,
// once. A message the server accepted as it went down may come again with
// the same Message-ID (receivers drop it); never with another.
func TestNotificationsSurviveAnSMTPOutage(t *testing.T) {
	s, smtp := mailSite(t)
	d := s.debate("outage", parley.DebatePublished, false)
	subscribers := map[string]bool{}
	err := s.store.Atomically(context.Background(), func(ctx context.Context) error {
		for i := range outageSubscribers {
			email := fmt.Sprintf("reader%03d@example.org", i)
			subscribers[email] = true
			if _, _, err := s.store.Subscribe(ctx, store.NewSubscription{Email: email, DebateID: d.ID, Scope: parley.ScopeDebate,
				Delivery: parley.DeliverImmediately, Proven: true}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	post := func(body string) int64 {
		t.Helper()
		r := s.api(http.MethodPost, "/api/v1/debates/outage/comments",
			map[string]string{"author_name": "Night Owl", "author_email": "owl@example.org", "body": body})
		wantStatus(t, r, http.StatusCreated)
		var c struct {
			ID int64 `json:"id"`
		}
		r.json(t, &c)
		return c.ID
	}

	// 1. The server is down when the comment is posted: every message fails
	// once and waits for its retry, a minute later.
	smtp.Stop()
	first := post("Posted while the mail server is down.")
	outageWaitFor(t, 20*time.Second, "every message to fail once", func() bool {
		return strings.Count(s.logs.String(), "outbox: send failed, will retry") >= outageSubscribers
	})
	smtp.Start()
	time.Sleep(time.Second)
	if n := len(smtp.Received()); n != 0 {
		t.Fatalf("%d messages were sent before their retry came due", n)
	}
	s.clock.setAhead(2 * time.Minute)
	outageWaitMessages(t, smtp, first, outageSubscribers)
	s.clock.setAhead(0)

	// 2. The server goes down while the messages of a second comment go out.
	second := post("Posted just before the mail server goes down.")
	outageWaitFor(t, 20*time.Second, "some messages of the second comment", func() bool {
		return len(smtp.Received()) >= outageSubscribers+outageSubscribers/4
	})
	smtp.Stop()
	sentBefore := len(smtp.Received()) - outageSubscribers
	time.Sleep(2 * time.Second)
	smtp.Start()
	s.clock.setAhead(2 * time.Minute)
	outageWaitMessages(t, smtp, second, outageSubscribers)
	t.Logf("the server went down after %d of %d messages of the second comment", sentBefore, outageSubscribers)
	if sentBefore >= outageSubscribers {
		t.Logf("every message went out before the server went down: the second part tested nothing")
	}

	// A copy sent late would be on the wire now.
	time.Sleep(time.Second)
	ids := map[string]int{}                       // Message-ID: copies
	perComment := map[int64]map[string][]string{} // comment: address: Message-IDs
	for _, m := range smtp.Received() {
		id := m.Header.Get("Message-ID")
		ids[id]++
		c := notifiedComment(t, id)
		if perComment[c] == nil {
			perComment[c] = map[string][]string{}
		}
		for _, to := range m.To {
			perComment[c][to] = append(perComment[c][to], id)
		}
	}
	for _, c := range []int64{first, second} {
		got := perComment[c]
		for email := range subscribers {
			if len(got[email]) == 0 {
				t.Errorf("comment %d: %s received nothing", c, email)
			}
		}
		for email, list := range got {
			if !subscribers[email] {
				t.Errorf("comment %d: mail went to %s, who follows nothing", c, email)
			}
			for _, id := range list[1:] {
				if id != list[0] {
					t.Errorf("comment %d: %s received messages with different Message-IDs: %v", c, email, list)
					break
				}
			}
		}
	}
	if len(perComment) != 2 || len(ids) != 2*outageSubscribers {
		t.Errorf("%d distinct Message-IDs about %d comments, want %d about 2", len(ids), len(perComment), 2*outageSubscribers)
	}
	twice := 0
	for id, n := range ids {
		if n > 1 {
			twice++
			if notifiedComment(t, id) == first {
				// Nothing was accepted while the server was down.
				t.Errorf("%s came %d times, though nothing went out before the outage", id, n)
			}
		}
	}
	t.Logf("%d messages delivered twice with the same Message-ID", twice)
}

// notifiedComment reads the comment a notification is about from its
// Message-ID, <n-SUBSCRIPTION-COMMENT@domain>.
func notifiedComment(t *testing.T, id string) int64 {
	t.Helper()
	key, _, _ := strings.Cut(strings.Trim(id, "<>"), "@")
	parts := strings.Split(key, "-")
	c, err := strconv.ParseInt(parts[len(parts)-1], 10, 64)
	if len(parts) != 3 || parts[0] != "n" || err != nil {
		t.Fatalf("Message-ID %q is not a notification's", id)
	}
	return c
}

// outageWaitMessages waits until n messages about the comment have reached the sink.
func outageWaitMessages(t *testing.T, smtp *mailtest.Server, comment int64, n int) {
	t.Helper()
	outageWaitFor(t, 30*time.Second, strconv.Itoa(n)+" messages about comment "+strconv.FormatInt(comment, 10), func() bool {
		seen := map[string]bool{}
		for _, m := range smtp.Received() {
			if id := m.Header.Get("Message-ID"); notifiedComment(t, id) == comment {
				seen[id] = true
			}
		}
		return len(seen) >= n
	})
}

// outageWaitFor polls until ok or the time is up.
func outageWaitFor(t *testing.T, limit time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s", limit, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
