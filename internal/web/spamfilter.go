package web

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"time"

	"github.com/parley-org/parley/internal/spam"
	"github.com/parley-org/parley/internal/store"
)

// spamFilter is the built-in classifier with every spam and not-spam
// decision moderators made: it replays them from the store on start, in
// the order they were made, and learns the ones made since (by any node)
// as they come. Learning is deterministic, so every node ends up with the
// same model.
type spamFilter struct {
	model *spam.Model
	store *store.Store
	mu    sync.Mutex // held while catching up
	last  int64      // the last lesson learnt
}

func newSpamFilter(ctx context.Context, st *store.Store) (*spamFilter, error) {
	m, err := spam.Load()
	if err != nil {
		return nil, err
	}
	f := &spamFilter{model: m, store: st}
	return f, f.catchUp(ctx)
}

// catchUp learns the lessons stored since the last one learnt.
func (f *spamFilter) catchUp(ctx context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for {
		lessons, err := f.store.SpamLessons(ctx, f.last, 500)
		if err != nil {
			return err
		}
		for _, l := range lessons {
			f.model.Learn(l.Body, l.Links, l.Spam)
			f.last = l.ID
		}
		if len(lessons) < 500 {
			return nil
		}
	}
}

// run catches up with other nodes' decisions until ctx ends.
func (f *spamFilter) run(ctx context.Context, log *slog.Logger) {
	tick := time.NewTicker(30 * time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if err := f.catchUp(ctx); err != nil && ctx.Err() == nil {
				log.Warn("learn moderators' spam decisions", "err", err)
			}
		}
	}
}

// judge scores a new comment: its result, and the features that drove it
// as JSON for the moderators' console.
func (f *spamFilter) judge(text string, links int) (spam.Result, string) {
	res := f.model.Judge(text, links)
	type feature struct {
		Feature string  `json:"feature"`
		Weight  float64 `json:"weight"`
	}
	list := make([]feature, len(res.Reasons))
	for i, r := range res.Reasons {
		list[i] = feature{r.Feature, r.Weight}
	}
	b, _ := json.Marshal(list)
	return res, string(b)
}
