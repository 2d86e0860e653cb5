package parley

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// CleanText normalises text typed by a person: line endings become \n,
// control characters other than newline and tab are removed, and surrounding
// whitespace is trimmed. It reports false when the input is not valid UTF-8,
// which is refused rather than repaired so that nothing is silently altered.
func CleanText(s string) (string, bool) {
	if !utf8.ValidString(s) {
		return "", false
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	if strings.IndexFunc(s, isStrippedControl) >= 0 {
		s = strings.Map(func(r rune) rune {
			if isStrippedControl(r) {
				return -1
			}
			return r
		}, s)
	}
	return strings.TrimSpace(s), true
}

// CleanLine is CleanText for single-line fields: newlines and tabs become spaces.
func CleanLine(s string) (string, bool) {
	s, ok := CleanText(s)
	if !ok {
		return "", false
	}
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " "), true
}

func isStrippedControl(r rune) bool {
	if r == '\n' || r == '\t' {
		return false
	}
	// Cc controls, plus the bidi controls and zero-width characters used to
	// disguise text or make a name out of nothing visible.
	return unicode.IsControl(r) || r >= '\u200b' && r <= '\u200f' || r >= '\u202a' && r <= '\u202e' ||
		r >= '\u2060' && r <= '\u2069' || r == '\u061c' || r == '\ufeff'
}

// Slugify makes a URL slug from a title: lower-case ASCII letters, digits and dashes.
func Slugify(title string) string {
	var b strings.Builder
	dash := false
	var prev rune
	for _, r := range strings.ToLower(title) {
		last := prev
		prev = r
		switch {
		case (r == 'υ' || r == 'ύ') && (last == 'α' || last == 'ε' || last == 'η'):
			b.WriteByte('v') // Greek αυ, ευ, ηυ: av, ev, iv
			dash = false
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if f, ok := foldASCII[r]; ok {
				b.WriteString(f)
				dash = false
			}
		case unicode.IsMark(r):
			// A combining accent belongs to its letter ("re\u0301sume\u0301",
			// as typed on some keyboards): it must not split the word.
		default:
			if !dash && b.Len() > 0 {
				b.WriteByte('-')
				dash = true
			}
		}
	}
	slug := strings.Trim(b.String(), "-")
	// validSlug allows maxSlugLen bytes; a long title must still make a
	// slug that passes, so cut at the last dash that fits, or mid-word.
	if len(slug) > maxSlugLen {
		slug = slug[:maxSlugLen]
		if i := strings.LastIndexByte(slug, '-'); i > maxSlugLen/2 {
			slug = slug[:i]
		}
		slug = strings.TrimRight(slug, "-")
	}
	return slug
}

// maxSlugLen is the longest slug, in bytes (all ASCII).
const maxSlugLen = 100

// foldASCII spells the letters of the EU's alphabets (Latin with its
// accents, Greek and Cyrillic) in ASCII, so that every title makes a slug:
// Greek and Bulgarian after their official romanisations (ELOT 743, the
// Bulgarian Transliteration Act), simplified.
var foldASCII = map[rune]string{
	'à': "a", 'á': "a", 'â': "a", 'ã': "a", 'ä': "a", 'å': "a", 'æ': "ae", 'ç': "c",
	'è': "e", 'é': "e", 'ê': "e", 'ë': "e", 'ì': "i", 'í': "i", 'î': "i", 'ï': "i",
	'ñ': "n", 'ò': "o", 'ó': "o", 'ô': "o", 'õ': "o", 'ö': "o", 'ø': "o", 'ő': "o",
	'ù': "u", 'ú': "u", 'û': "u", 'ü': "u", 'ű': "u", 'ý': "y", 'ß': "ss", 'ł': "l",
	'ś': "s", 'š': "s", 'ž': "z", 'ź': "z", 'ż': "z", 'č': "c", 'ć': "c", 'ř': "r",
	'ę': "e", 'ą': "a", 'ń': "n", 'ě': "e", 'ů': "u",
	// Latin letters of Croatian, Slovak, Slovenian, the Baltic languages,
	// Romanian, Maltese, Irish, Danish and the rest.
	'đ': "d", 'ď': "d", 'ť': "t", 'ň': "n", 'ľ': "l", 'ĺ': "l", 'ŕ': "r", 'ā': "a", 'ē': "e",
	'ī': "i", 'ū': "u", 'ģ': "g", 'ķ': "k", 'ļ': "l", 'ņ': "n", 'ė': "e", 'į': "i", 'ų': "u",
	'ă': "a", 'ș': "s", 'ş': "s", 'ț': "t", 'ţ': "t", 'ċ': "c", 'ġ': "g", 'ħ': "h", 'œ': "oe",
	'þ': "th", 'ð': "d",
	// Greek.
	'α': "a", 'ά': "a", 'β': "v", 'γ': "g", 'δ': "d", 'ε': "e", 'έ': "e", 'ζ': "z", 'η': "i",
	'ή': "i", 'θ': "th", 'ι': "i", 'ί': "i", 'ϊ': "i", 'ΐ': "i", 'κ': "k", 'λ': "l", 'μ': "m",
	'ν': "n", 'ξ': "x", 'ο': "o", 'ό': "o", 'π': "p", 'ρ': "r", 'σ': "s", 'ς': "s", 'τ': "t",
	'υ': "y", 'ύ': "y", 'ϋ': "y", 'ΰ': "y", 'φ': "f", 'χ': "ch", 'ψ': "ps", 'ω': "o", 'ώ': "o",
	// Cyrillic (Bulgarian, and Russian and Ukrainian letters besides).
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ж': "zh", 'з': "z", 'и': "i",
	'й': "y", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r", 'с': "s",
	'т': "t", 'у': "u", 'ф': "f", 'х': "h", 'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "sht", 'ъ': "a",
	'ь': "y", 'ю': "yu", 'я': "ya", 'ё': "yo", 'ы': "y", 'э': "e", 'є': "ye", 'і': "i", 'ї': "yi",
	'ґ': "g",
}

// validSlug reports whether s could have come from Slugify.
func validSlug(s string) bool {
	if s == "" || len(s) > maxSlugLen || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}
