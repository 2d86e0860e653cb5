package web

import (
	"context"
	"encoding/json"
	"time"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/auth"
	"github.com/parley-org/parley/internal/i18n"
	"github.com/parley-org/parley/internal/store"
)

// A request for an emailed link is answered at once and done later, by a
// job: looking the address up, making the link and queueing the mail take
// time only when the address has an account, and an answer that came back
// faster for unknown addresses would tell who has one.

const linkRequestJob = "link-request"

type linkRequest struct {
	Purpose store.LinkPurpose `json:"purpose"`
	Email   string            `json:"email"`
	Next    string            `json:"next,omitempty"`
	// Lang is the language of the page the request came from, which the
	// mail is written in.
	Lang string `json:"lang,omitempty"`
}

func (s *Server) queueLinkRequest(ctx context.Context, req linkRequest) error {
	if l, ok := ctx.Value(langKey{}).(*i18n.Lang); ok && req.Lang == "" {
		req.Lang = l.Code
	}
	payload, err := json.Marshal(req)
	if err != nil {
		return err
	}
	key, _ := auth.NewToken()
	if err := s.store.Enqueue(ctx, store.Job{Kind: linkRequestJob, Key: key, Payload: string(payload)}); err != nil {
		return err
	}
	s.store.AfterCommit(ctx, func() {
		select {
		case s.linkRequests <- struct{}{}:
		default:
		}
	})
	return nil
}

// sendRequestedLink mails the link a request asked for, if the address has
// an account and has not had enough links this hour.
func (s *Server) sendRequestedLink(ctx context.Context, req linkRequest) error {
	u, _, err := s.store.UserByEmail(ctx, req.Email)
	switch {
	case parley.ErrorCode(err) == parley.ENOTFOUND:
		return nil
	case err != nil:
		return err
	case req.Purpose == store.LinkVerify && u.Verified():
		req.Purpose = store.LinkSignIn // nothing left to confirm: help them in instead
	}
	if l := i18n.Get(req.Lang); l != nil {
		ctx = context.WithValue(ctx, langKey{}, l)
	}
	return s.mailLinkLimited(ctx, u, req.Purpose, req.Next, "")
}

// runLinkRequests does queued link requests until ctx ends. Every node runs
// it; each request is claimed by one.
func (s *Server) runLinkRequests(ctx context.Context) {
	tick := time.NewTicker(5 * time.Second)
	defer tick.Stop()
	for {
		for ctx.Err() == nil {
			jobs, err := s.store.Claim(ctx, linkRequestJob, s.worker, 20, time.Minute)
			if err != nil || len(jobs) == 0 {
				if err != nil && ctx.Err() == nil {
					s.log.Warn("link requests: could not read the queue", "err", err)
				}
				break
			}
			for _, j := range jobs {
				s.doLinkRequest(ctx, j)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-s.linkRequests:
		case <-tick.C:
		}
	}
}

func (s *Server) doLinkRequest(ctx context.Context, j store.Job) {
	var req linkRequest
	err := json.Unmarshal([]byte(j.Payload), &req)
	if err == nil {
		err = s.sendRequestedLink(ctx, req)
	}
	switch {
	case err == nil:
		err = s.store.Complete(ctx, j.ID, s.worker)
	case j.Attempts >= 10:
		s.log.Error("link request: giving up", "job", j.ID, "err", err)
		err = s.store.Fail(ctx, j.ID, s.worker, err, "")
	default:
		s.log.Warn("link request failed, will retry", "job", j.ID, "err", err)
		err = s.store.Retry(ctx, j.ID, s.worker, err, time.Minute)
	}
	if err != nil && ctx.Err() == nil {
		s.log.Warn("link request: could not record the outcome", "job", j.ID, "err", err)
	}
}
