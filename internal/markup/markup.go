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
	"strings"
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
	opts   options
}

// NewComments returns the renderer for readers' comments: paragraphs,
// emphasis, links, quotes, lists, line breaks and code only. With
// WithSiteURL, links to the site's own pages (a mention links to the
// comment it names) are not marked nofollow: they are the site's own.
func NewComments(opts ...Option) *Renderer {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	return newRenderer(false, o)
}

// NewArticle returns the renderer for editors' articles, bios and answers:
// the comment subset plus h2–h4 headings, images and horizontal rules.
//
// Images come only from the site's own media (/media/NAME) unless
// WithRemoteImages says otherwise: every reader's browser fetches an image,
// so one from elsewhere tells that site who reads what. Any other image is
// shown as a link to it, labelled with its alt text, so that an editor sees
// at once that it was not embedded and where it pointed, and a reader can
// still choose to open it.
func NewArticle(opts ...Option) *Renderer {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	return newRenderer(true, o)
}

// Option changes what NewArticle or NewComments allows.
type Option func(*options)

type options struct {
	// site is the site's address as scheme://host[:port] (and any path),
	// or "" when not known.
	site         string
	remoteImages bool
}

// WithSiteURL gives the site's public address, so that images at absolute
// addresses of its own media count as its own, and links to its pages carry
// no nofollow. An address that is not http(s) with a host is ignored.
func WithSiteURL(base string) Option {
	return func(o *options) {
		u, err := url.Parse(strings.TrimSpace(base))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
			u.RawQuery != "" || u.Fragment != "" {
			o.site = ""
			return
		}
		o.site = u.Scheme + "://" + strings.ToLower(u.Host) + strings.TrimRight(u.EscapedPath(), "/")
	}
}

// WithRemoteImages lets articles show images from any http(s) address and
// from any path on the site, not only the site's own media.
func WithRemoteImages(allow bool) Option {
	return func(o *options) { o.remoteImages = allow }
}

func newRenderer(article bool, o options) *Renderer {
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
		parser.WithASTTransformers(util.Prioritized(transformer{article: article, opts: o}, 100)),
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
	return &Renderer{md: md, policy: newPolicy(article, o), opts: o}
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
func newPolicy(article bool, o options) *bluemonday.Policy {
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
		src := regexp.MustCompile(`^(?i:https?://|/([^/\\]|$))`)
		if !o.remoteImages {
			src = regexp.MustCompile(`^(?:(?i:` + regexp.QuoteMeta(o.site) + `))?/media/` + mediaName.String()[1:])
		}
		p.AllowAttrs("src").Matching(src).OnElements("img")
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
type transformer struct {
	article bool
	opts    options
}

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
			if t.article && t.opts.imageOK(u) {
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
			fixLink(link, u, src, t.opts)
		case *ast.Link:
			n.Title = nil
			fixLink(n, util.URLEscape(n.Destination, true), src, t.opts)
		case *ast.AutoLink:
			u := n.URL(src)
			if n.AutoLinkType == ast.AutoLinkEmail && !bytes.HasPrefix(bytes.ToLower(u), []byte("mailto:")) {
				u = append([]byte("mailto:"), u...)
			}
			fixLink(n, util.URLEscape(u, false), src, t.opts)
		}
	}
}

// fixLink gives link n, pointing at u as goldmark will print it, the rel
// attribute (none for the site's own pages), or replaces it by its text when
// u is not allowed or when n sits inside another link (which HTML does not allow).
func fixLink(n ast.Node, u, src []byte, o options) {
	if n.Kind() == ast.KindLink && n.ChildCount() == 0 {
		n.AppendChild(n, rawString(u)) // [](url) or ![](url): the URL is the text
	}
	if linkOK(u) && !insideLink(n) {
		if !o.ownPage(string(u)) {
			n.SetAttributeString("rel", []byte(rel))
		}
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

// ownPage reports whether u, an absolute http(s) URL, is a page of the
// site: its scheme and host, and a path under the site's.
func (o options) ownPage(u string) bool {
	if o.site == "" {
		return false
	}
	p, err := url.Parse(u)
	if err != nil || p.User != nil || (p.Scheme != "http" && p.Scheme != "https") {
		return false
	}
	page := p.Scheme + "://" + strings.ToLower(p.Host) + p.EscapedPath()
	return page == o.site || strings.HasPrefix(page, o.site+"/")
}

// imageOK allows the site's own media and, with remote images, absolute
// http(s) URLs and site paths. "//host" is another host to a browser, and so
// is "/\host" (goldmark escapes the "\" anyway).
func (o options) imageOK(u []byte) bool {
	if !o.remoteImages {
		return o.ownMedia(string(u))
	}
	if len(u) > 0 && u[0] == '/' {
		return len(u) == 1 || (u[1] != '/' && u[1] != '\\')
	}
	return linkOK(u) && !bytes.HasPrefix(bytes.ToLower(u), []byte("mailto:"))
}

// mediaName is a file name the media folder could hold, as one path
// segment: no slash, backslash or percent escape, and no leading dot, so no
// "..". Names made by the media folder are hex digits and an extension.
var mediaName = regexp.MustCompile(`^[A-Za-z0-9_-][A-Za-z0-9._-]*$`)

// ownMedia reports whether u, as goldmark will print it, is a file of the
// site's media: /media/NAME, or the same under the site's address.
func (o options) ownMedia(u string) bool {
	if o.site != "" && len(u) > len(o.site) && strings.EqualFold(u[:len(o.site)], o.site) {
		u = u[len(o.site):]
	}
	name, ok := strings.CutPrefix(u, "/media/")
	return ok && mediaName.MatchString(name)
}
