// Package web serves Parley over HTTP: server-rendered pages that work
// without JavaScript, and the JSON API under /api/v1.
package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/akismet"
	"github.com/parley-org/parley/internal/langid"
	"github.com/parley-org/parley/internal/mail"
	"github.com/parley-org/parley/internal/markup"
	"github.com/parley-org/parley/internal/media"
	"github.com/parley-org/parley/internal/notify"
	"github.com/parley-org/parley/internal/outbox"
	"github.com/parley-org/parley/internal/store"
	"github.com/parley-org/parley/internal/translate"
	"github.com/prometheus/client_golang/prometheus"
)

// Config is what an operator can set about the site.
type Config struct {
	// BaseURL is the public address, used in feeds and links (no trailing slash).
	BaseURL  string
	SiteName string
	// MaxCommentLen is the longest comment in characters.
	MaxCommentLen int
	// MaxDepth is how many levels replies nest.
	MaxDepth int
	// ThreadsPerPage is how many top-level threads a debate page shows.
	ThreadsPerPage int
	// CacheBytes bounds the memory the page cache may hold.
	CacheBytes int
	// PostsPerMinute and PostBurst limit comment posting per client network;
	// 0 means no limit.
	PostsPerMinute, PostBurst int
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names the client.
	TrustedProxies []netip.Prefix
	// Mail sends email; nil logs it and keeps it in the dev mailbox.
	Mail mail.Sender
	// MinFillTime is the least time between showing the comment form and
	// its post; a quicker post is held for a moderator. 0 means 3 seconds,
	// a negative value turns the check off.
	MinFillTime time.Duration
	// IPRetention is how long a commenter's IP address is kept; after it
	// only a keyed hash remains. 0 means 30 days.
	IPRetention time.Duration
	// Akismet, when set, is asked about every new comment (off by default;
	// the privacy page names it when on).
	Akismet *akismet.Client
	// AnswerLinkTTL is how long an expert's private link works (0: 21 days);
	// ReminderAfter is how long an unanswered request waits before each of
	// its two reminders (0: 4 days).
	AnswerLinkTTL, ReminderAfter time.Duration
	// RemoteImages lets articles, bios and answers show Markdown images from
	// other sites, which every reader's browser then fetches; off, only the
	// site's own media is shown and other images become links.
	RemoteImages bool
	// Translator machine-translates comments on readers' request; nil (the
	// default) leaves them untranslated but for the editors' translations.
	Translator translate.Provider
	// TranslateBudget bounds the characters sent to Translator a day.
	TranslateBudget int
	// DetectLanguages detects each new comment's language (internal/langid:
	// about 600 MB of models in memory, loaded in the background at start).
	DetectLanguages bool
}

func (c *Config) setDefaults() {
	if c.SiteName == "" {
		c.SiteName = "Parley"
	}
	if c.MaxCommentLen <= 0 {
		c.MaxCommentLen = parley.DefaultMaxBodyLen
	}
	if c.MaxDepth <= 0 {
		c.MaxDepth = parley.DefaultMaxDepth
	}
	if c.ThreadsPerPage <= 0 {
		c.ThreadsPerPage = 50
	}
	if c.CacheBytes <= 0 {
		c.CacheBytes = 16 << 20
	}
	if c.MinFillTime == 0 {
		c.MinFillTime = 3 * time.Second
	}
	if c.IPRetention <= 0 {
		c.IPRetention = 30 * 24 * time.Hour
	}
	if c.AnswerLinkTTL <= 0 {
		c.AnswerLinkTTL = defaultAnswerLinkTTL
	}
	if c.ReminderAfter <= 0 {
		c.ReminderAfter = defaultReminderAfter
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
}

// Server is Parley's HTTP server. Create it with NewServer.
type Server struct {
	cfg      Config
	store    *store.Store
	media    *media.Dir
	log      *slog.Logger
	pages    *templates
	comments *markup.Renderer
	articles *markup.Renderer
	cache    *pageCache
	posts    *limiter
	limits   accountLimits
	outbox   *outbox.Outbox
	notify   *notify.Notifier
	// linkRequests wakes the worker that mails requested links.
	linkRequests chan struct{}
	// worker names this process to the job queue.
	worker   string
	metrics  *metrics
	registry *prometheus.Registry
	// spam is the built-in classifier, with what moderators taught it.
	spam *spamFilter
	// wordLists caches debates' compiled word lists.
	wordLists wordListCache
	// reports limits readers' reports per network.
	reports *limiter
	// translator translates comments; translations limits its calls to the
	// provider per network.
	translator   *translate.Service
	translations *limiter
	// siteCache holds the operator's site settings.
	siteCache siteCache
	// Site secrets, one a purpose.
	cookieKey, avatarKey, submissionKey, addressKey []byte
	handler                                         http.Handler
}

// NewServer wires a server to its store. It reads the site secrets from the
// database, so every node sharing the database signs cookies alike.
func NewServer(ctx context.Context, cfg Config, st *store.Store, md *media.Dir, log *slog.Logger) (*Server, error) {
	cfg.setDefaults()
	pages, err := parseTemplates()
	if err != nil {
		return nil, err
	}
	cookieKey, err := st.Secret(ctx, "cookies")
	if err != nil {
		return nil, fmt.Errorf("read cookie secret: %w", err)
	}
	avatarKey, err := st.Secret(ctx, "avatars")
	if err != nil {
		return nil, fmt.Errorf("read avatar secret: %w", err)
	}
	submissionKey, err := st.Secret(ctx, "submissions")
	if err != nil {
		return nil, fmt.Errorf("read submission secret: %w", err)
	}
	addressKey, err := st.Secret(ctx, "addresses")
	if err != nil {
		return nil, fmt.Errorf("read address secret: %w", err)
	}
	spamFilter, err := newSpamFilter(ctx, st)
	if err != nil {
		return nil, err
	}
	if cfg.Mail == nil {
		if cfg.Mail, err = mail.NewLog(log, "Parley <parley@localhost>"); err != nil {
			return nil, err
		}
	}
	reg := prometheus.NewRegistry()
	s := &Server{
		cfg: cfg, store: st, media: md, log: log, pages: pages,
		comments: markup.NewComments(markup.WithSiteURL(cfg.BaseURL)), articles: markup.NewArticle(markup.WithSiteURL(cfg.BaseURL), markup.WithRemoteImages(cfg.RemoteImages)),
		cache: newPageCache(cfg.CacheBytes), posts: newLimiter(cfg.PostsPerMinute, cfg.PostBurst), limits: newAccountLimits(),
		outbox: outbox.New(st, cfg.Mail, log), linkRequests: make(chan struct{}, 1), worker: workerName(),
		metrics: newMetrics(reg), registry: reg,
		cookieKey: cookieKey, avatarKey: avatarKey, submissionKey: submissionKey, addressKey: addressKey,
		spam: spamFilter, reports: newLimiterEvery(6*time.Second, 20), translations: newLimiterEvery(2*time.Second, 20),
	}
	if cfg.DetectLanguages {
		go langid.Default() // the first comment need not wait for the models
	}
	s.translator = &translate.Service{Provider: cfg.Translator, Store: st, Budget: cfg.TranslateBudget, Render: s.comments.Render}
	if err := s.loadSite(ctx); err != nil {
		return nil, fmt.Errorf("read site settings: %w", err)
	}
	if s.notify, err = notify.New(ctx, notify.Config{BaseURL: cfg.BaseURL, SiteName: cfg.SiteName, Site: s.siteName}, st, s.outbox, log); err != nil {
		return nil, err
	}
	// An address a mail server refuses for good gets no more mail.
	s.outbox.OnUndeliverable(s.notify.Bounced)
	// Every write the store commits, from any handler or import in this
	// process, drops the cached pages it changed.
	st.OnChange(s.Invalidate)
	s.handler = s.routes()
	return s, nil
}

// Run does the server's background work until ctx ends: it sends queued
// mail, mails requested links, learns moderators' spam decisions made on
// other nodes, publishes scheduled debates when their time comes and,
// hourly, deletes ended sessions and links and forgets commenters' IP
// addresses past their retention. Every node
// runs it; the database makes sure each piece of work is done once.
func (s *Server) Run(ctx context.Context) {
	// Run returns once all of its work has stopped, so that the caller may
	// close the database after it.
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Go(func() { s.outbox.Run(ctx) })
	wg.Go(func() { s.notify.Run(ctx) })
	wg.Go(func() { s.runLinkRequests(ctx) })
	wg.Go(func() { s.spam.run(ctx, s.log) })
	tick := time.NewTicker(15 * time.Second)
	defer tick.Stop()
	var purged time.Time
	for {
		if err := s.remind(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("remind experts", "err", err)
		}
		if n, err := s.store.PublishDue(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("publish scheduled debates", "err", err)
		} else if n > 0 {
			s.log.Info("published scheduled debates", "count", n)
		}
		if time.Since(purged) > time.Hour {
			_, err := s.store.PurgeExpired(ctx)
			if err != nil && ctx.Err() == nil {
				s.log.Warn("purge ended sessions and links", "err", err)
			}
			// Apart, so that one failing does not keep the other from its work.
			_, err2 := s.store.ForgetAddresses(ctx, time.Now().Add(-s.cfg.IPRetention))
			if err2 != nil && ctx.Err() == nil {
				s.log.Warn("forget commenters' IP addresses", "err", err2)
			}
			if err == nil && err2 == nil {
				purged = time.Now()
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// workerName names this process among the nodes taking jobs.
func workerName() string {
	host, _ := os.Hostname()
	b := make([]byte, 4)
	rand.Read(b)
	return host + "-" + hex.EncodeToString(b)
}

// ServeHTTP makes the server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// AvatarKey derives the key of a commenter's generated avatar.
func (s *Server) AvatarKey(email string) string { return parley.AvatarKey(s.avatarKey, email) }

// Invalidate drops cached pages that show the debate. A change announced
// for every debate may be one to the site's settings: they are read again
// first, so that no page rendered after the drop shows the old ones.
func (s *Server) Invalidate(debateID int64) {
	if debateID == store.AllDebates {
		s.siteChanged()
	}
	s.cache.invalidate(debateID)
}
