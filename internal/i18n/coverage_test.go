package i18n

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/net/html"
)

// root is the module's root, from this package's folder.
const root = "../.."

// templateFiles lists every template a person reads: pages and mail.
func templateFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, dir := range []string{"internal/web/templates", "internal/notify/templates"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".html") || strings.HasSuffix(p, ".txt")) {
				files = append(files, p)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(files) < 10 {
		t.Fatalf("found only %d templates", len(files))
	}
	return files
}

var action = regexp.MustCompile(`(?s)\{\{.*?\}\}`)

// visibleAttrs are the attributes whose text a person reads or hears.
var visibleAttrs = map[string]bool{"alt": true, "title": true, "placeholder": true, "aria-label": true, "label": true, "content": true, "aria-description": true, "aria-roledescription": true}

func hasLetter(s string) bool {
	return strings.IndexFunc(s, unicode.IsLetter) >= 0
}

// TestTemplatesHoldNoTextOutsideTheCatalogues fails when a template writes
// a word itself instead of asking the catalogue for it.
func TestTemplatesHoldNoTextOutsideTheCatalogues(t *testing.T) {
	for _, file := range templateFiles(t) {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		// Actions become a mark that holds no letter.
		src := action.ReplaceAllString(string(b), "\x01")
		name, _ := filepath.Rel(root, file)
		if strings.HasSuffix(file, ".txt") {
			for i, line := range strings.Split(src, "\n") {
				if hasLetter(line) {
					t.Errorf("%s:%d: text outside the catalogues: %q", name, i+1, strings.TrimSpace(line))
				}
			}
			continue
		}
		z := html.NewTokenizer(strings.NewReader(src))
		skip := ""
		for {
			tt := z.Next()
			if tt == html.ErrorToken {
				break
			}
			tok := z.Token()
			switch tt {
			case html.StartTagToken, html.SelfClosingTagToken:
				if tok.Data == "script" || tok.Data == "style" {
					skip = tok.Data
				}
				typ, name := "", ""
				for _, a := range tok.Attr {
					switch a.Key {
					case "type":
						typ = a.Val
					case "name":
						name = a.Val
					}
				}
				for _, a := range tok.Attr {
					button := a.Key == "value" && tok.Data == "input" && (typ == "submit" || typ == "button")
					// A viewport's or a robot's <meta content> is for machines.
					machine := a.Key == "content" && (name == "viewport" || name == "robots")
					if (visibleAttrs[a.Key] || button) && !machine && hasLetter(a.Val) {
						t.Errorf("%s: <%s %s=%q>: text outside the catalogues", name, tok.Data, a.Key, a.Val)
					}
				}
			case html.EndTagToken:
				if tok.Data == skip {
					skip = ""
				}
			case html.TextToken:
				if skip == "" && hasLetter(tok.Data) {
					t.Errorf("%s: text outside the catalogues: %q", name, strings.TrimSpace(tok.Data))
				}
			}
		}
	}
}

// literals collects every string that code or a template could look up: Go
// string literals outside tests, and quoted strings in templates.
func literals(t *testing.T) map[string]bool {
	t.Helper()
	seen := map[string]bool{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".") && p != root) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil {
					seen[s] = true
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	quoted := regexp.MustCompile("\"(?:[^\"\\\\]|\\\\.)*\"|`[^`]*`")
	for _, file := range templateFiles(t) {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range action.FindAllString(string(b), -1) {
			for _, q := range quoted.FindAllString(a, -1) {
				if s, err := strconv.Unquote(q); err == nil {
					seen[s] = true
				}
			}
		}
	}
	for _, k := range DynamicKeys() {
		seen[k] = true
	}
	return seen
}

// TestEveryKeyIsUsed fails when the English catalogue holds a message that
// no code and no template asks for.
func TestEveryKeyIsUsed(t *testing.T) {
	load()
	seen := literals(t)
	var unused []string
	for k := range entries["en"] {
		if !seen[k] {
			unused = append(unused, k)
		}
	}
	sort.Strings(unused)
	for _, k := range unused {
		t.Errorf("no code or template uses %q", k)
	}
}

// templateCall finds the catalogue calls of templates: t and th with a
// literal key.
var templateCall = regexp.MustCompile("\\b(?:t|th)\\s+(\"(?:[^\"\\\\]|\\\\.)*\"|`[^`]*`)")

// TestEveryTemplateKeyIsCatalogued fails when a template asks for a message
// the English catalogue lacks.
func TestEveryTemplateKeyIsCatalogued(t *testing.T) {
	load()
	for _, file := range templateFiles(t) {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range action.FindAllString(string(b), -1) {
			for _, m := range templateCall.FindAllStringSubmatch(a, -1) {
				k, err := strconv.Unquote(m[1])
				if err != nil {
					continue
				}
				if _, ok := entries["en"][k]; !ok {
					name, _ := filepath.Rel(root, file)
					t.Errorf("%s asks for %q, which the English catalogue lacks", name, k)
				}
			}
		}
	}
}
