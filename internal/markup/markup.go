// Package markup turns reader-written Markdown into safe HTML.
//
// It runs once, at write time; the stored HTML is then served many times.
// Safety comes in layers: goldmark is built without its raw-HTML parsers (so
// tags typed by a reader are shown as text), an AST transformer allowlists
// link and image URLs, and bluemonday re-sanitises the result against a
// strict allowlist in case either of those ever has a bug.
package markup

import (
	"bytes"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// rel is put on every link: readers' links must not pass on search ranking
// (nofollow, ugc) nor get a handle on our window (noopener).
const rel = "nofollow ugc noopener"

// Renderer turns reader Markdown into sanitised HTML. Safe for concurrent use.
type Renderer struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
}

// NewComments returns the renderer for readers' comments: paragraphs,
// emphasis, links, quotes, lists, line breaks and code only.
func NewComments() *Renderer { return newRenderer(false) }

// NewArticle returns the renderer for editors' articles, bios and answers:
// the comment subset plus h2–h4 headings, images and horizontal rules.
func NewArticle() *Renderer { return newRenderer(true) }

func newRenderer(article bool) *Renderer {
	// Without the raw-HTML parsers, "<b>" typed by a reader stays visible
	// text; goldmark's safe mode would silently replace it with a comment.
	// Comments likewise drop the heading and rule parsers, so "# 1 reason"
	// or a line of "---" is shown as typed.
	dropBlocks := []any{parser.NewHTMLBlockParser()}
	if !article {
		dropBlocks = append(dropBlocks, parser.NewATXHeadingParser(), parser.NewSetextHeadingParser(), parser.NewThematicBreakParser())
	}
	p := parser.NewParser(
		parser.WithBlockParsers(without(parser.DefaultBlockParsers(), dropBlocks...)...),
		parser.WithInlineParsers(without(parser.DefaultInlineParsers(), parser.NewRawHTMLParser())...),
		parser.WithParagraphTransformers(parser.DefaultParagraphTransformers()...),
		parser.WithASTTransformers(util.Prioritized(transformer{article: article}, 100)),
	)
	var rendering []renderer.Option
	if !article {
		// Readers type comments like messages: a new line is a line break.
		// Editors' Markdown wraps lines for legibility, as Markdown intends.
		rendering = append(rendering, html.WithHardWraps())
	}
	md := goldmark.New(
		goldmark.WithParser(p),
		// Linkify only what we would keep anyway (it also links ftp: by default).
		goldmark.WithExtensions(extension.NewLinkify(extension.WithLinkifyAllowedProtocols([]string{"http:", "https:"}))),
		// Typographer stays off: readers' quotes are kept as typed.
		goldmark.WithRendererOptions(rendering...),
	)
	return &Renderer{md: md, policy: newPolicy(article)}
}

// without returns list minus the entries of the same type as one of drop.
func without(list []util.PrioritizedValue, drop ...any) []util.PrioritizedValue {
	return slices.DeleteFunc(list, func(v util.PrioritizedValue) bool {
		return slices.ContainsFunc(drop, func(d any) bool { return reflect.TypeOf(d) == reflect.TypeOf(v.Value) })
	})
}

// newPolicy allows exactly what the goldmark side can produce. bluemonday
// checks URL schemes only with RequireParseableURLs; the regexps also keep
// relative hrefs out where the article policy must allow relative img srcs.
func newPolicy(article bool) *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "em", "strong", "blockquote", "ul", "ol", "li", "br", "code", "pre")
	p.AllowAttrs("href").Matching(regexp.MustCompile(`^(?i:https?://|mailto:)`)).OnElements("a")
	p.AllowAttrs("rel").Matching(regexp.MustCompile(`^` + regexp.QuoteMeta(rel) + `$`)).OnElements("a")
	// "2019. What a year" must keep its number.
	p.AllowAttrs("start").Matching(regexp.MustCompile(`^[0-9]{1,9}$`)).OnElements("ol")
	p.RequireParseableURLs(true)
	p.AllowURLSchemes("http", "https", "mailto")
	if article {
		p.AllowElements("h2", "h3", "h4", "hr")
		p.AllowAttrs("src").Matching(regexp.MustCompile(`^(?i:https?://|/([^/\\]|$))`)).OnElements("img")
		p.AllowAttrs("alt").OnElements("img")
		p.AllowRelativeURLs(true)
	}
	return p
}

// Render converts src to sanitised HTML without trailing whitespace. Empty
// or whitespace-only input gives "".
func (r *Renderer) Render(src string) string {
	// goldmark and bluemonday both pass invalid UTF-8 through to the output.
	b := []byte(src)
	if !utf8.Valid(b) {
		b = bytes.ToValidUTF8(b, []byte("\uFFFD"))
	}
	var buf bytes.Buffer
	// Writing to a bytes.Buffer cannot fail, so neither can Convert.
	_ = r.md.Convert(b, &buf)
	return string(bytes.TrimSpace(r.policy.SanitizeBytes(buf.Bytes())))
}

// transformer enforces the URL rules and the element subset on the AST, so
// that goldmark's own output is already what we want to store.
type transformer struct{ article bool }

func (t transformer) Transform(doc *ast.Document, reader text.Reader, _ parser.Context) {
	src := reader.Source()
	// Collect first: the nodes are rewritten below, which ast.Walk does not
	// survive. Document order means a link is handled before anything in it.
	var nodes []ast.Node
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		switch n.Kind() {
		case ast.KindLink, ast.KindAutoLink, ast.KindImage, ast.KindHeading, ast.KindFencedCodeBlock:
			if entering {
				nodes = append(nodes, n)
			}
		}
		return ast.WalkContinue, nil
	})
	for _, n := range nodes {
		switch n := n.(type) {
		case *ast.Heading: // only parsed for articles
			n.Level = min(max(n.Level, 2), 4)
		case *ast.FencedCodeBlock:
			n.Info = nil // no class="language-…"
		case *ast.Image:
			u := util.URLEscape(n.Destination, true)
			if t.article && imageOK(u) {
				n.Title = nil
				continue
			}
			// Not allowed as an image: show a link to it instead, labelled
			// with the alt text (or the URL, below, when that is empty).
			link := ast.NewLink()
			link.Destination = n.Destination
			for c := n.FirstChild(); c != nil; c = n.FirstChild() {
				link.AppendChild(link, c)
			}
			n.Parent().ReplaceChild(n.Parent(), n, link)
			fixLink(link, u, src)
		case *ast.Link:
			n.Title = nil
			fixLink(n, util.URLEscape(n.Destination, true), src)
		case *ast.AutoLink:
			u := n.URL(src)
			if n.AutoLinkType == ast.AutoLinkEmail && !bytes.HasPrefix(bytes.ToLower(u), []byte("mailto:")) {
				u = append([]byte("mailto:"), u...)
			}
			fixLink(n, util.URLEscape(u, false), src)
		}
	}
}

// fixLink gives link n, pointing at u as goldmark will print it, the rel
// attribute, or replaces it by its text when u is not allowed or when n
// sits inside another link (which HTML does not allow).
func fixLink(n ast.Node, u, src []byte) {
	if n.Kind() == ast.KindLink && n.ChildCount() == 0 {
		n.AppendChild(n, rawString(u)) // [](url) or ![](url): the URL is the text
	}
	if linkOK(u) && !insideLink(n) {
		n.SetAttributeString("rel", []byte(rel))
		return
	}
	parent := n.Parent()
	if a, ok := n.(*ast.AutoLink); ok {
		parent.ReplaceChild(parent, n, rawString(a.Label(src)))
		return
	}
	for c := n.FirstChild(); c != nil; c = n.FirstChild() {
		parent.InsertBefore(parent, n, c)
	}
	parent.RemoveChild(parent, n)
}

func rawString(s []byte) *ast.String {
	str := ast.NewString(s)
	str.SetRaw(true) // HTML-escaped, but Markdown escapes are not resolved again
	return str
}

func insideLink(n ast.Node) bool {
	for p := n.Parent(); p != nil; p = p.Parent() {
		if p.Kind() == ast.KindLink || p.Kind() == ast.KindAutoLink {
			return true
		}
	}
	return false
}

// linkOK allows absolute http(s) URLs with a host, and mailto.
func linkOK(u []byte) bool {
	p, err := url.Parse(string(u))
	if err != nil {
		return false
	}
	switch {
	case p.Scheme == "mailto":
		return p.Opaque != ""
	case p.Scheme == "http" || p.Scheme == "https":
		// Insist on the "//" too: browsers read "https:evil.com" in odd ways.
		return p.Host != "" && bytes.HasPrefix(bytes.ToLower(u), []byte(p.Scheme+"://"))
	}
	return false
}

// imageOK allows absolute http(s) URLs and site paths. "//host" is another
// host to a browser, and so is "/\host" (goldmark escapes the "\" anyway).
func imageOK(u []byte) bool {
	if len(u) > 0 && u[0] == '/' {
		return len(u) == 1 || (u[1] != '/' && u[1] != '\\')
	}
	return linkOK(u) && !bytes.HasPrefix(bytes.ToLower(u), []byte("mailto:"))
}
