package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
)

// tokenBytes gives tokens 256 bits of entropy: far beyond guessing, so a
// plain fast hash (not argon2) is enough to store them.
const tokenBytes = 32

// APITokenPrefix marks API tokens, so that they are easy to recognise in
// configuration files and for secret scanners.
const APITokenPrefix = "pk_"

// apiPrefixLen is how much of an API token is stored in clear to tell a
// person's tokens apart in lists: the marker and 7 random characters.
const apiPrefixLen = 10

func randomString() string {
	b := make([]byte, tokenBytes)
	rand.Read(b) // never fails: crypto/rand crashes the program instead
	return base64.RawURLEncoding.EncodeToString(b)
}

// NewToken returns a random token for a session or an emailed link, and the
// hash to store: the database never holds a usable token.
func NewToken() (token, hash string) {
	token = randomString()
	return token, HashToken(token)
}

// HashToken returns the hex SHA-256 of token, the form tokens are stored and
// looked up in.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// NewAPIToken returns a random API token starting with APITokenPrefix, the
// hash to store, and a short prefix that is safe to show.
func NewAPIToken() (token, hash, prefix string) {
	token = APITokenPrefix + randomString()
	return token, HashToken(token), token[:apiPrefixLen]
}
