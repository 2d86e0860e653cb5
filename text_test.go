package parley

import "testing"

// TestSlugifySpellsEveryEUAlphabet: a title in any of the EU's alphabets
// makes a readable slug, so that editors writing in Greek or Bulgarian can
// leave the address to Parley.
func TestSlugifySpellsEveryEUAlphabet(t *testing.T) {
	for title, want := range map[string]string{
		"Car-free city centres: who is the street for?": "car-free-city-centres-who-is-the-street-for",
		"Autofreie Innenstädte: Wem gehört die Straße?": "autofreie-innenstadte-wem-gehort-die-strasse",
		"Πόλεις χωρίς αυτοκίνητα":                       "poleis-choris-avtokinita",
		"Градове без коли":                              "gradove-bez-koli",
		"Đakovo i Čakovec":                              "dakovo-i-cakovec",
		"Țară și oraș":                                  "tara-si-oras",
		"Rīga un Ķemeri":                                "riga-un-kemeri",
		"Il-Ħamrun u Ġżira":                             "il-hamrun-u-gzira",
	} {
		if got := Slugify(title); got != want {
			t.Errorf("Slugify(%q) = %q, want %q", title, got, want)
		}
	}
}
