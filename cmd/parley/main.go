// Command parley runs Parley: a platform for public debate and deliberation.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/parley-org/parley"
	"github.com/parley-org/parley/internal/akismet"
	"github.com/parley-org/parley/internal/connlimit"
	"github.com/parley-org/parley/internal/demo"
	"github.com/parley-org/parley/internal/importer"
	"github.com/parley-org/parley/internal/mail"
	"github.com/parley-org/parley/internal/markup"
	"github.com/parley-org/parley/internal/media"
	"github.com/parley-org/parley/internal/store"
	"github.com/parley-org/parley/internal/translate"
	"github.com/parley-org/parley/internal/web"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// After the first signal starts a graceful shutdown, a second one ends
	// the process at once.
	go func() { <-ctx.Done(); stop() }()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "parley:", err)
		}
		os.Exit(1)
	}
}

// command is one of parley's subcommands.
type command struct {
	name, args, summary string
	run                 func(ctx context.Context, e *env, args []string) error
}

// commands lists parley's subcommands, in the order help shows them.
func commands() []command {
	return []command{
		{"serve", "", "Run the Parley web server (the default command).", serve},
		{"migrate", "", "Create or update the database schema, then exit.", migrate},
		{"debate import", "FILE.md", "Create or update a debate from a Markdown file with front matter.", importDebate},
		{"db copy", "--from URL --to URL", "Copy a whole site from one database to another, verified.", dbCopy},
		{"user create", "--email ADDRESS --role ROLE", "Create an account (or change its role) and print a one-time sign-in link.", createUser},
		{"spam train", "[--data DIR] [--out FILE]", "Retrain the built-in spam classifier on labelled comments and write its model file.", spamTrain},
		{"spam eval", "[--data DIR | --train DIR --test DIR]", "Measure the spam classifier: precision, recall, F1 and false positives per dataset.", spamEval},
		{"lang eval", "FILE.tsv", "Measure language detection on labelled texts: accuracy per kind and language.", langEval},
		{"help", "[COMMAND]", "Explain the commands and their options.", nil},
	}
}

// env is what a command may touch of the outside world.
type env struct {
	getenv func(string) string
	stdout io.Writer
	stderr io.Writer
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	e := &env{getenv: getenv, stdout: stdout, stderr: stderr}
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return serve(ctx, e, args)
	}
	if args[0] == "help" || args[0] == "--help" {
		return help(e, args[1:])
	}
	for _, c := range commands() {
		words := strings.Fields(c.name)
		if c.run != nil && len(args) >= len(words) && strings.Join(args[:len(words)], " ") == c.name {
			return c.run(ctx, e, args[len(words):])
		}
	}
	return fmt.Errorf("unknown command %q; run 'parley help' for the list", strings.Join(args, " "))
}

// options are the settings shared by the commands, each a flag with a
// PARLEY_* environment variable as its default.
type options struct {
	addr, database, dataDir, baseURL, logLevel, logFormat string
	demo, remoteImages                                    bool
	maxComment, maxDepth, postRate, postBurst             int
	trustedProxies, smtpURL, mailFrom                     string
	akismetKey, akismetURL                                string
	shutdownTimeout, minFillTime, ipRetention             time.Duration
	answerLinkTTL, reminderAfter                          time.Duration
	metricsAddr                                           string
	maxConns, maxConnsPerClient                           int
	translateProvider, translateURL, translateKey         string
	translateBudget                                       int
	detectLanguages                                       bool
	// user create
	email, name, role string
}

func newFlags(e *env, cmd string, o *options) *flag.FlagSet {
	fs := flag.NewFlagSet("parley "+cmd, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	str := func(p *string, name, envName, def, usage string) {
		if v := e.getenv(envName); v != "" {
			def = v
		}
		fs.StringVar(p, name, def, usage+" ("+envName+")")
	}
	integer := func(p *int, name, envName string, def int, usage string) {
		if v, err := strconv.Atoi(e.getenv(envName)); err == nil {
			def = v
		}
		fs.IntVar(p, name, def, usage+" ("+envName+")")
	}
	str(&o.database, "database", "PARLEY_DATABASE_URL", "", "database: sqlite:PATH, or postgres://… (default sqlite:DATA-DIR/parley.db)")
	str(&o.dataDir, "data-dir", "PARLEY_DATA_DIR", "data", "folder for the embedded database and uploaded images")
	str(&o.logLevel, "log-level", "PARLEY_LOG_LEVEL", "info", "log level: debug, info, warn or error")
	str(&o.logFormat, "log-format", "PARLEY_LOG_FORMAT", "text", "log format: text or json")
	if cmd == "serve" || cmd == "user create" {
		str(&o.baseURL, "base-url", "PARLEY_BASE_URL", "", "public address of the site, for links in feeds and mail (default http://ADDR)")
	}
	if cmd == "user create" {
		fs.StringVar(&o.email, "email", "", "the account's email address (required)")
		fs.StringVar(&o.name, "name", "", "the name shown with the account's comments (default: the address's local part)")
		fs.StringVar(&o.role, "role", "participant", "participant, expert, moderator, editor or admin")
	}
	if cmd == "serve" || cmd == "debate import" {
		remoteImages := false
		if v, err := strconv.ParseBool(e.getenv("PARLEY_REMOTE_IMAGES")); err == nil {
			remoteImages = v
		}
		fs.BoolVar(&o.remoteImages, "remote-images", remoteImages, "let articles, bios and answers show Markdown images from other sites, which every reader's browser then fetches; off, only the site's own media is shown and other images become links (PARLEY_REMOTE_IMAGES)")
	}
	if cmd == "serve" {
		str(&o.addr, "addr", "PARLEY_ADDR", defaultAddr, "address to listen on (host:port; :8080 for every interface)")
		str(&o.smtpURL, "smtp-url", "PARLEY_SMTP_URL", "", "SMTP server for outgoing mail: smtp://user:pass@host:587 (STARTTLS), smtps://…:465 (TLS); empty logs mail and keeps it in the admins' dev mailbox")
		str(&o.mailFrom, "mail-from", "PARLEY_MAIL_FROM", "", "From address of outgoing mail (default Parley <noreply@HOST of the base URL>)")
		demoDefault := true
		if v, err := strconv.ParseBool(e.getenv("PARLEY_DEMO")); err == nil {
			demoDefault = v
		}
		fs.BoolVar(&o.demo, "demo", demoDefault, "fill an empty database with demo content (PARLEY_DEMO)")
		integer(&o.maxComment, "max-comment-length", "PARLEY_MAX_COMMENT_LENGTH", parley.DefaultMaxBodyLen, "longest comment, in characters")
		integer(&o.maxDepth, "max-depth", "PARLEY_MAX_DEPTH", parley.DefaultMaxDepth, "levels a thread nests, top-level comments included; a reply below them sits beside its parent")
		integer(&o.postRate, "post-rate", "PARLEY_POST_RATE", 6, "comments a client network may post a minute, after a burst; 0 for no limit")
		integer(&o.postBurst, "post-burst", "PARLEY_POST_BURST", 10, "comments a client network may post at once")
		str(&o.trustedProxies, "trusted-proxies", "PARLEY_TRUSTED_PROXIES", "", "reverse proxies whose X-Forwarded-For names the client: comma-separated addresses or CIDR ranges")
		str(&o.metricsAddr, "metrics-addr", "PARLEY_METRICS_ADDR", "", "address to serve Prometheus metrics on, apart from the site, such as 127.0.0.1:9090; empty serves them only to admins on the site")
		integer(&o.maxConns, "max-conns", "PARLEY_MAX_CONNS", 10000, "connections the site holds open at once; more are closed at once; 0 for no limit")
		integer(&o.maxConnsPerClient, "max-conns-per-client", "PARLEY_MAX_CONNS_PER_CLIENT", 256, "connections one client network (an IPv4 /24 or IPv6 /64) may hold open; trusted proxies have no such limit; 0 for no limit")
		timeout := 15 * time.Second
		if d, err := time.ParseDuration(e.getenv("PARLEY_SHUTDOWN_TIMEOUT")); err == nil {
			timeout = d
		}
		fs.DurationVar(&o.shutdownTimeout, "shutdown-timeout", timeout, "how long in-flight requests may take to finish on shutdown (PARLEY_SHUTDOWN_TIMEOUT)")
		fill := 3 * time.Second
		if d, err := time.ParseDuration(e.getenv("PARLEY_MIN_FILL_TIME")); err == nil {
			fill = d
		}
		fs.DurationVar(&o.minFillTime, "min-fill-time", fill, "comment forms sent back sooner than this after they were shown are held for a moderator; 0 turns the check off (PARLEY_MIN_FILL_TIME)")
		retention := 30 * 24 * time.Hour
		if d, err := time.ParseDuration(e.getenv("PARLEY_IP_RETENTION")); err == nil {
			retention = d
		}
		fs.DurationVar(&o.ipRetention, "ip-retention", retention, "how long commenters' IP addresses are kept; after that only a keyed hash remains (PARLEY_IP_RETENTION)")
		str(&o.translateProvider, "translate-provider", "PARLEY_TRANSLATE_PROVIDER", "", "machine translation of comments: deepl, libretranslate or apertium (default: deepl for a deepl.com address); off without --translate-url")
		str(&o.translateURL, "translate-url", "PARLEY_TRANSLATE_URL", "", "address of the translation service, such as http://127.0.0.1:2737 for a self-hosted Apertium APy; empty turns machine translation off")
		str(&o.translateKey, "translate-key", "PARLEY_TRANSLATE_KEY", "", "API key of the translation service (DeepL, LibreTranslate)")
		integer(&o.translateBudget, "translate-budget", "PARLEY_TRANSLATE_BUDGET", 200000, "characters a day sent to the translation service, shared by all nodes; past it, readers are told translation is unavailable until tomorrow")
		detect := true
		if v, err := strconv.ParseBool(e.getenv("PARLEY_DETECT_LANGUAGES")); err == nil {
			detect = v
		}
		fs.BoolVar(&o.detectLanguages, "detect-languages", detect, "detect the language of each new comment; its models take about 600 MB of memory (PARLEY_DETECT_LANGUAGES)")
		duration := func(p *time.Duration, name, envName string, def time.Duration, usage string) {
			if d, err := time.ParseDuration(e.getenv(envName)); err == nil {
				def = d
			}
			fs.DurationVar(p, name, def, usage+" ("+envName+")")
		}
		duration(&o.answerLinkTTL, "answer-link-ttl", "PARLEY_ANSWER_LINK_TTL", 21*24*time.Hour, "how long an expert's private link to answer a question works")
		duration(&o.reminderAfter, "reminder-after", "PARLEY_REMINDER_AFTER", 4*24*time.Hour, "how long an unanswered question waits before each of its two reminders to the expert")
		str(&o.akismetKey, "akismet-key", "PARLEY_AKISMET_KEY", "", "API key of an Akismet-compatible spam service; empty (the default) sends nothing to any outside service")
		str(&o.akismetURL, "akismet-url", "PARLEY_AKISMET_URL", akismet.DefaultEndpoint, "address of the Akismet-compatible service")
	}
	return fs
}

func (o *options) databaseURL() string {
	if o.database != "" {
		return o.database
	}
	return "sqlite:" + filepath.Join(o.dataDir, "parley.db")
}

func (o *options) logger(w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(o.logLevel)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	h := &slog.HandlerOptions{Level: level}
	switch o.logFormat {
	case "text":
		return slog.New(slog.NewTextHandler(w, h)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, h)), nil
	}
	return nil, fmt.Errorf("--log-format must be text or json, not %q", o.logFormat)
}

// openStore opens and migrates the database.
func openStore(ctx context.Context, o *options) (*store.Store, error) {
	st, err := store.Open(ctx, o.databaseURL())
	if err != nil {
		return nil, err
	}
	if err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

func parse(e *env, cmd string, args []string) (*options, *flag.FlagSet, error) {
	o := &options{}
	fs := newFlags(e, cmd, o)
	fs.Usage = func() { usage(e.stderr, cmd, fs) }
	if err := fs.Parse(args); err != nil {
		return nil, nil, err
	}
	return o, fs, nil
}

func serve(ctx context.Context, e *env, args []string) error {
	o, fs, err := parse(e, "serve", args)
	if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("serve takes no arguments, got %q", fs.Args())
	}
	log, err := o.logger(e.stderr)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, o)
	if err != nil {
		return err
	}
	defer st.Close()
	st.SetLogger(log)
	md, err := media.Open(filepath.Join(o.dataDir, "media"))
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return err
	}
	baseURL := o.baseURL
	if baseURL == "" {
		baseURL = "http://" + displayAddr(o.addr, ln.Addr().String())
	}
	if o.demo {
		// After the base URL is known: demo comments link their @mentions, as posted ones do.
		loaded, err := demo.Load(ctx, st, md, time.Now(), baseURL)
		if err != nil {
			return fmt.Errorf("load demo content: %w", err)
		}
		if loaded {
			log.Info("loaded demo content into the new database; run with --demo=false to start empty")
		}
	}
	proxies, err := parsePrefixes(o.trustedProxies)
	if err != nil {
		return fmt.Errorf("--trusted-proxies: %w", err)
	}
	sender, err := mail.Open(o.smtpURL, mailFrom(o.mailFrom, baseURL), log)
	if err != nil {
		return fmt.Errorf("--smtp-url: %w", err)
	}
	if o.smtpURL == "" && strings.HasPrefix(baseURL, "https://") {
		log.Error("no --smtp-url on a public site: sign-up, sign-in and reset mail is not sent, " +
			"and admins can read every link in the dev mailbox; set PARLEY_SMTP_URL")
	}
	if o.ipRetention <= 0 {
		return errors.New("--ip-retention: give a positive duration, such as 720h")
	}
	if o.answerLinkTTL <= 0 || o.reminderAfter <= 0 {
		return errors.New("--answer-link-ttl and --reminder-after: give positive durations, such as 504h and 96h")
	}
	if o.maxConns < 0 || o.maxConnsPerClient < 0 {
		return errors.New("--max-conns and --max-conns-per-client: give 0 (no limit) or more")
	}
	var translator translate.Provider
	if o.translateURL != "" || o.translateProvider != "" {
		if translator, err = translate.New(o.translateProvider, o.translateURL, o.translateKey, nil); err != nil {
			return fmt.Errorf("--translate-provider, --translate-url: %w", err)
		}
		if o.translateBudget <= 0 {
			return errors.New("--translate-budget: give a positive number of characters a day")
		}
		log.Info("comments can be machine-translated on readers' request", "provider", translator.Name(), "budget", o.translateBudget)
	}
	var spamService *akismet.Client
	if o.akismetKey != "" {
		if spamService, err = akismet.New(o.akismetKey, o.akismetURL, baseURL, nil); err != nil {
			return fmt.Errorf("--akismet-key: %w", err)
		}
		log.Info("new comments are also checked by an outside spam service", "host", spamService.Host())
	}
	srv, err := web.NewServer(ctx, web.Config{BaseURL: baseURL, MaxCommentLen: o.maxComment, MaxDepth: o.maxDepth,
		PostsPerMinute: o.postRate, PostBurst: o.postBurst, TrustedProxies: proxies, Mail: sender, MinFillTime: fillTime(o.minFillTime),
		IPRetention: o.ipRetention, Akismet: spamService, AnswerLinkTTL: o.answerLinkTTL, ReminderAfter: o.reminderAfter,
		RemoteImages: o.remoteImages, Translator: translator, TranslateBudget: o.translateBudget,
		DetectLanguages: o.detectLanguages}, st, md, log)
	if err != nil {
		return err
	}
	// Background work (mail, scheduled debates) stops after the last
	// request has finished, so a mail queued by it is still sent.
	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	workDone := make(chan struct{})
	go func() { srv.Run(workCtx); close(workDone) }()
	defer func() {
		// The work stops before the database closes: a job cut off in the
		// middle would find it closed.
		stopWork()
		select {
		case <-workDone:
		case <-time.After(o.shutdownTimeout):
			log.Warn("background work did not stop in time")
		}
	}()
	httpServer := newHTTPServer(srv, log)
	// Other nodes sharing a PostgreSQL database tell this one what they
	// change; serve only once listening, so that no change goes unheard.
	watchCtx, stopWatching := context.WithCancel(ctx)
	defer stopWatching()
	listening := make(chan struct{})
	go st.Watch(watchCtx, listening)
	select {
	case <-listening:
	case <-time.After(10 * time.Second):
		log.Warn("cannot hear other nodes' changes yet; serving anyway, pages may lag behind other nodes for up to a minute")
	case <-ctx.Done():
		return nil
	}
	// Metrics have an address of their own: on the site's, a local proxy's
	// requests would look like a local scraper's.
	var metricsServer *http.Server
	var metricsLn net.Listener
	if o.metricsAddr != "" {
		if metricsLn, err = net.Listen("tcp", o.metricsAddr); err != nil {
			ln.Close()
			return fmt.Errorf("--metrics-addr: %w", err)
		}
		metricsServer = newHTTPServer(srv.MetricsHandler(), log)
	}
	// Trusted proxies carry every client's connections, so only the total
	// caps theirs.
	ln = connlimit.New(ln, connlimit.Config{PerClient: o.maxConnsPerClient, Total: o.maxConns,
		Exempt: proxies, Refused: srv.ConnectionRefused})
	served := make(chan error, 2)
	go func() { served <- httpServer.Serve(ln) }()
	if metricsServer != nil {
		go func() { served <- metricsServer.Serve(metricsLn) }()
		log.Info("serving metrics", "addr", metricsLn.Addr().String())
	}
	fmt.Fprintf(e.stdout, "Parley is running at %s (database: %s)\n", baseURL, st.Dialect())
	log.Info("listening", "addr", ln.Addr().String(), "base_url", baseURL, "database", st.Dialect())

	select {
	case err := <-served:
		httpServer.Close()
		if metricsServer != nil {
			metricsServer.Close()
		}
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing in-flight requests")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), o.shutdownTimeout)
	defer cancel()
	err = httpServer.Shutdown(shutdownCtx)
	// Metrics stay up while requests finish, and go next.
	if metricsServer != nil {
		err = errors.Join(err, metricsServer.Shutdown(shutdownCtx))
	}
	if err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}

// newHTTPServer serves h with timeouts, so that slow clients cannot hold
// connections for ever.
func newHTTPServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// fillTime is the web configuration's form of --min-fill-time, where 0 is "off".
func fillTime(d time.Duration) time.Duration {
	if d == 0 {
		return -1
	}
	return d
}

// mailFrom is the From address of outgoing mail: the one configured, or
// noreply at the site's host name.
func mailFrom(configured, baseURL string) string {
	if configured != "" {
		return configured
	}
	host := "localhost"
	if u, err := url.Parse(baseURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		host = "[" + ip.String() + "]"
	}
	return "Parley <noreply@" + host + ">"
}

// parsePrefixes reads "10.0.0.1, 192.168.0.0/16, ::1" as address ranges.
func parsePrefixes(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(list, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			a, err := netip.ParseAddr(f)
			if err != nil {
				return nil, err
			}
			if a.Zone() != "" {
				return nil, fmt.Errorf("%s: a proxy's address has no zone", f)
			}
			// Clients' addresses are compared unmapped: so is the proxy's.
			a = a.Unmap()
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, err
		}
		if p.Addr().Is4In6() {
			if p.Bits() < 96 {
				return nil, fmt.Errorf("%s: an IPv4-mapped range must be /96 or longer", f)
			}
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// defaultAddr is where Parley listens unless told otherwise; the README
// and "user create" send people to it.
const defaultAddr = "localhost:8080"

// displayAddr is the address a browser opens for a listener: the host as
// configured rather than as resolved (cookies are per host name, so the
// links in mail must name the host people type), with the port it got.
func displayAddr(configured, listened string) string {
	host, _, err := net.SplitHostPort(configured)
	_, port, err2 := net.SplitHostPort(listened)
	if err != nil || err2 != nil {
		return listened
	}
	if host == "" || host == "::" || host == "0.0.0.0" {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

func migrate(ctx context.Context, e *env, args []string) error {
	o, _, err := parse(e, "migrate", args)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, o)
	if err != nil {
		return err
	}
	defer st.Close()
	fmt.Fprintf(e.stdout, "The %s database is up to date.\n", st.Dialect())
	return nil
}

func importDebate(ctx context.Context, e *env, args []string) error {
	o, fs, err := parse(e, "debate import", args)
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("debate import takes one Markdown file; see 'parley help debate import'")
	}
	file := fs.Arg(0)
	src, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	f, err := importer.ParseDebate(src)
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	d := f.Debate
	if err := d.Validate(); err != nil {
		return fmt.Errorf("%s: %s", file, describe(err))
	}
	st, err := openStore(ctx, o)
	if err != nil {
		return err
	}
	defer st.Close()
	if f.Image != "" {
		data, err := os.ReadFile(filepath.Join(filepath.Dir(file), f.Image))
		if err != nil {
			return fmt.Errorf("%s: image: %w", file, err)
		}
		md, err := media.Open(filepath.Join(o.dataDir, "media"))
		if err != nil {
			return err
		}
		name, err := md.Save(strings.ToLower(filepath.Ext(f.Image)), data)
		if err != nil {
			return fmt.Errorf("%s: image: %w", file, err)
		}
		d.ImageURL = "/media/" + name
	}
	// Keep the stored publication date when updating a debate.
	if old, err := st.DebateBySlug(ctx, d.Slug); err == nil {
		d.PublishedAt, d.HoldForReview = old.PublishedAt, old.HoldForReview
	}
	d.BodyHTML = markup.NewArticle(markup.WithRemoteImages(o.remoteImages)).Render(d.BodyMD)
	created, err := st.SaveDebate(ctx, d)
	if err != nil {
		return fmt.Errorf("%s: %s", file, describe(err))
	}
	verb := "Updated"
	if created {
		verb = "Created"
	}
	fmt.Fprintf(e.stdout, "%s debate %q (%s) at /debates/%s\n", verb, d.Title, d.Status, d.Slug)
	return nil
}

// describe spells out a domain error with its field problems.
func describe(err error) string {
	msg := parley.ErrorMessage(err)
	if parley.ErrorCode(err) == parley.EINTERNAL {
		msg = err.Error()
	}
	for field, problem := range parley.ErrorFields(err) {
		msg += "\n  " + field + ": " + problem
	}
	return msg
}

func help(e *env, args []string) error {
	name := strings.Join(args, " ")
	if name == "" {
		fmt.Fprint(e.stdout, `Parley: a platform for public debate and deliberation.

Usage: parley [COMMAND] [OPTIONS]

Commands:
`)
		for _, c := range commands() {
			fmt.Fprintf(e.stdout, "  %-16s %s\n", strings.TrimSpace(c.name+" "+c.args), c.summary)
		}
		fmt.Fprint(e.stdout, `
With no command, parley serves. Every option can also be set by the
environment variable named beside it; a flag wins over the variable.
Run 'parley help COMMAND' for a command's options.
`)
		return nil
	}
	for _, c := range commands() {
		if c.name == name && c.run != nil {
			// Each command prints its own flags when asked with -h.
			err := c.run(context.Background(), &env{getenv: e.getenv, stdout: e.stdout, stderr: e.stdout}, []string{"-h"})
			if errors.Is(err, flag.ErrHelp) {
				return nil
			}
			return err
		}
	}
	return fmt.Errorf("no command %q; run 'parley help'", name)
}

func usage(w io.Writer, name string, fs *flag.FlagSet) {
	for _, c := range commands() {
		if c.name == name {
			fmt.Fprintf(w, "Usage: parley %s [OPTIONS] %s\n\n%s\n\nOptions:\n", c.name, c.args, c.summary)
		}
	}
	fs.SetOutput(w)
	fs.PrintDefaults()
}
