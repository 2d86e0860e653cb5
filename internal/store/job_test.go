package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/parley-org/parley/internal/store"
	"github.com/parley-org/parley/internal/store/storetest"
)

func TestJobsLeaseRetryAndFail(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t)
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return now }
	for i := 0; i < 2; i++ { // the second enqueue of the same key is a no-op
		if err := s.Enqueue(ctx, store.Job{Kind: "mail", Key: "m1", Payload: "hello"}); err != nil {
			t.Fatal(err)
		}
	}
	s.Enqueue(ctx, store.Job{Kind: "mail", Key: "later", RunAt: now.Add(time.Hour)})
	s.Enqueue(ctx, store.Job{Kind: "other", Key: "x"})

	got, err := s.Claim(ctx, "mail", "w1", 10, time.Minute)
	if err != nil || len(got) != 1 || got[0].Payload != "hello" || got[0].Attempts != 1 {
		t.Fatalf("claim: %v %+v, want the one due mail job", err, got)
	}
	if again, _ := s.Claim(ctx, "mail", "w2", 10, time.Minute); len(again) != 0 {
		t.Fatalf("a leased job was claimed again: %+v", again)
	}
	// The first worker dies; after its lease another takes the job over.
	now = now.Add(2 * time.Minute)
	taken, _ := s.Claim(ctx, "mail", "w2", 10, time.Minute)
	if len(taken) != 1 || taken[0].Attempts != 2 {
		t.Fatalf("after the lease: %+v, want the job with a second attempt", taken)
	}
	if err := s.Complete(ctx, got[0].ID, "w1"); err == nil {
		t.Fatalf("a worker whose lease ran out completed the job")
	}
	if err := s.Retry(ctx, taken[0].ID, "w2", errors.New("smtp down"), 10*time.Minute); err != nil {
		t.Fatal(err)
	}
	if early, _ := s.Claim(ctx, "mail", "w2", 10, time.Minute); len(early) != 0 {
		t.Fatalf("a retried job ran before its time")
	}
	now = now.Add(2 * time.Hour) // both the retry and "later" are due
	due, _ := s.Claim(ctx, "mail", "w3", 10, time.Minute)
	if len(due) != 2 {
		t.Fatalf("got %d due jobs, want 2", len(due))
	}
	for _, j := range due {
		if err := s.Fail(ctx, j.ID, "w3", errors.New("address rejected"), ""); err != nil {
			t.Fatal(err)
		}
	}
	now = now.Add(24 * time.Hour)
	if left, _ := s.Claim(ctx, "mail", "w4", 10, time.Minute); len(left) != 0 {
		t.Fatalf("failed jobs came back: %+v", left)
	}
}

// TestJobsRunOnceAcrossNodes has two stores on one database, as two nodes,
// with four workers each, claim the same jobs: every job is done exactly once.
func TestJobsRunOnceAcrossNodes(t *testing.T) {
	ctx := context.Background()
	url := storetest.URL(t)
	var nodes []*store.Store
	for i := 0; i < 2; i++ {
		s, err := store.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		nodes = append(nodes, s)
	}
	const total = 400
	for i := 0; i < total; i++ {
		if err := nodes[i%2].Enqueue(ctx, store.Job{Kind: "mail", Key: fmt.Sprint(i)}); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	done := map[int64]int{}
	var wg sync.WaitGroup
	for n, s := range nodes {
		for w := 0; w < 4; w++ {
			wg.Add(1)
			go func(s *store.Store, worker string) {
				defer wg.Done()
				for {
					jobs, err := s.Claim(ctx, "mail", worker, 7, time.Minute)
					if err != nil {
						t.Error(err)
						return
					}
					if len(jobs) == 0 {
						return
					}
					for _, j := range jobs {
						if err := s.Complete(ctx, j.ID, worker); err != nil {
							t.Error(err)
							return
						}
						mu.Lock()
						done[j.ID]++
						mu.Unlock()
					}
				}
			}(s, fmt.Sprintf("node%d-worker%d", n, w))
		}
	}
	wg.Wait()
	if len(done) != total {
		t.Fatalf("%d jobs done, want %d", len(done), total)
	}
	for id, n := range done {
		if n != 1 {
			t.Fatalf("job %d done %d times", id, n)
		}
	}
}
