// Package i18n holds Parley's message catalogues: every sentence a person sees,
// in every language the interface speaks, with plural rules, numbers and
// dates formatted per language.
//
// A message's key is its English text, as in gettext and
// golang.org/x/text/message: templates read as the page reads, and a domain
// error's English message is its own key. Messages with values are
// fmt formats ("%d comments", "Reply to %s"); the English catalogue lists
// every key, and every other catalogue must translate every key (the tests
// say which are missing or unused).
//
// Catalogues are JSON files in locales/, one per area and language
// (web.de.json): a key maps to its translation, or, for a message with a
// count, to one text per plural form of that language ({"one": …,
// "other": …}); the count is always the message's first value.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"html"
	"html/template"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

//go:embed locales/*.json
var locales embed.FS

// Lang is one language of the interface.
type Lang struct {
	// Code is the language's ISO 639-1 code, as in <html lang> and ?lang=.
	Code string
	// Name is the language's name in itself ("Deutsch"), for the switcher.
	Name string
	Tag  language.Tag
	p    *message.Printer
	// names names other languages in this one ("Spanisch").
	names display.Namer
}

// endonyms lists the EU's languages by their names in themselves; a
// language is offered once its catalogues exist.
var endonyms = map[string]string{
	"bg": "Български", "cs": "Čeština", "da": "Dansk", "de": "Deutsch", "el": "Ελληνικά",
	"en": "English", "es": "Español", "et": "Eesti", "fi": "Suomi", "fr": "Français",
	"ga": "Gaeilge", "hr": "Hrvatski", "hu": "Magyar", "it": "Italiano", "lt": "Lietuvių",
	"lv": "Latviešu", "mt": "Malti", "nl": "Nederlands", "pl": "Polski", "pt": "Português",
	"ro": "Română", "sk": "Slovenčina", "sl": "Slovenščina", "sv": "Svenska",
}

// entry is one catalogue entry: a text, or one text per plural form.
type entry struct {
	text   string
	plural map[string]string
}

func (e *entry) UnmarshalJSON(b []byte) error {
	if err := json.Unmarshal(b, &e.text); err == nil {
		return nil
	}
	if err := json.Unmarshal(b, &e.plural); err != nil || len(e.plural) == 0 {
		return fmt.Errorf("want a text or an object of plural forms, got %s", b)
	}
	return nil
}

// catalogue is every language's entries, by language code and key.
type catalogue map[string]map[string]entry

var (
	loadOnce sync.Once
	langs    []*Lang
	byCode   map[string]*Lang
	matcher  language.Matcher
	entries  catalogue
	formats  []*format
	loadErr  error
)

// load reads the embedded catalogues once. A broken catalogue is a
// programming error that the tests catch; at run time it panics on first use.
func load() {
	loadOnce.Do(func() {
		entries, loadErr = readCatalogues(locales)
		if loadErr != nil {
			return
		}
		loadErr = build()
	})
	if loadErr != nil {
		panic("i18n: " + loadErr.Error())
	}
}

func readCatalogues(fsys fs.FS) (catalogue, error) {
	files, err := fs.Glob(fsys, "locales/*.json")
	if err != nil {
		return nil, err
	}
	c := catalogue{}
	for _, f := range files {
		// web.de.json: area "web", language "de".
		parts := strings.Split(strings.TrimSuffix(path.Base(f), ".json"), ".")
		if len(parts) != 2 || endonyms[parts[1]] == "" {
			return nil, fmt.Errorf("%s: want AREA.LANG.json with an EU language code", f)
		}
		b, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		var m map[string]entry
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		code := parts[1]
		if c[code] == nil {
			c[code] = map[string]entry{}
		}
		for k, e := range m {
			if _, dup := c[code][k]; dup {
				return nil, fmt.Errorf("%s: %q is in another %s catalogue too", f, k, code)
			}
			c[code][k] = e
		}
	}
	if len(c["en"]) == 0 {
		return nil, fmt.Errorf("no English catalogue")
	}
	return c, nil
}

func build() error {
	b := catalog.NewBuilder(catalog.Fallback(language.English))
	byCode = map[string]*Lang{}
	codes := make([]string, 0, len(entries))
	for code := range entries {
		codes = append(codes, code)
	}
	// English first: the matcher's default is its first language.
	sort.Slice(codes, func(i, j int) bool {
		if codes[i] == "en" || codes[j] == "en" {
			return codes[i] == "en"
		}
		return codes[i] < codes[j]
	})
	var tags []language.Tag
	for _, code := range codes {
		tag := language.MustParse(code)
		for key, e := range entries[code] {
			var err error
			if e.plural != nil {
				cases := []any{}
				for _, form := range pluralForms {
					if text, ok := e.plural[form]; ok {
						cases = append(cases, form, text)
					}
				}
				err = b.Set(tag, key, plural.Selectf(1, "", cases...))
			} else {
				err = b.SetString(tag, key, e.text)
			}
			if err != nil {
				return fmt.Errorf("%s %q: %w", code, key, err)
			}
		}
		l := &Lang{Code: code, Name: endonyms[code], Tag: tag, names: display.Languages(tag)}
		byCode[code] = l
		langs = append(langs, l)
		tags = append(tags, tag)
	}
	for _, l := range langs {
		l.p = message.NewPrinter(l.Tag, message.Catalog(b))
	}
	matcher = language.NewMatcher(tags)
	for key, e := range entries["en"] {
		formats = append(formats, newFormats(key, e)...)
	}
	// The longest literal wins when several formats read the same sentence.
	sort.Slice(formats, func(i, j int) bool {
		if formats[i].literal != formats[j].literal {
			return formats[i].literal > formats[j].literal
		}
		return formats[i].key < formats[j].key
	})
	return nil
}

// pluralForms are CLDR's plural categories, in the order cases are tried.
var pluralForms = []string{"zero", "one", "two", "few", "many", "other"}

// PluralForms returns the plural categories a language's counts take, and
// "other" (for fractions), so that a test can check that each plural message
// gives a text for each.
func PluralForms(code string) []string {
	tag := language.MustParse(code)
	seen := map[plural.Form]bool{}
	for n := range 1000 {
		seen[plural.Cardinal.MatchPlural(tag, n, 0, 0, 0, 0)] = true
	}
	var forms []string
	for i, f := range []plural.Form{plural.Zero, plural.One, plural.Two, plural.Few, plural.Many, plural.Other} {
		if seen[f] || f == plural.Other {
			forms = append(forms, pluralForms[i])
		}
	}
	return forms
}

// All returns every language of the interface: English, then the others by code.
func All() []*Lang {
	load()
	return langs
}

// English is the default language.
func English() *Lang { return Get("en") }

// Get returns the language with this code, or nil when the interface does
// not speak it.
func Get(code string) *Lang {
	load()
	return byCode[code]
}

// Match picks the interface's language for an Accept-Language header,
// English when none of the reader's languages is offered.
func Match(acceptLanguage string) *Lang {
	load()
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return English()
	}
	_, i, conf := matcher.Match(tags...)
	if conf == language.No {
		return English()
	}
	return langs[i]
}

// T returns the message for key in this language, with args formatted the
// language's way (numbers grouped, the plural form chosen by the first).
func (l *Lang) T(key string, args ...any) string {
	known(key)
	return l.p.Sprintf(key, args...)
}

// HTML is T for a message that holds markup (a link in a sentence): the
// catalogue's markup is trusted, the values are escaped.
func (l *Lang) HTML(key string, args ...any) template.HTML {
	for i, a := range args {
		switch v := a.(type) {
		case string:
			args[i] = html.EscapeString(v)
		case template.HTML:
			args[i] = string(v)
		}
	}
	return template.HTML(l.T(key, args...))
}

// Message translates an English sentence from the domain: a catalogue key,
// or a sentence made from a catalogue format ("The limit is 500."), whose
// values are read back out of it and put into this language's text.
func (l *Lang) Message(english string) string {
	if english == "" {
		return ""
	}
	load()
	if _, ok := entries["en"][english]; ok {
		return l.p.Sprintf(english)
	}
	for _, f := range formats {
		if args, ok := f.read(english); ok {
			for i, v := range args {
				// A sentence inside a sentence ("After an edit: Contains …")
				// is translated too; a single word could be a name.
				if v, ok := v.(string); ok && strings.Contains(v, " ") {
					if _, known := entries["en"][v]; known {
						args[i] = l.p.Sprintf(v)
					}
				}
			}
			return l.p.Sprintf(f.key, args...)
		}
	}
	known(english)
	return english
}

// Date formats a day the language's way ("7 December 2026", "7. Dezember 2026").
func (l *Lang) Date(t time.Time) string { return l.layout(t.UTC(), "2 January 2006") }

// DateTime formats an instant in UTC the language's way.
func (l *Lang) DateTime(t time.Time) string {
	return l.layout(t.UTC(), "2 January 2006, 15:04 UTC")
}

// layout formats t with this language's version of an English layout, whose
// month name the catalogue translates as dates need it (Polish "grudnia").
func (l *Lang) layout(t time.Time, english string) string {
	s := t.Format(l.T(english))
	month := t.Month().String()
	return strings.Replace(s, month, l.T(month), 1)
}

// Number formats a count with the language's digit grouping.
func (l *Lang) Number(n int) string { return l.p.Sprintf("%d", n) }

// LanguageName names a language (by ISO 639-1 code) in this language.
func (l *Lang) LanguageName(code string) string {
	tag, err := language.Parse(code)
	if err != nil {
		return code
	}
	if name := l.names.Name(tag); name != "" {
		return name
	}
	return code
}

// Endonym names an EU language in itself ("Deutsch"), "" for others.
func Endonym(code string) string { return endonyms[code] }

// DynamicKeys are keys that code looks up by a computed name: the layouts
// and month names of dates.
func DynamicKeys() []string {
	keys := []string{"2 January 2006", "2 January 2006, 15:04 UTC"}
	for m := time.January; m <= time.December; m++ {
		keys = append(keys, m.String())
	}
	return keys
}

// Funcs are the template functions of a language: t and th for catalogue
// messages, msg for domain messages, date, datetime, num and langname.
func (l *Lang) Funcs() map[string]any {
	return map[string]any{
		"t":        l.T,
		"th":       l.HTML,
		"msg":      l.Message,
		"date":     l.Date,
		"datetime": l.DateTime,
		"num":      l.Number,
		"langname": l.LanguageName,
	}
}

// missing records keys looked up that no catalogue holds, for the tests.
var missing sync.Map

func known(key string) {
	load()
	if _, ok := entries["en"][key]; !ok {
		missing.Store(key, true)
	}
}

// Missing returns the messages that were looked up in this process but are
// in no catalogue; a test run that rendered every page must find none.
func Missing() []string {
	var keys []string
	missing.Range(func(k, _ any) bool {
		keys = append(keys, k.(string))
		return true
	})
	sort.Strings(keys)
	return keys
}

// format reads sentences made from one English format back into its values.
type format struct {
	key     string
	re      *regexp.Regexp
	verbs   []byte // each value's verb, in argument order
	order   []int  // the argument each capture group fills
	literal int    // the length of the format's fixed text
}

var verb = regexp.MustCompile(`%(?:\[(\d+)\])?([dsvq%])`)

// newFormats returns a reader for each English text of a key with values
// (one per plural form).
func newFormats(key string, e entry) []*format {
	texts := []string{e.text}
	if e.plural != nil {
		texts = texts[:0]
		for _, t := range e.plural {
			texts = append(texts, t)
		}
		sort.Strings(texts)
	}
	var out []*format
	for _, text := range texts {
		if !strings.Contains(text, "%") {
			continue
		}
		f := &format{key: key}
		var re strings.Builder
		re.WriteString("^")
		next, last := 0, 0
		for _, m := range verb.FindAllStringSubmatchIndex(text, -1) {
			lit := text[last:m[0]]
			re.WriteString(regexp.QuoteMeta(lit))
			f.literal += len(lit)
			last = m[1]
			v := text[m[4]]
			if v == '%' {
				re.WriteString("%")
				continue
			}
			arg := next
			if m[2] >= 0 {
				n, _ := strconv.Atoi(text[m[2]:m[3]])
				arg = n - 1
			}
			next = arg + 1
			for len(f.verbs) <= arg {
				f.verbs = append(f.verbs, 's')
			}
			f.verbs[arg] = v
			f.order = append(f.order, arg)
			if v == 'd' {
				re.WriteString(`(-?[0-9][0-9,]*)`)
			} else {
				re.WriteString(`(.+?)`)
			}
		}
		re.WriteString(regexp.QuoteMeta(text[last:]) + "$")
		f.literal += len(text) - last
		// A format of values and punctuation alone ("%[1]s; %[2]s") joins
		// translated clauses; reading sentences back with it would take any
		// sentence with a semicolon for two values.
		if len(f.order) == 0 || !strings.ContainsFunc(verb.ReplaceAllString(text, ""), unicode.IsLetter) {
			continue
		}
		f.re = regexp.MustCompile(re.String())
		out = append(out, f)
	}
	return out
}

func (f *format) read(s string) ([]any, bool) {
	m := f.re.FindStringSubmatch(s)
	if m == nil {
		return nil, false
	}
	args := make([]any, len(f.verbs))
	for i, arg := range f.order {
		v := m[i+1]
		if f.verbs[arg] == 'd' {
			n, err := strconv.Atoi(strings.ReplaceAll(v, ",", ""))
			if err != nil {
				return nil, false
			}
			args[arg] = n
		} else {
			args[arg] = v
		}
	}
	return args, true
}
