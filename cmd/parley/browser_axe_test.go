package main

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// Every page a browser test opens is checked with axe-core
// (https://github.com/dequelabs/axe-core), and any violation fails the test.
// axe-core is an npm package, not a Go module: .ci/run installs it outside
// the checkout, in ${PARLEY_CI_CACHE:-~/.cache/parley-ci}/axe, and points
// PARLEY_AXE_JS at its axe.min.js. Without PARLEY_AXE_JS the tests look
// where .ci/run puts it. Without axe-core the check is skipped with a
// message; with PARLEY_REQUIRE_BROWSER set, as in CI, a missing axe-core
// fails the test.

// axePath is where axe-core's script is: $PARLEY_AXE_JS, or where .ci/run
// installs it.
func axePath() string {
	if p := os.Getenv("PARLEY_AXE_JS"); p != "" {
		return p
	}
	cache := os.Getenv("PARLEY_CI_CACHE")
	if cache == "" {
		home, _ := os.UserHomeDir()
		cache = filepath.Join(home, ".cache", "parley-ci")
	}
	return filepath.Join(cache, "axe", "node_modules", "axe-core", "axe.min.js")
}

var axeOnce = sync.OnceValues(func() (string, string) {
	path := axePath()
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Sprintf("axe-core not found (%v): .ci/run installs it, or run `npm install --prefix DIR axe-core@4` "+
			"and set PARLEY_AXE_JS to DIR/node_modules/axe-core/axe.min.js", err)
	}
	return string(b), ""
})

// axeSource returns axe-core's script, or "" when it is missing and not
// required; the first time in a test it says why the check is skipped.
func axeSource(t *testing.T) string {
	t.Helper()
	src, problem := axeOnce()
	if problem == "" {
		return src
	}
	if os.Getenv("PARLEY_REQUIRE_BROWSER") != "" {
		t.Fatal(problem + " (PARLEY_REQUIRE_BROWSER is set, so the accessibility check may not be skipped)")
	}
	if _, told := axeSkipTold.LoadOrStore(t.Name(), true); !told {
		t.Log(problem + ": the accessibility checks of this test are skipped")
	}
	return ""
}

var (
	axeSkipTold sync.Map // test name → the skip was logged
	axeReported sync.Map // test, page, rule and nodes → reported already
)

// axeViolation is one rule an axe run found broken, with the elements
// that break it.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	URL    string `json:"helpUrl"`
	Nodes  []struct {
		Target  []any  `json:"target"`
		Summary string `json:"failureSummary"`
	} `json:"nodes"`
}

// axeRun loads axe-core into the page when it is not there yet (through
// the DevTools protocol, which the page's Content-Security-Policy does not
// govern) and runs every rule but the experimental ones.
const axeRun = `axe.run(document, {resultTypes: ["violations"]}).then(function (r) {
  return r.violations.map(function (v) {
    return {id: v.id, impact: v.impact || "", help: v.help, helpUrl: v.helpUrl,
      nodes: v.nodes.map(function (n) { return {target: n.target, failureSummary: n.failureSummary || ""}; })};
  });
})`

// checkA11y runs axe-core on the page the tab shows and fails the test for
// each violation: its rule, impact, elements (as CSS selectors) and the
// rule's help page. The same violation on the same page is reported once.
func (b *browser) checkA11y(step string) {
	b.t.Helper()
	src := axeSource(b.t)
	if src == "" {
		return
	}
	if b.noScript {
		// axe-core needs timers and promises, which a page without
		// JavaScript does not run; the page's own scripts stay unrun, since
		// they ran (or not) when it loaded.
		b.javaScript(true)
		defer b.javaScript(false)
	}
	loaded := eval[bool](b, step+": is axe-core loaded", `typeof window.axe === "object"`)
	if !loaded {
		runStep(b, step+": load axe-core", chromedp.Evaluate[chromedp.Void](src))
	}
	violations := runStep(b, step+": run axe-core", chromedp.Evaluate[[]axeViolation](axeRun, chromedp.EvalAwaitPromise))
	if len(violations) == 0 {
		return
	}
	page := b.location()
	if u, err := url.Parse(page); err == nil {
		page = u.RequestURI()
	}
	for _, v := range violations {
		var targets []string
		for _, n := range v.Nodes {
			var parts []string
			for _, t := range n.Target {
				parts = append(parts, fmt.Sprint(t))
			}
			targets = append(targets, strings.Join(parts, " >> "))
		}
		key := strings.Join([]string{b.t.Name(), page, v.ID, strings.Join(targets, ",")}, "\x00")
		if _, seen := axeReported.LoadOrStore(key, true); seen {
			continue
		}
		var detail strings.Builder
		for i, n := range v.Nodes {
			if i == 5 {
				fmt.Fprintf(&detail, "\n    … and %d more", len(v.Nodes)-5)
				break
			}
			fmt.Fprintf(&detail, "\n    %s: %s", targets[i], strings.ReplaceAll(n.Summary, "\n", " "))
		}
		b.t.Errorf("accessibility (axe-core) after %q on %s: %s [%s] %s, %d element(s), see %s%s",
			step, page, v.ID, v.Impact, v.Help, len(v.Nodes), v.URL, detail.String())
	}
}
