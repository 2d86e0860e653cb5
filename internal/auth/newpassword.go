package auth

import (
	_ "embed"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/parley-org/parley"
)

// commonPasswordsText holds passwords most often seen in breaches, one a
// line: the head of the NCSC's top 100,000 list from SecLists (see
// commonpasswords_SOURCE.txt). It keeps only entries of at least
// commonListMinLen characters: shorter ones are refused for their length
// alone, so storing them would only cost space.
//
//go:embed commonpasswords.txt
var commonPasswordsText string

// commonListMinLen is the shortest entry kept in commonpasswords.txt. It must
// not exceed parley.MinPasswordLen, or passwords of the lengths in between
// would escape the list.
const commonListMinLen = 10

// commonPasswords is the list as a set of lower-cased entries, built on first
// use so that starting the server stays fast.
var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	set := make(map[string]struct{})
	for line := range strings.Lines(commonPasswordsText) {
		if line = strings.TrimRight(line, "\r\n"); line != "" {
			set[strings.ToLower(line)] = struct{}{}
		}
	}
	return set
})

// minPersonalLen is the shortest email local part or name that a password may
// not contain: shorter ones ("al", "bob") occur in too many good passwords.
const minPersonalLen = 4

// CheckNewPassword tells whether password may become the password of the
// account with the given email address and name. It returns nil or a
// *parley.Error whose "password" field says what is wrong in words a person
// understands. It does not check that a person typed it twice alike.
func CheckNewPassword(password, email, name string) error {
	p := parley.Problems{}
	lower := strings.ToLower(password)
	switch n := utf8.RuneCountInString(password); {
	case n < parley.MinPasswordLen:
		p.Add("password", fmt.Sprintf("Please use at least %d characters. A few unrelated words make a long password that is easy to remember.", parley.MinPasswordLen))
	case n > parley.MaxPasswordLen:
		p.Add("password", fmt.Sprintf("Please use at most %d characters.", parley.MaxPasswordLen))
	case isCommon(lower):
		p.Add("password", "This password is on a list of passwords that attackers try first. Please choose another.")
	case containsPersonal(lower, email, name):
		p.Add("password", "Your password should not contain your email address or your name: they are the first things an attacker tries. Please choose another.")
	}
	return p.Err()
}

func isCommon(lower string) bool {
	_, ok := commonPasswords()[lower]
	return ok
}

// containsPersonal reports whether lower contains the local part of email or
// the name, with or without its spaces, where those are long enough to tell.
func containsPersonal(lower, email, name string) bool {
	local := strings.ToLower(strings.TrimSpace(email))
	if at := strings.LastIndexByte(local, '@'); at >= 0 {
		local = local[:at]
	}
	name = strings.ToLower(strings.TrimSpace(name))
	for _, s := range []string{local, name, strings.Join(strings.Fields(name), "")} {
		if utf8.RuneCountInString(s) >= minPersonalLen && strings.Contains(lower, s) {
			return true
		}
	}
	return false
}
