package langid

import (
	"errors"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/parley-org/parley/internal/testnote"
)

// TestMain says, in plain go test output, which tests were skipped.
func TestMain(m *testing.M) { testnote.Main(m) }

// comments are a few sentences of the kind readers write, in each language.
var comments = map[string][]string{
	"ar": {
		"أعتقد أن البلديات يجب أن تحصل على المزيد من المال للمدارس.",
		"لا أتفق مع الكاتب لأن الأرقام تظهر شيئا آخر.",
		"شكرا على المقال، كان مفيدا جدا.",
	},
	"bg": {
		"Според мен общините трябва да получат повече пари за училищата.",
		"Не съм съгласен с автора, защото данните показват друго.",
		"Благодаря за статията, беше много полезна.",
	},
	"ca": {
		"Crec que els ajuntaments haurien de rebre més diners per a les escoles.",
		"No estic d'acord amb l'autor, perquè les xifres mostren una altra cosa.",
		"Gràcies per l'article, m'ha estat molt útil.",
	},
	"cs": {
		"Myslím si, že obce by měly dostat více peněz na školy.",
		"S autorem nesouhlasím, protože čísla ukazují něco jiného.",
		"Děkuji za článek, byl opravdu užitečný.",
	},
	"da": {
		"Jeg synes, at kommunerne skal have flere penge til skolerne.",
		"Jeg er ikke enig med forfatteren, fordi tallene viser noget andet.",
		"Tak for artiklen, den var virkelig nyttig.",
	},
	"de": {
		"Ich finde, die Gemeinden sollten mehr Geld für die Schulen bekommen.",
		"Da bin ich anderer Meinung, weil die Zahlen etwas anderes zeigen.",
		"Danke für den Artikel, er war wirklich hilfreich.",
	},
	"el": {
		"Νομίζω ότι οι δήμοι πρέπει να πάρουν περισσότερα χρήματα για τα σχολεία.",
		"Δεν συμφωνώ με τον συγγραφέα, γιατί τα στοιχεία δείχνουν κάτι άλλο.",
		"Ευχαριστώ για το άρθρο, ήταν πολύ χρήσιμο.",
	},
	"en": {
		"I think the towns should get more money for their schools.",
		"I disagree with the author, because the figures show something else.",
		"Thanks for the article, it was really useful.",
	},
	"es": {
		"Creo que los ayuntamientos deberían recibir más dinero para las escuelas.",
		"No estoy de acuerdo con el autor, porque las cifras muestran otra cosa.",
		"Gracias por el artículo, me ha resultado muy útil.",
	},
	"et": {
		"Minu arvates peaksid vallad saama koolide jaoks rohkem raha.",
		"Ma ei nõustu autoriga, sest numbrid näitavad midagi muud.",
		"Aitäh artikli eest, see oli väga kasulik.",
	},
	"fi": {
		"Mielestäni kuntien pitäisi saada enemmän rahaa kouluille.",
		"Olen eri mieltä kirjoittajan kanssa, koska luvut kertovat muuta.",
		"Kiitos artikkelista, se oli todella hyödyllinen.",
	},
	"fr": {
		"Je pense que les communes devraient recevoir plus d'argent pour les écoles.",
		"Je ne suis pas d'accord avec l'auteur, car les chiffres montrent autre chose.",
		"Merci pour cet article, il m'a été très utile.",
	},
	"ga": {
		"Sílim gur cheart go bhfaigheadh na comhairlí níos mó airgid do na scoileanna.",
		"Ní aontaím leis an údar, mar léiríonn na figiúirí a mhalairt.",
		"Go raibh maith agat as an alt, bhí sé an-úsáideach.",
	},
	"hr": {
		"Mislim da bi općine trebale dobiti više novca za škole.",
		"Ne slažem se s autorom, jer brojke pokazuju nešto drugo.",
		"Hvala na članku, bio je stvarno koristan.",
	},
	"hu": {
		"Szerintem az önkormányzatoknak több pénzt kellene kapniuk az iskolákra.",
		"Nem értek egyet a szerzővel, mert a számok mást mutatnak.",
		"Köszönöm a cikket, nagyon hasznos volt.",
	},
	"it": {
		"Penso che i comuni dovrebbero ricevere più soldi per le scuole.",
		"Non sono d'accordo con l'autore, perché i numeri dicono altro.",
		"Grazie per l'articolo, è stato davvero utile.",
	},
	"lt": {
		"Manau, kad savivaldybės turėtų gauti daugiau pinigų mokykloms.",
		"Nesutinku su autoriumi, nes skaičiai rodo ką kita.",
		"Ačiū už straipsnį, jis buvo labai naudingas.",
	},
	"lv": {
		"Manuprāt, pašvaldībām vajadzētu saņemt vairāk naudas skolām.",
		"Es nepiekrītu autoram, jo skaitļi rāda ko citu.",
		"Paldies par rakstu, tas bija ļoti noderīgs.",
	},
	"nl": {
		"Ik vind dat de gemeenten meer geld voor de scholen moeten krijgen.",
		"Ik ben het niet eens met de schrijver, want de cijfers laten iets anders zien.",
		"Bedankt voor het artikel, het was echt nuttig.",
	},
	"pl": {
		"Uważam, że gminy powinny dostać więcej pieniędzy na szkoły.",
		"Nie zgadzam się z autorem, bo liczby pokazują coś innego.",
		"Dziękuję za artykuł, był naprawdę przydatny.",
	},
	"pt": {
		"Acho que os municípios deviam receber mais dinheiro para as escolas.",
		"Não concordo com o autor, porque os números mostram outra coisa.",
		"Obrigado pelo artigo, foi muito útil.",
	},
	"ro": {
		"Cred că primăriile ar trebui să primească mai mulți bani pentru școli.",
		"Nu sunt de acord cu autorul, pentru că cifrele arată altceva.",
		"Mulțumesc pentru articol, a fost foarte util.",
	},
	"ru": {
		"Я думаю, что муниципалитеты должны получать больше денег на школы.",
		"Я не согласен с автором, потому что цифры говорят об обратном.",
		"Спасибо за статью, она была очень полезной.",
	},
	"sk": {
		"Myslím si, že obce by mali dostať viac peňazí na školy.",
		"S autorom nesúhlasím, pretože čísla ukazujú niečo iné.",
		"Ďakujem za článok, bol naozaj užitočný.",
	},
	"sl": {
		"Mislim, da bi morale občine dobiti več denarja za šole.",
		"Z avtorjem se ne strinjam, ker številke kažejo nekaj drugega.",
		"Hvala za članek, bil je zelo koristen.",
	},
	"sv": {
		"Jag tycker att kommunerna borde få mer pengar till skolorna.",
		"Jag håller inte med författaren, eftersom siffrorna visar något annat.",
		"Tack för artikeln, den var verkligen användbar.",
	},
	"tr": {
		"Bence belediyeler okullar için daha fazla para almalı.",
		"Yazara katılmıyorum, çünkü rakamlar başka bir şey gösteriyor.",
		"Makale için teşekkürler, gerçekten çok faydalıydı.",
	},
	"uk": {
		"Я вважаю, що громади мають отримувати більше грошей на школи.",
		"Я не згоден з автором, бо цифри показують інше.",
		"Дякую за статтю, вона була дуже корисною.",
	},
}

func TestDetectComments(t *testing.T) {
	if got, want := slices.Sorted(maps.Keys(comments)), Supported(); !slices.Equal(got, want) {
		t.Fatalf("the test has comments in %v, Supported says %v", got, want)
	}
	d := Default()
	for lang, texts := range comments {
		for _, text := range texts {
			if got := d.Detect(text); got != lang {
				t.Errorf("Detect(%q) = %q, want %q", text, got, lang)
			}
		}
	}
}

func TestDetectEdgeCases(t *testing.T) {
	german := comments["de"][1]
	english := "This is a quotation in English from the comment that is answered here."
	long := strings.Repeat(comments["de"][0]+" ", 30) + strings.Repeat(comments["en"][0]+" ", 300)
	for _, c := range []struct{ name, text, want string }{
		{"empty", "", ""},
		{"spaces", " \n\t ", ""},
		{"digits", "12 345,67 — 2024/25 +1", ""},
		{"emoji", "😀🎉👍🏽 ❤️", ""},
		{"url only", "https://example.org/the-long-english-title-of-an-article-about-schools?page=2", ""},
		{"www only", "www.example.com/some/english/words", ""},
		{"mentions only", "@anna_k @Bob.Smith", ""},
		{"email only", "write.to.me@example.org", ""},
		{"code only", "```\nfunc main() { fmt.Println(\"hello world\") }\n```", ""},
		{"too short", "ok", ""},
		{"laugh", "xD", ""},
		{"invalid UTF-8", "\xff\xfe\xfd", ""},
		{"with url", german + " https://example.org/an-english-article-about-something-else-entirely", "de"},
		{"markdown link", "Lesen Sie [this very interesting English article](https://example.org) — " + german, "de"},
		{"markdown", "**Wichtig:** " + german + "\n\n- _erstens_ das Geld\n- *zweitens* die Zeit", "de"},
		{"quote", "> " + english + "\n> " + english + "\n\n" + german, "de"},
		{"code", "```\n// " + english + "\nreturn nil\n```\n" + german + " `" + english + "`", "de"},
		{"mentions", "@TheEnglishSpeaker @another_english_name " + german, "de"},
		{"html", "<b>" + german + "</b>", "de"},
		{"mixed", german + " " + german + " Anyway, thanks.", "de"},
		{"long", long, "de"}, // only the beginning is read
	} {
		if got := Default().Detect(c.text); got != c.want {
			t.Errorf("%s: Detect(%.60q) = %q, want %q", c.name, c.text, got, c.want)
		}
	}
}

func TestClean(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"a [b c](https://x.org/d) e ![f](g.png) h", "a b c e h"},
		{"see https://x.org/a_b, www.y.eu and me@z.org.", "see and ."},
		{"@ann #tag hi@you email@host.com x#y", "hi@you x#y"},
		{"one\n> quoted\ntwo\n  ```go\ncode\n  ```\nthree\n~~~\nmore code", "one two three"},
		{"`code` <em>word</em>", "word"},
	} {
		if got := clean(c.in); got != c.want {
			t.Errorf("clean(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	long := strings.Repeat("wörter ", 1000)
	got := clean(long)
	if n := len([]rune(got)); n > MaxRunes || n < MaxRunes-50 {
		t.Errorf("clean of %d runes kept %d, want at most %d", len([]rune(long)), n, MaxRunes)
	}
	if strings.HasSuffix(got, " ") || !strings.HasSuffix(got, "wörter") {
		t.Errorf("clean cut a long text in a word: …%q", got[len(got)-20:])
	}
}

func TestSupportedAndName(t *testing.T) {
	codes := Supported()
	if !slices.IsSorted(codes) || len(codes) != len(languages) {
		t.Fatalf("Supported() = %v", codes)
	}
	eu := strings.Fields("bg cs da de el en es et fi fr ga hr hu it lt lv nl pl pt ro sk sl sv")
	for _, c := range eu {
		if !slices.Contains(codes, c) {
			t.Errorf("Supported() lacks the EU language %s", c)
		}
	}
	for _, c := range codes {
		if Name(c) == "" {
			t.Errorf("Name(%q) is empty", c)
		}
	}
	if Name("de") != "German" || Name("sl") != "Slovenian" || Name("xx") != "" || Name("") != "" {
		t.Errorf("Name: de %q, sl %q, xx %q", Name("de"), Name("sl"), Name("xx"))
	}
	codes[0] = "changed"
	if Supported()[0] == "changed" {
		t.Error("Supported returns the package's own slice")
	}
}

// TestModelMemory measures what the package doc states: the heap in use
// once the models are loaded (the test binary's own is a few MB).
func TestModelMemory(t *testing.T) {
	Default().Detect(comments["de"][0])
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	t.Logf("heap in use with the models loaded: %d MB (from the OS: %d MB)", ms.HeapInuse>>20, ms.Sys>>20)
	if ms.HeapInuse > 800<<20 {
		t.Errorf("the models take %d MB of heap: more than the package doc says; update it", ms.HeapInuse>>20)
	}
}

// sampleFile is the evaluation sample beside the repository.
var sampleFile = filepath.Join("..", "..", "..", "shared", "data", "langid", "langid_eu_sample.tsv")

// TestSample holds Detect to its targets on the evaluation sample: 0.97 of
// the sentences overall, 0.90 in every language.
func TestSample(t *testing.T) {
	f, err := os.Open(sampleFile)
	if errors.Is(err, os.ErrNotExist) {
		testnote.Skip(t, "the language detection evaluation", "no ../shared/data/langid beside the repository")
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	samples, err := ReadSamples(f)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range Evaluate(Default(), samples) {
		t.Log(s)
		if s.Kind != "sentence" {
			continue
		}
		target := 0.90
		if s.Lang == "overall" {
			target = 0.97
		}
		if s.Accuracy() < target {
			t.Errorf("%v: below %.2f", s, target)
		}
	}
}

// FuzzDetect: Detect never panics and answers "" or a supported code.
func FuzzDetect(f *testing.F) {
	for _, texts := range comments {
		f.Add(texts[0])
	}
	for _, s := range []string{"", "ok", "😀", "https://x.org", "@a #b", "> q\n```\nc", "[a](b) ![c](d)", "\xff", "ÿ", "a\u0300\u0301", "日本語のテキスト"} {
		f.Add(s)
	}
	supported := Supported()
	d := Default()
	f.Fuzz(func(t *testing.T, text string) {
		if got := d.Detect(text); got != "" && !slices.Contains(supported, got) {
			t.Errorf("Detect(%q) = %q, not a supported code", text, got)
		}
	})
}
