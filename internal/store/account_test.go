package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/store"
	"github.com/parley-org/parley/internal/store/storetest"
)

func newUser(t *testing.T, s *store.Store, email string, verified bool) *parley.User {
	t.Helper()
	u := &parley.User{Email: email, Name: "Someone"}
	if verified {
		u.EmailVerifiedAt = time.Now()
	}
	if err := s.CreateUser(context.Background(), u, "hash"); err != nil {
		t.Fatal(err)
	}
	return u
}

func TestCreateUserTwiceIsAConflict(t *testing.T) {
	s := storetest.Open(t)
	newUser(t, s, "twice@example.org", false)
	err := s.CreateUser(context.Background(), &parley.User{Email: "TWICE@example.org", Name: "Again"}, "")
	if parley.ErrorCode(err) != parley.ECONFLICT {
		t.Fatalf("second account for one address: %v, want a conflict", err)
	}
	// Inside a transaction the conflict leaves the transaction usable (PostgreSQL aborts on an error).
	err = s.Atomically(context.Background(), func(ctx context.Context) error {
		if err := s.CreateUser(ctx, &parley.User{Email: "twice@example.org", Name: "Again"}, ""); parley.ErrorCode(err) != parley.ECONFLICT {
			t.Errorf("in a transaction: %v, want a conflict", err)
		}
		return s.CreateUser(ctx, &parley.User{Email: "other@example.org", Name: "Other"}, "")
	})
	if err != nil {
		t.Fatalf("the transaction after a conflict: %v", err)
	}
}

func TestALinkWorksOnceHoweverManyRaceForIt(t *testing.T) {
	s := storetest.Open(t)
	ctx := context.Background()
	u := newUser(t, s, "race@example.org", false)
	if err := s.CreateLink(ctx, store.NewLink{Purpose: store.LinkSignIn, UserID: u.ID, TokenHash: "h1", TTL: time.Hour, PasswordHash: "pending"}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	won, used := 0, 0
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, password, err := s.UseLink(ctx, store.LinkSignIn, "h1")
			var le *store.LinkError
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil && got.ID == u.ID && password == "pending":
				won++
			case errors.As(err, &le) && le.Reason == store.LinkUsed:
				used++
			default:
				t.Errorf("use: %v %v", got, err)
			}
		}()
	}
	wg.Wait()
	if won != 1 || used != 7 {
		t.Fatalf("%d uses succeeded and %d were told it was used; want 1 and 7", won, used)
	}

	// Expired and unknown links say which.
	if err := s.CreateLink(ctx, store.NewLink{Purpose: store.LinkReset, UserID: u.ID, TokenHash: "h2", TTL: time.Minute}); err != nil {
		t.Fatal(err)
	}
	s.Now = func() time.Time { return time.Now().Add(2 * time.Minute) }
	var le *store.LinkError
	if _, _, err := s.UseLink(ctx, store.LinkReset, "h2"); !errors.As(err, &le) || le.Reason != store.LinkExpired {
		t.Errorf("expired link: %v", err)
	}
	if _, _, err := s.UseLink(ctx, store.LinkReset, "nope"); !errors.As(err, &le) || le.Reason != store.LinkUnknown {
		t.Errorf("unknown link: %v", err)
	}
	// A link for one purpose does nothing for another.
	if _, _, err := s.UseLink(ctx, store.LinkVerify, "h1"); !errors.As(err, &le) || le.Reason != store.LinkUnknown {
		t.Errorf("a sign-in link used to verify: %v", err)
	}
}

func TestDeletingACommentTwiceAtOnceCountsItOnce(t *testing.T) {
	s := storetest.Open(t)
	ctx := context.Background()
	u := newUser(t, s, "author@example.org", true)
	d := &parley.Debate{Slug: "race", Title: "Race", Question: "Who deletes first?", Status: parley.DebatePublished}
	if _, err := s.SaveDebate(ctx, d); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		c, _, err := s.CreateComment(ctx, store.CreateComment{DebateID: d.ID, UserID: u.ID, AuthorName: "A", AuthorEmail: u.Email,
			AvatarKey: "k", BodyMD: "text", BodyHTML: "<p>text</p>", SubmissionKey: string(rune('a' + i))})
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			var wg sync.WaitGroup
			for range 6 {
				wg.Add(1)
				go func() { defer wg.Done(); s.DeleteComment(ctx, c.ID, u.ID) }()
			}
			wg.Wait()
		}
	}
	got, err := s.DebateByID(ctx, d.ID)
	if err != nil || got.CommentCount != 1 {
		t.Fatalf("count %d after deleting one of two comments six times at once (err %v), want 1", got.CommentCount, err)
	}
}

func TestSessionsExtendWhenUsed(t *testing.T) {
	s := storetest.Open(t)
	ctx := context.Background()
	u := newUser(t, s, "session@example.org", true)
	if err := s.CreateSession(ctx, u.ID, "s1"); err != nil {
		t.Fatal(err)
	}
	if _, extended, err := s.SessionUser(ctx, "s1"); err != nil || extended {
		t.Fatalf("fresh session: extended %v, %v", extended, err)
	}
	s.Now = func() time.Time { return time.Now().Add(29 * 24 * time.Hour) }
	if _, extended, err := s.SessionUser(ctx, "s1"); err != nil || !extended {
		t.Fatalf("session used after 29 days: extended %v, %v", extended, err)
	}
	// Used on day 29, it lasts past day 31.
	s.Now = func() time.Time { return time.Now().Add(31 * 24 * time.Hour) }
	if _, _, err := s.SessionUser(ctx, "s1"); err != nil {
		t.Fatalf("session used on day 29 ended on day 31: %v", err)
	}
	s.Now = func() time.Time { return time.Now().Add(70 * 24 * time.Hour) }
	if _, _, err := s.SessionUser(ctx, "s1"); parley.ErrorCode(err) != parley.ENOTFOUND {
		t.Fatalf("session unused for 39 days: %v, want ended", err)
	}
}

func TestPurgeExpiredKeepsWhatStillServes(t *testing.T) {
	s := storetest.Open(t)
	ctx := context.Background()
	u := newUser(t, s, "purge@example.org", true)
	for _, h := range []string{"live", "old"} {
		if err := s.CreateSession(ctx, u.ID, h); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.CreateLink(ctx, store.NewLink{Purpose: store.LinkSignIn, UserID: u.ID, TokenHash: "fresh", TTL: 20 * time.Minute}); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordSignInFailure(ctx, "email:purge@example.org"); err != nil {
		t.Fatal(err)
	}
	// Forty days on, the session used yesterday lives; the rest has ended.
	s.Now = func() time.Time { return time.Now().Add(39 * 24 * time.Hour) }
	s.DeleteSession(ctx, "live")
	s.CreateSession(ctx, u.ID, "live")
	s.Now = func() time.Time { return time.Now().Add(40 * 24 * time.Hour) }
	n, err := s.PurgeExpired(ctx)
	if err != nil || n != 3 {
		t.Fatalf("purged %d rows (%v), want the old session, the link and the failure", n, err)
	}
	if _, _, err := s.SessionUser(ctx, "live"); err != nil {
		t.Errorf("the live session went: %v", err)
	}
}
