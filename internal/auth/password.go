// Package auth holds the security primitives behind Parley's accounts:
// password hashing, the rules for a new password, and random tokens for
// sessions, emailed links and API access. It knows nothing of HTTP or storage.
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/parley-org/parley"
)

// Argon2id parameters: OWASP's Password Storage Cheat Sheet's first listed
// configuration, m=19456 KiB (19 MiB), t=2, p=1. It keeps the memory of one
// hash small enough that a few concurrent sign-ins fit on a small server.
// Hashes record their own parameters, so these may be raised later:
// NeedsRehash tells when a stored hash should be replaced.
const (
	argonMemory  = 19 * 1024 // KiB
	argonTime    = 2
	argonThreads = 1
	saltLen      = 16
	keyLen       = 32
)

// Limits on what a stored hash may ask of us, so that a corrupted or hostile
// row cannot make a check allocate gigabytes or accept every password.
const (
	maxMemory = 1 << 20 // KiB, 1 GiB
	maxTime   = 100
	minSalt   = 8
	minKey    = 16
)

// ErrMalformedHash is returned when a stored hash cannot be parsed.
var ErrMalformedHash = errors.New("auth: malformed password hash")

// slots bounds concurrent hashes: each takes argonMemory of RAM and a core for
// a noticeable time, so a flood of sign-ins queues here instead of exhausting
// memory.
var slots = make(chan struct{}, runtime.NumCPU())

type params struct {
	memory  uint32
	time    uint32
	threads uint8
}

var current = params{memory: argonMemory, time: argonTime, threads: argonThreads}

func idKey(password string, salt []byte, p params, n uint32) []byte {
	slots <- struct{}{}
	defer func() { <-slots }()
	return argon2.IDKey([]byte(password), salt, p.time, p.memory, p.threads, n)
}

// HashPassword returns an argon2id hash of password in the PHC string format,
// $argon2id$v=19$m=…,t=…,p=…$salt$key, with a fresh random salt.
func HashPassword(password string) (string, error) {
	if utf8.RuneCountInString(password) > parley.MaxPasswordLen {
		return "", fmt.Errorf("auth: password longer than %d characters", parley.MaxPasswordLen)
	}
	salt := make([]byte, saltLen)
	rand.Read(salt) // never fails: crypto/rand crashes the program instead
	key := idKey(password, salt, current, keyLen)
	return encode(current, salt, key), nil
}

func encode(p params, salt, key []byte) string {
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.memory, p.time, p.threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// decode parses a PHC argon2id string. It checks the parameters' bounds
// because argon2 panics on some values and an empty key would match anything.
func decode(hash string) (p params, salt, key []byte, err error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, ErrMalformedHash
	}
	// Compared whole: Sscanf("v=%d") would let junk follow the number.
	if parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return p, nil, nil, ErrMalformedHash
	}
	var threads uint32
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.memory, &p.time, &threads); err != nil ||
		encodeParams(p.memory, p.time, threads) != parts[3] {
		return p, nil, nil, ErrMalformedHash
	}
	if p.time < 1 || p.time > maxTime || p.memory > maxMemory || threads < 1 || threads > 255 {
		return p, nil, nil, ErrMalformedHash
	}
	p.threads = uint8(threads)
	b64 := base64.RawStdEncoding
	if salt, err = b64.DecodeString(parts[4]); err != nil || len(salt) < minSalt {
		return p, nil, nil, ErrMalformedHash
	}
	if key, err = b64.DecodeString(parts[5]); err != nil || len(key) < minKey || len(key) > 1024 {
		return p, nil, nil, ErrMalformedHash
	}
	return p, salt, key, nil
}

// encodeParams lets decode insist on the canonical form, so that trailing
// junk after the numbers (which Sscanf ignores) is refused.
func encodeParams(m, t, p uint32) string { return fmt.Sprintf("m=%d,t=%d,p=%d", m, t, p) }

// CheckPassword reports whether password matches hash. It uses the parameters
// stored in hash, so hashes made with older parameters still verify. The
// error is non-nil only for a hash that cannot be parsed.
func CheckPassword(hash, password string) (ok bool, err error) {
	p, salt, key, err := decode(hash)
	if err != nil {
		return false, err
	}
	if utf8.RuneCountInString(password) > parley.MaxPasswordLen {
		return false, nil // HashPassword never accepted it; the length is no secret
	}
	got := idKey(password, salt, p, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

// NeedsRehash reports whether hash was made with other parameters than the
// current ones (or cannot be parsed), so that after a successful sign-in the
// caller should store HashPassword's result instead.
func NeedsRehash(hash string) bool {
	p, salt, key, err := decode(hash)
	return err != nil || p != current || len(salt) != saltLen || len(key) != keyLen
}

// dummyHash is a hash of a random password, made on first use so that
// starting the server stays fast.
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword(rand.Text())
	return h
})

// DummyCheck spends as long as CheckPassword does against a current hash. Call
// it when no account has the given address, so that the response time does
// not tell an attacker which addresses have accounts.
func DummyCheck(password string) {
	_, _ = CheckPassword(dummyHash(), password)
}
