// Command parley-load measures a running Parley on this machine: read and
// post throughput with latency percentiles, beside the ceiling of a static
// file of the same bytes served by Go's net/http. Every run is bounded in
// time and requests, and it only talks to loopback addresses.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "parley-load:", err)
		os.Exit(1)
	}
}

const usage = `Usage:
  parley-load seed  --target URL --debate SLUG --comments N
  parley-load read  --target URL --path PATH [--mode hot|distinct] [--concurrency 16] [--duration 10s] [--ceiling]
  parley-load post  --target URL --debate SLUG [--concurrency 16] [--duration 60s]
  parley-load serve-file --addr 127.0.0.1:0 FILE   (the ceiling server; started by read --ceiling)

The target must be a loopback address (127.0.0.0/8, ::1 or localhost).`

func run(args []string, out io.Writer) error {
	if len(args) == 0 {
		return errors.New(usage)
	}
	fs := flag.NewFlagSet("parley-load "+args[0], flag.ContinueOnError)
	targetList := fs.String("target", "http://127.0.0.1:8080", "Parley's base URL (loopback only); several, comma-separated, take turns")
	debate := fs.String("debate", "", "debate slug")
	comments := fs.Int("comments", 1000, "comments to seed")
	path := fs.String("path", "", "path to read, such as /debates/SLUG")
	mode := fs.String("mode", "hot", "hot: every request on one URL; distinct: a cache-busting query on each")
	concurrency := fs.Int("concurrency", 16, "concurrent clients")
	duration := fs.Duration("duration", 10*time.Second, "how long to run (at most 10m)")
	maxRequests := fs.Int("max-requests", 5_000_000, "stop after this many requests")
	ceiling := fs.Bool("ceiling", false, "also measure a static file of the same bytes served by net/http")
	addr := fs.String("addr", "127.0.0.1:0", "serve-file: address to listen on")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *duration > 10*time.Minute || *duration <= 0 {
		return errors.New("--duration must be between 0 and 10m")
	}
	targets := strings.Split(*targetList, ",")
	if args[0] != "serve-file" {
		for _, t := range targets {
			if err := loopbackOnly(t); err != nil {
				return err
			}
		}
	}
	target := &targets[0]
	c := newClient(*concurrency)
	switch args[0] {
	case "seed":
		return seed(c, out, *target, *debate, *comments)
	case "read":
		return read(c, out, targets, *path, *mode, *concurrency, *duration, *maxRequests, *ceiling)
	case "post":
		return post(c, out, targets, *debate, *concurrency, *duration, *maxRequests)
	case "serve-file":
		return serveFile(*addr, fs.Arg(0), out)
	}
	return errors.New(usage)
}

// loopbackOnly refuses any target that is not on this machine.
func loopbackOnly(target string) error {
	u, err := url.Parse(target)
	if err != nil {
		return err
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("target %q is not a loopback address; parley-load only measures servers on this machine", target)
}

func newClient(concurrency int) *http.Client {
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		MaxIdleConns: concurrency * 2, MaxIdleConnsPerHost: concurrency * 2, DisableCompression: true, IdleConnTimeout: time.Minute,
	}}
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 42)) }

// commentBody returns 200-800 characters of plausible text.
func commentBody(r *rand.Rand) string {
	words := strings.Fields("the city should fund better buses before closing streets to cars because people who live far out " +
		"need a way in and shops depend on them yet quieter squares bring more visitors who stay longer and spend more " +
		"evidence from several trials suggests footfall rises while deliveries need clear windows and fair permits for residents")
	n := 200 + r.IntN(601)
	var b strings.Builder
	for b.Len() < n {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(words[r.IntN(len(words))])
	}
	return b.String()[:n]
}

type postResult struct {
	ID int64 `json:"id"`
}

// postComment posts one comment; a third of them reply to an earlier one.
func postComment(c *http.Client, target, slug string, r *rand.Rand, n int, parents []int64) (int64, error) {
	body := map[string]any{"author_name": fmt.Sprintf("Load tester %d", n%500), "author_email": fmt.Sprintf("tester%d@example.org", n%500),
		"body": fmt.Sprintf("#%d %s", n, commentBody(r))}
	if len(parents) > 0 && r.IntN(3) == 0 {
		body["parent_id"] = parents[r.IntN(len(parents))]
	}
	raw, _ := json.Marshal(body)
	res, err := c.Post(target+"/api/v1/debates/"+slug+"/comments", "application/json", bytes.NewReader(raw))
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusCreated {
		return 0, fmt.Errorf("post: status %d: %.200s", res.StatusCode, b)
	}
	var pr postResult
	return pr.ID, json.Unmarshal(b, &pr)
}

func seed(c *http.Client, out io.Writer, target, slug string, n int) error {
	if slug == "" {
		return errors.New("seed needs --debate")
	}
	r := newRand(uint64(n))
	var ids []int64
	start := time.Now()
	for i := 0; i < n; i++ {
		id, err := postComment(c, target, slug, r, i, ids)
		if err != nil {
			return err
		}
		ids = append(ids, id)
	}
	fmt.Fprintf(out, "seeded %d comments on %s in %s\n", n, slug, time.Since(start).Round(time.Millisecond))
	return nil
}

// stats summarises a run.
type stats struct {
	requests, errors int
	bytes            int64
	elapsed          time.Duration
	latencies        []time.Duration
}

func (s *stats) line(name string) string {
	slices.Sort(s.latencies)
	pct := func(p float64) time.Duration {
		if len(s.latencies) == 0 {
			return 0
		}
		return s.latencies[min(len(s.latencies)-1, int(float64(len(s.latencies))*p))]
	}
	avg := int64(0)
	if s.requests > 0 {
		avg = s.bytes / int64(s.requests)
	}
	return fmt.Sprintf("%-44s %9.0f req/s  p50 %8s  p99 %8s  %7d B/resp  %d requests, %d errors",
		name, float64(s.requests)/s.elapsed.Seconds(), pct(.50).Round(10*time.Microsecond), pct(.99).Round(10*time.Microsecond), avg, s.requests, s.errors)
}

// hammer runs fn from concurrency workers until the duration or request budget runs out.
func hammer(concurrency int, d time.Duration, maxRequests int, fn func(worker, n int) (int64, error)) *stats {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var issued atomic.Int64
	var mu sync.Mutex
	total := &stats{}
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < concurrency; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := stats{latencies: make([]time.Duration, 0, 4096)}
			for ctx.Err() == nil {
				n := int(issued.Add(1))
				if n > maxRequests {
					break
				}
				t0 := time.Now()
				size, err := fn(w, n)
				local.latencies = append(local.latencies, time.Since(t0))
				local.requests++
				local.bytes += size
				if err != nil {
					local.errors++
				}
			}
			mu.Lock()
			total.requests += local.requests
			total.errors += local.errors
			total.bytes += local.bytes
			total.latencies = append(total.latencies, local.latencies...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	total.elapsed = time.Since(start)
	return total
}

func fetch(c *http.Client, u string) (int64, error) {
	res, err := c.Get(u)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if err == nil && res.StatusCode != http.StatusOK {
		err = fmt.Errorf("status %d", res.StatusCode)
	}
	return n, err
}

func read(c *http.Client, out io.Writer, targets []string, path, mode string, concurrency int, d time.Duration, maxRequests int, ceiling bool) error {
	target := targets[0]
	if path == "" {
		return errors.New("read needs --path")
	}
	if mode != "hot" && mode != "distinct" {
		return errors.New("--mode must be hot or distinct")
	}
	urlFor := func(base string, n int) string {
		if mode == "hot" {
			return base
		}
		sep := "?"
		if strings.Contains(base, "?") {
			sep = "&"
		}
		return base + sep + "nocache=" + strconv.Itoa(n)
	}
	s := hammer(concurrency, d, maxRequests, func(_, n int) (int64, error) { return fetch(c, urlFor(targets[n%len(targets)]+path, n)) })
	fmt.Fprintln(out, s.line(fmt.Sprintf("parley  %s %s (%d node%s)", mode, path, len(targets), plural(len(targets)))))
	if !ceiling {
		return nil
	}
	// The ceiling: the same bytes as a static file, served by net/http in a
	// process of its own, like Parley.
	res, err := c.Get(target + path)
	if err != nil {
		return err
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	dir, err := os.MkdirTemp("", "parley-load")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "page")
	if err := os.WriteFile(file, body, 0o644); err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	cmd := exec.Command(self, "serve-file", "--addr", "127.0.0.1:0", file)
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	line, err := readLine(stdout)
	if err != nil {
		return fmt.Errorf("ceiling server: %w", err)
	}
	base := strings.TrimSpace(line)
	cs := hammer(concurrency, d, maxRequests, func(_, n int) (int64, error) { return fetch(c, urlFor(base+"/page", n)) })
	fmt.Fprintln(out, cs.line("ceiling "+mode+" (static file, same bytes)"))
	fmt.Fprintf(out, "%-44s %8.0f%%\n", "parley / ceiling throughput", 100*float64(s.requests)/s.elapsed.Seconds()/(float64(cs.requests)/cs.elapsed.Seconds()))
	return nil
}

func readLine(r io.Reader) (string, error) {
	var b []byte
	one := make([]byte, 1)
	for {
		if _, err := r.Read(one); err != nil {
			return string(b), err
		}
		if one[0] == '\n' {
			return string(b), nil
		}
		b = append(b, one[0])
	}
}

func serveFile(addr, file string, out io.Writer) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "http://%s\n", ln.Addr())
	dir, name := filepath.Split(file)
	mux := http.NewServeMux()
	mux.Handle("/"+name, http.FileServer(http.Dir(dir)))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	// Stop by itself after the longest run a measurement may take.
	time.AfterFunc(15*time.Minute, func() { srv.Close() })
	err = srv.Serve(ln)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

var idPattern = regexp.MustCompile(`"id":(\d+)`)

func post(c *http.Client, out io.Writer, targets []string, slug string, concurrency int, d time.Duration, maxRequests int) error {
	target := targets[0]
	if slug == "" {
		return errors.New("post needs --debate")
	}
	// Replies go to comments that exist: take the debate's first page.
	res, err := c.Get(target + "/api/v1/debates/" + slug + "/comments?limit=100")
	if err != nil {
		return err
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	var parents []int64
	for _, m := range idPattern.FindAllSubmatch(b, -1) {
		id, _ := strconv.ParseInt(string(m[1]), 10, 64)
		parents = append(parents, id)
	}
	rands := make([]*rand.Rand, concurrency)
	for i := range rands {
		rands[i] = newRand(uint64(i))
	}
	var firstErr atomic.Value
	s := hammer(concurrency, d, maxRequests, func(w, n int) (int64, error) {
		_, err := postComment(c, targets[n%len(targets)], slug, rands[w], n, parents)
		if err != nil {
			firstErr.CompareAndSwap(nil, err.Error())
		}
		return 0, err
	})
	fmt.Fprintln(out, s.line(fmt.Sprintf("parley  post %s (%d node%s)", slug, len(targets), plural(len(targets)))))
	if e := firstErr.Load(); e != nil {
		fmt.Fprintln(out, "first error:", e)
	}
	return nil
}
