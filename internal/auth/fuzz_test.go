package auth

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
)

// FuzzHashToken: sessions, emailed links and API tokens are looked up by
// HashToken of what the client sends, so a token verifies only if it hashes
// to a stored hash: only the token itself, unmodified.
func FuzzHashToken(f *testing.F) {
	tok, _ := NewToken()
	api, _, _ := NewAPIToken()
	for _, s := range []string{"", "abc", tok, api, tok + " ", strings.ToUpper(tok), "pk_", "\x00", "\xff"} {
		f.Add(s, tok)
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		h := HashToken(a)
		if len(h) != 64 || strings.Trim(h, "0123456789abcdef") != "" {
			t.Fatalf("HashToken(%q) = %q, not 64 lower-case hex digits", a, h)
		}
		if HashToken(a) != h {
			t.Fatalf("HashToken(%q) changes between calls", a)
		}
		if (HashToken(b) == h) != (a == b) {
			t.Fatalf("HashToken(%q) == HashToken(%q) is %v", a, b, a != b)
		}
		// A random token's hash is not the hash of anything else given.
		if real, hash := NewToken(); hash == h || real == a {
			t.Fatalf("NewToken gave %q, which is the input %q", real, a)
		}
	})
}

// FuzzDecodeHash: a stored password hash may be corrupt or planted; decode
// must refuse what would make argon2 panic, take gigabytes or accept any
// password.
func FuzzDecodeHash(f *testing.F) {
	good := encode(current, bytes.Repeat([]byte{1}, saltLen), bytes.Repeat([]byte{2}, keyLen))
	for _, s := range []string{
		good, "", "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5aw",
		"$argon2id$v=19$m=19456,t=2,p=1$$", "$argon2id$v=19$m=19456,t=0,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5aw",
		"$argon2id$v=19$m=4294967295,t=2,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5aw", "$argon2i$v=19$m=1,t=1,p=1$a$b",
		"$argon2id$v=19$m=19456,t=2,p=1junk$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5aw", "$argon2id$v=+19$m=+1,t=+1,p=+1$x$y",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, hash string) {
		p, salt, key, err := decode(hash)
		if err != nil {
			if err != ErrMalformedHash {
				t.Fatalf("decode(%q): %v, want ErrMalformedHash", hash, err)
			}
			return
		}
		if p.time < 1 || p.time > maxTime || p.memory > maxMemory || p.threads < 1 ||
			len(salt) < minSalt || len(key) < minKey || len(key) > 1024 {
			t.Fatalf("decode(%q) accepted %+v, salt %d bytes, key %d bytes", hash, p, len(salt), len(key))
		}
		// What decode accepts it reads back the same once written out.
		p2, salt2, key2, err := decode(encode(p, salt, key))
		if err != nil || p2 != p || !bytes.Equal(salt2, salt) || !bytes.Equal(key2, key) {
			t.Fatalf("decode(%q) = %+v, which does not read back: %v", hash, p, err)
		}
		if !strings.HasPrefix(hash, "$argon2id$v=19$m=") || base64.RawStdEncoding.EncodedLen(len(key)) > len(hash) {
			t.Fatalf("decode(%q) accepted something other than an argon2id hash", hash)
		}
		// Cheap enough to check: the password is tested against the key.
		if p.memory <= 64 && p.time <= 2 && p.threads <= 4 && len(key) <= 64 {
			if ok, err := CheckPassword(hash, "not the password"); ok || err != nil {
				t.Fatalf("CheckPassword(%q) = %v, %v for a made-up hash", hash, ok, err)
			}
		}
	})
}
