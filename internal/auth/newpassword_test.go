package auth

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/parley-org/parley"
)

func TestCheckNewPassword(t *testing.T) {
	const email, name = "ada.lovelace@example.org", "Ada Byron"
	for _, tc := range []struct {
		password string
		want     string // a word of the expected message; "" for accepted
	}{
		{"", "at least"},
		{"short", "at least"},
		{"nine char", "at least"},
		{"ééééééééé", "at least"}, // 9 runes, 18 bytes: runes count
		{strings.Repeat("a", parley.MaxPasswordLen+1), "at most"},
		{"password1234", "list"},
		{"qwertyuiop", "list"},
		{"QwertyUiop", "list"}, // case-insensitive
		{"basketball", "list"},
		{"1234567890", "list"},
		{"my ada.lovelace pass", "email"},
		{"ADA.LOVELACE-2024", "email"},
		{"i am ada byron!", "name"},
		{"adabyron2024", "name"},
		{"orbit tulip glacier mango", ""},
		{"ééééééééééé", ""},
		{"zq7!Vb#2pLm9", ""},
	} {
		err := CheckNewPassword(tc.password, email, name)
		if tc.want == "" {
			if err != nil {
				t.Errorf("CheckNewPassword(%.20q) = %v, want nil", tc.password, err)
			}
			continue
		}
		msg := parley.ErrorFields(err)["password"]
		if parley.ErrorCode(err) != parley.EINVALID || !strings.Contains(msg, tc.want) {
			t.Errorf("CheckNewPassword(%.20q) = %v (%q), want EINVALID mentioning %q", tc.password, err, msg, tc.want)
		}
	}
}

func TestPersonalInfoTooShortToMatter(t *testing.T) {
	// A local part or name under four characters occurs in many good passwords.
	if err := CheckNewPassword("al gebra is my thing", "al@example.org", "Al"); err != nil {
		t.Errorf("short local part and name refused: %v", err)
	}
}

func TestLongRandomPassphraseAccepted(t *testing.T) {
	for range 5 {
		tok, _ := NewToken() // 43 random characters
		if err := CheckNewPassword(tok, "someone@example.org", "Someone Else"); err != nil {
			t.Errorf("random passphrase %q refused: %v", tok, err)
		}
	}
}

func TestCommonList(t *testing.T) {
	set := commonPasswords()
	if len(set) < 2000 {
		t.Fatalf("common list has %d entries; the embedded file is missing or cut", len(set))
	}
	for line := range strings.Lines(commonPasswordsText) {
		line = strings.TrimRight(line, "\r\n")
		if n := utf8.RuneCountInString(line); n < commonListMinLen {
			t.Errorf("entry %q has %d characters, fewer than commonListMinLen", line, n)
		}
	}
}

func TestCommonListCoversMinLength(t *testing.T) {
	// Entries shorter than commonListMinLen were dropped from the file; if
	// passwords that short became acceptable, they would no longer be checked.
	if commonListMinLen > parley.MinPasswordLen {
		t.Fatalf("commonpasswords.txt keeps entries of >= %d characters but passwords of %d are allowed: re-import the list (see commonpasswords_SOURCE.txt)",
			commonListMinLen, parley.MinPasswordLen)
	}
}
