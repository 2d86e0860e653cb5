package markup

import (
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"golang.org/x/net/html"
)

const link = ` rel="nofollow ugc noopener"`

type renderCase struct {
	name, in, want string
}

func runCases(t *testing.T, r *Renderer, article bool, cases []renderCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := r.Render(c.in)
			if got != c.want {
				t.Errorf("Render(%q)\n got %q\nwant %q", c.in, got, c.want)
			}
			checkSafe(t, r, got, article)
		})
	}
}

// checkSafe asserts the invariants every stored HTML must hold, whatever the
// input: only allowed elements and attributes, exact rel, allowed URLs, no
// trailing whitespace, and a fixed point of the sanitiser.
func checkSafe(t *testing.T, r *Renderer, out string, article bool) {
	t.Helper()
	if strings.TrimRight(out, " \t\r\n") != out {
		t.Errorf("got trailing whitespace in %q, want none", out)
	}
	allowed := map[string][]string{
		"p": nil, "em": nil, "strong": nil, "blockquote": nil, "ul": nil, "ol": {"start"},
		"li": nil, "br": nil, "code": nil, "pre": nil, "a": {"href", "rel"},
	}
	if article {
		allowed["h2"], allowed["h3"], allowed["h4"], allowed["hr"] = nil, nil, nil, nil
		allowed["img"] = []string{"src", "alt"}
	}
	z := html.NewTokenizer(strings.NewReader(out))
	for tt := z.Next(); tt != html.ErrorToken; tt = z.Next() {
		switch tt {
		case html.CommentToken, html.DoctypeToken:
			t.Errorf("got %q in %q, want no comments or doctypes", z.Token(), out)
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			attrs, ok := allowed[tok.Data]
			if !ok {
				t.Errorf("got element <%s> in %q, want only allowed elements", tok.Data, out)
			}
			for _, a := range tok.Attr {
				switch {
				case !contains(attrs, a.Key):
					t.Errorf("got attribute %s on <%s> in %q, want none", a.Key, tok.Data, out)
				case a.Key == "rel" && a.Val != "nofollow ugc noopener":
					t.Errorf("got rel=%q, want %q", a.Val, "nofollow ugc noopener")
				case a.Key == "href" && !hasAnyPrefix(strings.ToLower(a.Val), "http://", "https://", "mailto:"):
					t.Errorf("got href=%q, want http(s) or mailto", a.Val)
				case a.Key == "src" && !(hasAnyPrefix(strings.ToLower(a.Val), "http://", "https://", "/") && !strings.HasPrefix(a.Val, "//")):
					t.Errorf("got src=%q, want http(s) or a site path", a.Val)
				}
			}
			// Links to the site's own pages alone go without rel.
			if tok.Data == "a" && len(tok.Attr) != 2 && (len(tok.Attr) != 1 || tok.Attr[0].Key != "href" || !r.opts.ownPage(tok.Attr[0].Val)) {
				t.Errorf("got <a> with %v in %q, want exactly href and rel", tok.Attr, out)
			}
		}
	}
	if again := r.policy.Sanitize(out); again != out {
		t.Errorf("sanitising the output again changed it:\n got %q\nwant %q", again, out)
	}
}

// checkOwnImages asserts that every image in out is one of the site's own
// media files.
func checkOwnImages(t *testing.T, out, site string) {
	t.Helper()
	z := html.NewTokenizer(strings.NewReader(out))
	for tt := z.Next(); tt != html.ErrorToken; tt = z.Next() {
		tok := z.Token()
		if tok.Data != "img" {
			continue
		}
		for _, a := range tok.Attr {
			if a.Key != "src" {
				continue
			}
			name, ok := strings.CutPrefix(a.Val, "/media/")
			if !ok {
				name, ok = strings.CutPrefix(strings.ToLower(a.Val), site+"/media/")
			}
			if !ok || name == "" || strings.ContainsAny(name, "/\\%?#") || strings.HasPrefix(name, ".") {
				t.Errorf("got src=%q in %q, want a file under /media/ or %s/media/", a.Val, out, site)
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func hasAnyPrefix(s string, prefixes ...string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

func TestCommentsAllowed(t *testing.T) {
	runCases(t, NewComments(), false, []renderCase{
		{"paragraphs", "one\n\ntwo", "<p>one</p>\n<p>two</p>"},
		{"emphasis", "*em* _em_ **strong** __strong__", "<p><em>em</em> <em>em</em> <strong>strong</strong> <strong>strong</strong></p>"},
		{"intraword emphasis", "un*believ*able", "<p>un<em>believ</em>able</p>"},
		{"link", "[Parley](https://parley.example/about)", `<p><a href="https://parley.example/about"` + link + `>Parley</a></p>`},
		{"blockquote", "> quoted\n> still", "<blockquote>\n<p>quoted<br>\nstill</p>\n</blockquote>"},
		{"unordered list", "- a\n- b", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>"},
		{"ordered list", "1. a\n2. b", "<ol>\n<li>a</li>\n<li>b</li>\n</ol>"},
		{"nested list", "- a\n  - b", "<ul>\n<li>a\n<ul>\n<li>b</li>\n</ul>\n</li>\n</ul>"},
		{"soft break becomes br", "line one\nline two", "<p>line one<br>\nline two</p>"},
		{"hard break", "hard  \nbreak\\\nslash", "<p>hard<br>\nbreak<br>\nslash</p>"},
		{"CRLF", "a\r\nb", "<p>a<br>\nb</p>"},
		{"inline code", "use `<b>` here", "<p>use <code>&lt;b&gt;</code> here</p>"},
		{"fenced code without class", "```go\nif a < b {}\n```", "<pre><code>if a &lt; b {}\n</code></pre>"},
		{"indented code", "    x := 1", "<pre><code>x := 1\n</code></pre>"},
		// Typographer off: quotes, dashes and dots stay as typed (bluemonday
		// writes " and ' as numeric references).
		{"typographer off", `"quoted" it's -- ...`, "<p>&#34;quoted&#34; it&#39;s -- ...</p>"},
	})
}

func TestCommentsDisallowed(t *testing.T) {
	runCases(t, NewComments(), false, []renderCase{
		{"image becomes link with alt", "![a chart](https://x.example/c.png)", `<p><a href="https://x.example/c.png"` + link + `>a chart</a></p>`},
		{"image without alt shows URL", "![](https://x.example/c.png)", `<p><a href="https://x.example/c.png"` + link + `>https://x.example/c.png</a></p>`},
		{"image with bad URL keeps alt", "![chart](javascript:alert(1))", "<p>chart</p>"},
		{"image inside link is not a nested link", "[see ![c](https://x.example/c.png)](https://e.example)", `<p><a href="https://e.example"` + link + `>see c</a></p>`},
		{"ATX heading", "# Title", "<p># Title</p>"},
		{"ATX heading h3", "### Title", "<p>### Title</p>"},
		{"setext heading", "Title\n===", "<p>Title<br>\n===</p>"},
		{"setext h2 / rule", "Title\n---", "<p>Title<br>\n---</p>"},
		{"rule", "a\n\n---\n\nb", "<p>a</p>\n<p>---</p>\n<p>b</p>"},
		{"table", "| a | b |\n|---|---|\n| 1 | 2 |", "<p>| a | b |<br>\n|---|---|<br>\n| 1 | 2 |</p>"},
		{"strikethrough", "~~no~~", "<p>~~no~~</p>"},
		{"raw inline HTML shown", "I <3 this <b>so</b> much", "<p>I &lt;3 this &lt;b&gt;so&lt;/b&gt; much</p>"},
		{"raw HTML block shown", "<div>\nblock\n</div>", "<p>&lt;div&gt;<br>\nblock<br>\n&lt;/div&gt;</p>"},
		{"HTML comment shown", "<!-- hidden -->", "<p>&lt;!-- hidden --&gt;</p>"},
		{"processing instruction and CDATA shown", "<?php ?> <![CDATA[x]]>", "<p>&lt;?php ?&gt; &lt;![CDATA[x]]&gt;</p>"},
		{"link title dropped", `[a](https://e.example "title")`, `<p><a href="https://e.example"` + link + `>a</a></p>`},
		// bluemonday drops start="…" as it is not in the allowlist.
		{"ordered list start", "3. three\n4. four", "<ol start=\"3\">\n<li>three</li>\n<li>four</li>\n</ol>"},
	})
}

func TestLinks(t *testing.T) {
	runCases(t, NewComments(), false, []renderCase{
		{"http", "[a](http://e.example)", `<p><a href="http://e.example"` + link + `>a</a></p>`},
		{"mailto", "[mail](mailto:ed@e.example)", `<p><a href="mailto:ed@e.example"` + link + `>mail</a></p>`},
		{"scheme case", "[a](HTTPS://E.EXAMPLE/X)", `<p><a href="https://E.EXAMPLE/X"` + link + `>a</a></p>`},
		{"reference", "[a][1]\n\n[1]: https://e.example", `<p><a href="https://e.example"` + link + `>a</a></p>`},
		{"angle autolink", "<https://e.example>", `<p><a href="https://e.example"` + link + `>https://e.example</a></p>`},
		{"angle email", "<ed@e.example>", `<p><a href="mailto:ed@e.example"` + link + `>ed@e.example</a></p>`},
		{"linkify URL", "see https://e.example/a?b=1&c=2.", `<p>see <a href="https://e.example/a?b=1&amp;c=2"` + link + `>https://e.example/a?b=1&amp;c=2</a>.</p>`},
		{"linkify www", "www.e.example", `<p><a href="http://www.e.example"` + link + `>www.e.example</a></p>`},
		{"linkify email", "write to ed@e.example", `<p>write to <a href="mailto:ed@e.example"` + link + `>ed@e.example</a></p>`},
		{"linkify skips ftp", "ftp://e.example", "<p>ftp://e.example</p>"},
		{"empty text shows URL", "[](https://e.example)", `<p><a href="https://e.example"` + link + `>https://e.example</a></p>`},
		{"unicode path escaped", "[Straße](https://de.wikipedia.org/wiki/Straße)", `<p><a href="https://de.wikipedia.org/wiki/Stra%C3%9Fe"` + link + `>Straße</a></p>`},
		{"javascript", "[a](javascript:alert(1))", "<p>a</p>"},
		{"javascript mixed case", "[a](JaVaScRiPt:alert(1))", "<p>a</p>"},
		{"data", "[a](data:text/html;base64,PHNjcmlwdD4=)", "<p>a</p>"},
		{"vbscript", "[a](vbscript:msgbox)", "<p>a</p>"},
		{"file", "[a](file:///etc/passwd)", "<p>a</p>"},
		{"relative", "[a](/about)", "<p>a</p>"},
		{"relative no slash", "[a](about.html)", "<p>a</p>"},
		{"fragment", "[a](#top)", "<p>a</p>"},
		{"protocol-relative", "[a](//evil.example)", "<p>a</p>"},
		{"scheme without slashes", "[a](https:evil.example)", "<p>a</p>"},
		{"backslashes", `[a](http:\\evil.example)`, "<p>a</p>"},
		{"no host", "[a](https://)", "<p>a</p>"},
		{"empty mailto", "[a](mailto:)", "<p>a</p>"},
		{"bad angle autolink kept as text", "<javascript:alert(1)>", "<p>javascript:alert(1)</p>"},
		{"bad link with empty text shows URL as text", "[](javascript:alert(1))", "<p>javascript:alert(1)</p>"},
	})
}

func TestXSS(t *testing.T) {
	runCases(t, NewComments(), false, []renderCase{
		{"script tag", "<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"},
		{"script block", "<script>\nalert(1)\n</script>", "<p>&lt;script&gt;<br>\nalert(1)<br>\n&lt;/script&gt;</p>"},
		{"onerror", "<img src=x onerror=alert(1)>", "<p>&lt;img src=x onerror=alert(1)&gt;</p>"},
		{"raw anchor", `<a href="javascript:alert(1)">x</a>`, "<p>&lt;a href=&#34;javascript:alert(1)&#34;&gt;x&lt;/a&gt;</p>"},
		{"raw anchor https", `<a href="https://e.example">x</a>`, "<p>&lt;a href=&#34;https://e.example&#34;&gt;x&lt;/a&gt;</p>"},
		{"javascript inline", "[x](javascript:alert(document.cookie))", "<p>x</p>"},
		{"javascript reference", "[x][evil]\n\n[evil]: javascript:alert(1)", "<p>x</p>"},
		{"javascript collapsed reference", "[evil][]\n\n[evil]: javascript:alert(1) \"t\"", "<p>evil</p>"},
		{"javascript angle destination", "[x](<javascript:alert(1)>)", "<p>x</p>"},
		{"entity j", "[x](&#106;avascript:alert(1))", "<p>x</p>"},
		{"hex entity j", "[x](&#x6A;avascript:alert(1))", "<p>x</p>"},
		{"entity colon", "[x](javascript&#58;alert(1))", "<p>x</p>"},
		{"named entity colon", "[x](javascript&colon;alert(1))", "<p>x</p>"},
		{"entity tab", "[x](java&#9;script:alert(1))", "<p>x</p>"},
		{"escaped colon", `[x](javascript\:alert(1))`, "<p>x</p>"},
		{"entities in text stay text", "&lt;b&gt; &amp; &#60;script&#62;", "<p>&lt;b&gt; &amp; &lt;script&gt;</p>"},
		{"quote breakout in URL", `[x](https://e.example/"onmouseover="alert(1))`, `<p><a href="https://e.example/%22onmouseover=%22alert(1)"` + link + `>x</a></p>`},
		{"quote breakout in title", `[x](https://e.example "t\" onmouseover=\"alert(1)")`, `<p><a href="https://e.example"` + link + `>x</a></p>`},
		{"quote breakout in autolink", `<https://e.example/"onmouseover="alert(1)">`, `<p><a href="https://e.example/%22onmouseover=%22alert(1)%22"` + link + `>https://e.example/&#34;onmouseover=&#34;alert(1)&#34;</a></p>`},
		{"nested markdown in link", "[**bold** `code` *em*](https://e.example)", `<p><a href="https://e.example"` + link + `><strong>bold</strong> <code>code</code> <em>em</em></a></p>`},
		{"nested markdown in bad link", "[**bold** text](javascript:alert(1))", "<p><strong>bold</strong> text</p>"},
		{"link in link", "[[x](javascript:y)](https://e.example)", `<p>[x](<a href="https://e.example"` + link + `>https://e.example</a>)</p>`},
		{"HTML in link text", "[<img src=x onerror=alert(1)>](https://e.example)", `<p><a href="https://e.example"` + link + `>&lt;img src=x onerror=alert(1)&gt;</a></p>`},
		{"HTML in emphasis", "**<script>**", "<p><strong>&lt;script&gt;</strong></p>"},
		{"HTML in code block", "```\n</code></pre><script>x</script>\n```", "<pre><code>&lt;/code&gt;&lt;/pre&gt;&lt;script&gt;x&lt;/script&gt;\n</code></pre>"},
		{"style tag", "<style>*{display:none}</style>", "<p>&lt;style&gt;*{display:none}&lt;/style&gt;</p>"},
		{"iframe", `<iframe src="https://evil.example"></iframe>`, "<p>&lt;iframe src=&#34;https://evil.example&#34;&gt;&lt;/iframe&gt;</p>"},
		{"NUL byte", "x\x00y", "<p>x\ufffdy</p>"},
		{"bare javascript text", "javascript:alert(1)", "<p>javascript:alert(1)</p>"},
	})
}

func TestArticle(t *testing.T) {
	runCases(t, NewArticle(), true, []renderCase{
		{"h1 becomes h2", "# Title", "<h2>Title</h2>"},
		{"setext h1 becomes h2", "Title\n===", "<h2>Title</h2>"},
		{"h2 h3 h4 kept", "## Two\n### Three\n#### Four", "<h2>Two</h2>\n<h3>Three</h3>\n<h4>Four</h4>"},
		{"h5 h6 become h4", "##### Five\n###### Six", "<h4>Five</h4>\n<h4>Six</h4>"},
		{"rule", "a\n\n---\n\nb", "<p>a</p>\n<hr>\n<p>b</p>"},
		{"fenced code without class", "```go\nx := 1\n```", "<pre><code>x := 1\n</code></pre>"},
		{"links as in comments", "[a](/about) [b](https://e.example)", `<p>a <a href="https://e.example"` + link + `>b</a></p>`},
		{"raw HTML shown", "<h1>x</h1>", "<p>&lt;h1&gt;x&lt;/h1&gt;</p>"},
		{"table", "| a |\n|---|\n| 1 |", "<p>| a |\n|---|\n| 1 |</p>"},
	})
}

// With remote images allowed, as before the site's own media became the
// rule: any http(s) address or site path.
func TestArticleRemoteImages(t *testing.T) {
	runCases(t, NewArticle(WithRemoteImages(true)), true, []renderCase{
		{"image https", "![A chart](https://x.example/c.png)", `<p><img src="https://x.example/c.png" alt="A chart"></p>`},
		{"image path", "![logo](/static/logo.png)", `<p><img src="/static/logo.png" alt="logo"></p>`},
		{"image title dropped", `![a](/a.png "title")`, `<p><img src="/a.png" alt="a"></p>`},
		{"image alt is plain text", "![*big* chart](/a.png)", `<p><img src="/a.png" alt="big chart"></p>`},
		{"image protocol-relative becomes text", "![a](//evil.example/x.png)", "<p>a</p>"},
		{"image relative becomes text", "![a](x.png)", "<p>a</p>"},
		{"image data becomes text", "![a](data:image/png;base64,AAAA)", "<p>a</p>"},
		{"image javascript becomes text", "![a](javascript:alert(1))", "<p>a</p>"},
		{"image mailto becomes link", "![a](mailto:ed@e.example)", `<p><a href="mailto:ed@e.example"` + link + `>a</a></p>`},
		{"linked image", "[![logo](/logo.png)](https://e.example)", `<p><a href="https://e.example"` + link + `><img src="/logo.png" alt="logo"></a></p>`},
	})
}

// By default an article shows only the site's own media: an image from
// anywhere else would be fetched by every reader's browser, telling that site
// who reads what. It becomes a link to the image, labelled with its alt text.
func TestArticleImagesAreTheSitesOwn(t *testing.T) {
	const own = `<p><img src="/media/a.png" alt="a"></p>`
	away := func(url string) string { return `<p><a href="` + url + `"` + link + `>a</a></p>` }
	r := NewArticle(WithSiteURL("https://Parley.example/"))
	runCases(t, r, true, []renderCase{
		{"media file", "![A chart](/media/0123456789abcdef0123456789abcdef.png)",
			`<p><img src="/media/0123456789abcdef0123456789abcdef.png" alt="A chart"></p>`},
		{"media file at the site's address", "![a](https://parley.example/media/a.png)", `<p><img src="https://parley.example/media/a.png" alt="a"></p>`},
		{"site's address in capitals", "![a](HTTPS://PARLEY.EXAMPLE/media/a.png)", `<p><img src="https://PARLEY.EXAMPLE/media/a.png" alt="a"></p>`},
		{"spaces around", "![a]( /media/a.png )", own},
		{"title dropped", `![a](/media/a.png "title")`, own},
		{"escaped dot", `![a](/media/a\.png)`, own},
		{"reference", "![a][1]\n\n[1]: /media/a.png", own},
		{"linked", "[![a](/media/a.png)](https://e.example)", `<p><a href="https://e.example"` + link + `><img src="/media/a.png" alt="a"></a></p>`},

		{"tracking pixel", "![a](https://tracker.example/pixel.gif)", away("https://tracker.example/pixel.gif")},
		{"without alt, the URL is the text", "![](https://tracker.example/pixel.gif)",
			`<p><a href="https://tracker.example/pixel.gif"` + link + `>https://tracker.example/pixel.gif</a></p>`},
		{"scheme in capitals", "![a](HTTPS://TRACKER.example/p.gif)", away("https://TRACKER.example/p.gif")},
		{"reference elsewhere", "![a][1]\n\n[1]: https://evil.example/x.png", away("https://evil.example/x.png")},
		{"inside a link", "[![a](https://evil.example/x.png)](https://e.example)", `<p><a href="https://e.example"` + link + `>a</a></p>`},
		{"media path on another host", "![a](https://evil.example/media/a.png)", away("https://evil.example/media/a.png")},
		{"the site's host as a prefix", "![a](https://parley.example.evil.example/media/a.png)", away("https://parley.example.evil.example/media/a.png")},
		{"the site's host as a user", "![a](https://parley.example@evil.example/media/a.png)", away("https://parley.example@evil.example/media/a.png")},
		{"the site's address in a query", "![a](https://evil.example/?u=https://parley.example/media/a.png)",
			away("https://evil.example/?u=https://parley.example/media/a.png")},
		{"another port", "![a](https://parley.example:8443/media/a.png)", away("https://parley.example:8443/media/a.png")},
		{"another scheme", "![a](http://parley.example/media/a.png)", away("http://parley.example/media/a.png")},
		// Not media, though pages of the site: a link without nofollow.
		{"dot segments at the site's address", "![a](https://parley.example/media/../x.png)", `<p><a href="https://parley.example/media/../x.png">a</a></p>`},
		{"escaped path at the site's address", "![a](https://parley.example/%6Dedia/a.png)", `<p><a href="https://parley.example/%6Dedia/a.png">a</a></p>`},
		{"trailing space in angle brackets", "![a](<https://evil.example/x.png >)", away("https://evil.example/x.png%20")},
		{"leading tab", "![a](\thttps://evil.example/x.png)", away("https://evil.example/x.png")},

		// Site paths that are not a media file, and tricks that leave the
		// site, keep only their alt text: a relative link is not allowed.
		{"backslash", `![a](/\evil.example/x.png)`, "<p>a</p>"},
		{"protocol-relative", "![a](//evil.example/x.png)", "<p>a</p>"},
		{"three slashes", "![a](///evil.example/x.png)", "<p>a</p>"},
		{"host after media", "![a](/media//evil.example/x.png)", "<p>a</p>"},
		{"dot segments", "![a](/media/../x.png)", "<p>a</p>"},
		{"dot dot", "![a](/media/..)", "<p>a</p>"},
		{"no name", "![a](/media/)", "<p>a</p>"},
		{"encoded dots", "![a](/media/%2e%2e/x.png)", "<p>a</p>"},
		{"encoded slash", "![a](/media/..%2Fx.png)", "<p>a</p>"},
		{"encoded slash before the name", "![a](/media%2F..%2Fx.png)", "<p>a</p>"},
		{"encoded slashes after the name", "![a](/media/a.png%2F..%2F..%2Fx)", "<p>a</p>"},
		{"encoded backslashes", "![a](/media/%5C%5Cevil.example)", "<p>a</p>"},
		{"entity slashes", "![a](&#47;&#47;evil.example/x.png)", "<p>a</p>"},
		{"query", "![a](/media/a.png?x=1)", "<p>a</p>"},
		{"fragment", "![a](/media/a.png#x)", "<p>a</p>"},
		{"capital MEDIA", "![a](/MEDIA/a.png)", "<p>a</p>"},
		{"other site path", "![a](/static/logo.png)", "<p>a</p>"},
		{"relative", "![a](media/a.png)", "<p>a</p>"},
		{"no-break space", "![a](/media/a.png\u00a0)", "<p>a</p>"},
		{"data", "![a](data:image/png;base64,AAAA)", "<p>a</p>"},
		{"data without alt", "![](data:image/png;base64,AAAA)", "<p>data:image/png;base64,AAAA</p>"},
		{"data in capitals", "![a](DATA:image/svg+xml,<svg>)", "<p>a</p>"},
		{"javascript", "![a](javascript:alert(1))", "<p>a</p>"},
		{"srcset typed as HTML", `<img src="/media/a.png" srcset="https://evil.example/x.png 2x">`,
			"<p>&lt;img src=&#34;/media/a.png&#34; srcset=&#34;https://evil.example/x.png 2x&#34;&gt;</p>"},
	})
	for _, c := range []string{"![a](https://parley.example/media/a.png)", "![a](/media//evil.example/x.png)", "![](https://e.example/x.png)"} {
		checkOwnImages(t, r.Render(c), "https://parley.example")
	}
}

// Without the site's address, or with one that is not a web address, only
// /media/ paths are the site's own.
func TestArticleImagesWithoutTheSiteURL(t *testing.T) {
	for _, base := range []string{"", "ftp://parley.example", "parley.example", "https://", "https://u@parley.example", "https://parley.example/?x"} {
		r := NewArticle(WithSiteURL(base))
		got := r.Render("![a](https://parley.example/media/a.png) ![b](/media/b.png)")
		want := `<p><a href="https://parley.example/media/a.png"` + link + `>a</a> <img src="/media/b.png" alt="b"></p>`
		if got != want {
			t.Errorf("site %q:\n got %q\nwant %q", base, got, want)
		}
	}
	if got := NewArticle().Render("![a](/media/a.png)"); got != `<p><img src="/media/a.png" alt="a"></p>` {
		t.Errorf("the default: got %q", got)
	}
	// Remote images can be turned back off.
	if got := NewArticle(WithRemoteImages(true), WithRemoteImages(false)).Render("![a](https://e.example/x.png)"); strings.Contains(got, "<img") {
		t.Errorf("remote images turned off again: got %q", got)
	}
}

// The sanitiser must hold on its own, should the goldmark side ever let
// something through. A refused href leaves an inert <a rel> without href.
func TestPolicy(t *testing.T) {
	for _, c := range []struct {
		name    string
		article bool
		in      string
		want    string
	}{
		{"script", false, "<p>a<script>alert(1)</script></p>", "<p>a</p>"},
		{"event handler", false, `<p onclick="x">a</p>`, "<p>a</p>"},
		{"javascript href", false, `<a href="javascript:alert(1)" rel="nofollow ugc noopener">a</a>`, `<a rel="nofollow ugc noopener">a</a>`},
		{"relative href", false, `<a href="/x" rel="nofollow ugc noopener">a</a>`, `<a rel="nofollow ugc noopener">a</a>`},
		{"relative href in article", true, `<a href="/x" rel="nofollow ugc noopener">a</a>`, `<a rel="nofollow ugc noopener">a</a>`},
		{"protocol-relative href", false, `<a href="//evil.example" rel="nofollow ugc noopener">a</a>`, `<a rel="nofollow ugc noopener">a</a>`},
		{"wrong rel", false, `<a href="https://e.example" rel="opener">a</a>`, `<a href="https://e.example">a</a>`},
		{"extra attributes", false, `<a href="https://e.example" rel="nofollow ugc noopener" target="_blank" title="t">a</a>`, `<a href="https://e.example" rel="nofollow ugc noopener">a</a>`},
		{"img in comments", false, `<p><img src="https://x.example/a.png" alt="a"></p>`, "<p></p>"},
		{"headings in comments", false, "<h2>a</h2><hr>", "a"},
		{"img in article", true, `<img src="/a.png" alt="a" onerror="x">`, `<img src="/a.png" alt="a">`},
		{"img protocol-relative", true, `<img src="//evil.example/a.png" alt="a">`, `<img alt="a">`},
		{"img javascript", true, `<img src="javascript:alert(1)">`, ""},
		{"h1 in article", true, "<h1>a</h1><h2>b</h2>", "a<h2>b</h2>"},
		{"class and style", true, `<pre class="x" style="y"><code class="language-go">a</code></pre>`, "<pre><code>a</code></pre>"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := newPolicy(c.article, options{remoteImages: true}).Sanitize(c.in); got != c.want {
				t.Errorf("Sanitize(%q)\n got %q\nwant %q", c.in, got, c.want)
			}
		})
	}
}

// With the site's own media as the rule, the sanitiser enforces it too.
func TestPolicyOwnMedia(t *testing.T) {
	p := newPolicy(true, options{site: "https://parley.example"})
	for _, c := range []struct{ in, want string }{
		{`<img src="/media/a.png" alt="a">`, `<img src="/media/a.png" alt="a">`},
		{`<img src="HTTPS://PARLEY.EXAMPLE/media/a.png" alt="a">`, `<img src="https://PARLEY.EXAMPLE/media/a.png" alt="a">`},
		{`<img src="https://evil.example/x.png" alt="a">`, `<img alt="a">`},
		{`<img src="https://parley.example.evil.example/media/a.png" alt="a">`, `<img alt="a">`},
		{`<img src="//evil.example/x.png" alt="a">`, `<img alt="a">`},
		{`<img src="/media/../x.png" alt="a">`, `<img alt="a">`},
		{`<img src="/media/%2e%2e/x.png" alt="a">`, `<img alt="a">`},
		{`<img src="/media/a.png?x" alt="a">`, `<img alt="a">`},
		{`<img src=" /media/a.png" alt="a">`, `<img alt="a">`},
		{`<img src="/static/logo.png" alt="a">`, `<img alt="a">`},
		{`<img src="data:image/png;base64,AAAA" alt="a">`, `<img alt="a">`},
		{`<img src="/media/a.png" srcset="https://evil.example/x.png 2x" alt="a">`, `<img src="/media/a.png" alt="a">`},
	} {
		if got := p.Sanitize(c.in); got != c.want {
			t.Errorf("Sanitize(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}

func TestUnicode(t *testing.T) {
	for _, in := range []string{
		"Größenwahn ist keine Lösung, sagt Jürgen. Straße, Maß, Äpfel.",
		"Árvíztűrő tükörfúrógép – őszintén szólva ő is ű-t írt.",
		"Η δημοκρατία δεν είναι θέαμα· ΑΘΗΝΑ, ωραία!",
		"Great point 👍🏽 — 🇪🇺 flags, 👨‍👩‍👧 families and ❤️ all survive.",
	} {
		for name, r := range map[string]*Renderer{"comments": NewComments(), "article": NewArticle()} {
			got := r.Render(in)
			if want := "<p>" + in + "</p>"; got != want {
				t.Errorf("%s: Render(%q)\n got %q\nwant %q", name, in, got, want)
			}
		}
	}
	if got, want := NewComments().Render("*Ελληνικά* and **Größe**"), "<p><em>Ελληνικά</em> and <strong>Größe</strong></p>"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := NewComments().Render("bad \xff byte"), "<p>bad \ufffd byte</p>"; got != want {
		t.Errorf("invalid UTF-8: got %q, want %q", got, want)
	}
}

func TestEmpty(t *testing.T) {
	for _, in := range []string{"", " ", "\n\n", " \t\r\n  \n"} {
		for name, r := range map[string]*Renderer{"comments": NewComments(), "article": NewArticle()} {
			if got := r.Render(in); got != "" {
				t.Errorf("%s: Render(%q) got %q, want %q", name, in, got, "")
			}
		}
	}
}

func TestLongInput(t *testing.T) {
	var b strings.Builder
	for i := 0; b.Len() < 5000; i++ {
		b.WriteString("Paragraph with *emphasis*, a [link](https://e.example/p) and ünïcödé.\nSecond line.\n\n- item one\n- item two\n\n> a quote\n\n")
	}
	in := b.String()[:5000]
	got := NewComments().Render(in)
	if !strings.HasPrefix(got, "<p>Paragraph") || strings.Count(got, "<a ") < 20 {
		t.Errorf("Render(5000 chars) got %d bytes starting %q, want many paragraphs and links", len(got), got[:min(len(got), 40)])
	}
	checkSafe(t, NewComments(), got, false)
}

func TestDeterministicAndConcurrent(t *testing.T) {
	r := NewComments()
	want := r.Render(comment)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				if got := r.Render(comment); got != want {
					t.Errorf("got %q, want %q", got, want)
					return
				}
			}
		})
	}
	wg.Wait()
	checkSafe(t, r, want, false)
}

func TestPlainText(t *testing.T) {
	c := NewComments()
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{c.Render("Hello *un*believable [link](https://e.example) world"), "Hello unbelievable link world"},
		{c.Render("one\ntwo\n\n- a\n- b\n\n> q"), "one two a b q"},
		{c.Render("I <3 Q&A & `<b>`"), "I <3 Q&A & <b>"},
		{"<p>a</p><p>b</p>x<br>y", "a b x y"},
		{"<p>  lots \n\n of   space\t</p>", "lots of space"},
		{NewArticle().Render("# Title\n\n![alt](/media/a.png) caption"), "Title caption"},
		{"<p>Ünïcödé 😀</p>", "Ünïcödé 😀"},
	} {
		if got := PlainText(tc.in); got != tc.want {
			t.Errorf("PlainText(%q) got %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestExcerpt(t *testing.T) {
	const h = "<p>Hello, world. Again</p>"
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{h, 100, "Hello, world. Again"},
		{h, 19, "Hello, world. Again"},
		{h, 18, "Hello, world…"},
		{h, 14, "Hello, world…"},
		{h, 13, "Hello…"}, // "Hello, world." plus "…" would be 14
		{h, 7, "Hello…"},
		{h, 6, "Hello…"},
		{h, 5, "Hell…"}, // one word longer than n is cut inside it
		{h, 1, "…"},
		{h, 0, ""},
		{"<p>Árvíztűrő tükörfúrógép</p>", 12, "Árvíztűrő…"},
		{"<p>Ελληνικά κείμενα εδώ</p>", 15, "Ελληνικά…"},
		{"<p>😀 😀 😀 😀</p>", 4, "😀 😀…"},
		{"<p>a</p>\n<p>b</p>", 3, "a b"},
	} {
		got := Excerpt(tc.in, tc.n)
		if got != tc.want {
			t.Errorf("Excerpt(%q, %d) got %q, want %q", tc.in, tc.n, got, tc.want)
		}
		if n := utf8.RuneCountInString(got); n > max(tc.n, 0) {
			t.Errorf("Excerpt(%q, %d) got %d runes, want at most %d", tc.in, tc.n, n, tc.n)
		}
	}
}

func FuzzRender(f *testing.F) {
	for _, s := range []string{comment, "[x](javascript:alert(1))", "<script>x</script>", "![a](//e)", "# h\n\n---", "[a]: /x\n\n[a]"} {
		f.Add(s)
	}
	const site = "https://parley.example"
	comments, article, remote := NewComments(), NewArticle(WithSiteURL(site)), NewArticle(WithRemoteImages(true))
	f.Fuzz(func(t *testing.T, in string) {
		checkSafe(t, comments, comments.Render(in), false)
		out := article.Render(in)
		checkSafe(t, article, out, true)
		checkOwnImages(t, out, site)
		checkSafe(t, remote, remote.Render(in), true)
	})
}

// comment is a realistic 600-character reader comment.
const comment = `> Governments should not set the price of rent; markets do that better.

I disagree, and the evidence is mixed at best. Berlin's rent cap (the *Mietendeckel*) froze rents for 1.5m flats, but listings fell by **half** within a year. See [the DIW study](https://www.diw.de/de/diw_01.c.814345.de/publikationen.html) for the numbers.

What actually helped elsewhere:

- building more social housing (Vienna: ~60% of residents)
- taxing empty flats, as Vancouver did
- faster permits for small builders

So the question isn't *whether* to intervene but how.
More at https://example.org/housing-policy-2024 if you're interested.`

func BenchmarkRenderComment(b *testing.B) {
	r := NewComments()
	b.SetBytes(int64(len(comment)))
	b.ReportAllocs()
	for b.Loop() {
		r.Render(comment)
	}
}

func TestArticleLinesWrapAndCommentLinesBreak(t *testing.T) {
	src := "A sentence wrapped\nover two lines."
	if got, want := NewArticle().Render(src), "<p>A sentence wrapped\nover two lines.</p>"; got != want {
		t.Errorf("article: got %q, want %q", got, want)
	}
	if got, want := NewComments().Render(src), "<p>A sentence wrapped<br>\nover two lines.</p>"; got != want {
		t.Errorf("comment: got %q, want %q", got, want)
	}
}

func TestOrderedListKeepsItsStart(t *testing.T) {
	if got, want := NewComments().Render("2019. What a year"), `<ol start="2019">`; !strings.HasPrefix(got, want) {
		t.Errorf("got %q, want it to start with %q", got, want)
	}
}

// Links to the site's own pages (mentions link to the comment they name)
// are the site's: no nofollow. Look-alike hosts and paths are not.
func TestOwnLinksAreFollowed(t *testing.T) {
	r := NewComments(WithSiteURL("https://debate.example.org"))
	for _, tc := range []struct{ src, want string }{
		{"[@Ana](https://debate.example.org/comments/4)", `<a href="https://debate.example.org/comments/4">@Ana</a>`},
		{"https://DEBATE.example.org/debates/x", `<a href="https://DEBATE.example.org/debates/x">`},
		{"https://debate.example.org.evil.example/x", `rel="nofollow ugc noopener"`},
		{"https://evil.example/https://debate.example.org/", `rel="nofollow ugc noopener"`},
		{"http://debate.example.org:8080/x", `rel="nofollow ugc noopener"`},
		{"[x](https://user@debate.example.org/x)", `rel="nofollow ugc noopener"`},
	} {
		if got := r.Render(tc.src); !strings.Contains(got, tc.want) {
			t.Errorf("Render(%q) = %q, want it to contain %q", tc.src, got, tc.want)
		}
	}
	if got := NewComments().Render("https://debate.example.org/x"); !strings.Contains(got, `rel="nofollow ugc noopener"`) {
		t.Errorf("without the site's address every link is nofollow: %q", got)
	}
}
