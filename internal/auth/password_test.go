package auth

import (
	"errors"
	"strings"
	"testing"
)

func TestHashThenCheck(t *testing.T) {
	h, err := HashPassword("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q does not start with the current PHC parameters", h)
	}
	for _, tc := range []struct {
		password string
		want     bool
	}{
		{"correct horse battery staple", true},
		{"correct horse battery stapl", false},
		{"Correct horse battery staple", false},
		{"", false},
	} {
		ok, err := CheckPassword(h, tc.password)
		if err != nil {
			t.Fatalf("CheckPassword(%q): %v", tc.password, err)
		}
		if ok != tc.want {
			t.Errorf("CheckPassword(%q) = %v, want %v", tc.password, ok, tc.want)
		}
	}
}

func TestHashesDiffer(t *testing.T) {
	a, _ := HashPassword("same password here")
	b, _ := HashPassword("same password here")
	if a == b {
		t.Fatal("two hashes of one password are equal: the salt is not random")
	}
}

func TestHashTooLong(t *testing.T) {
	if _, err := HashPassword(strings.Repeat("x", 1001)); err == nil {
		t.Error("HashPassword accepted a password longer than MaxPasswordLen")
	}
}

// tamper replaces field i (counting from the empty one before the first $).
func tamper(h string, i int, v string) string {
	f := strings.Split(h, "$")
	f[i] = v
	return strings.Join(f, "$")
}

func TestCheckTamperedHash(t *testing.T) {
	h, _ := HashPassword("a fine long password")
	f := strings.Split(h, "$")
	// Flip one character of the key: still well-formed, must not match.
	key := []byte(f[5])
	if key[0] == 'A' {
		key[0] = 'B'
	} else {
		key[0] = 'A'
	}
	if ok, err := CheckPassword(tamper(h, 5, string(key)), "a fine long password"); ok || err != nil {
		t.Errorf("changed key: ok=%v err=%v, want false, nil", ok, err)
	}
	// Other parameters: the password hashes to something else.
	if ok, err := CheckPassword(tamper(h, 3, "m=19456,t=3,p=1"), "a fine long password"); ok || err != nil {
		t.Errorf("changed t: ok=%v err=%v, want false, nil", ok, err)
	}

	malformed := map[string]string{
		"empty":         "",
		"bcrypt":        "$2a$10$abcdefghijklmnopqrstuu5Vf3l1o3Bvq8JQ1q1q1q1q1q1q1q1q1",
		"argon2i":       tamper(h, 1, "argon2i"),
		"version":       tamper(h, 2, "v=16"),
		"params junk":   tamper(h, 3, "m=19456,t=2,p=1,x=1"),
		"zero time":     tamper(h, 3, "m=19456,t=0,p=1"),
		"zero threads":  tamper(h, 3, "m=19456,t=2,p=0"),
		"huge memory":   tamper(h, 3, "m=4194304,t=2,p=1"),
		"bad salt":      tamper(h, 4, "!!!"),
		"empty key":     tamper(h, 5, ""),
		"short key":     tamper(h, 5, "AAAA"),
		"missing field": strings.Join(strings.Split(h, "$")[:5], "$"),
	}
	for name, bad := range malformed {
		ok, err := CheckPassword(bad, "a fine long password")
		if ok || !errors.Is(err, ErrMalformedHash) {
			t.Errorf("%s: ok=%v err=%v, want false, ErrMalformedHash", name, ok, err)
		}
	}
}

func TestOldParametersStillVerify(t *testing.T) {
	// A hash made with other (valid) parameters must verify and need a rehash.
	salt := []byte("0123456789abcdef")
	p := params{memory: 8 * 1024, time: 1, threads: 2}
	old := encode(p, salt, idKey("an older password", salt, p, keyLen))
	ok, err := CheckPassword(old, "an older password")
	if err != nil || !ok {
		t.Fatalf("CheckPassword(old params) = %v, %v; want true, nil", ok, err)
	}
	if !NeedsRehash(old) {
		t.Error("NeedsRehash(old params) = false, want true")
	}
}

func TestNeedsRehash(t *testing.T) {
	h, _ := HashPassword("a fine long password")
	if NeedsRehash(h) {
		t.Errorf("NeedsRehash(fresh hash) = true")
	}
	for _, other := range []string{
		tamper(h, 3, "m=65536,t=1,p=2"),
		tamper(h, 3, "m=19456,t=3,p=1"),
		tamper(h, 4, "MDEyMzQ1Njc"), // 8-byte salt
		"not a hash",
	} {
		if !NeedsRehash(other) {
			t.Errorf("NeedsRehash(%q) = false, want true", other)
		}
	}
}

func TestDummyCheck(t *testing.T) {
	// DummyCheck must really hash (with current parameters), not return early.
	DummyCheck("whatever the visitor typed")
	h := dummyHash()
	if NeedsRehash(h) {
		t.Errorf("dummy hash %q does not use the current parameters", h)
	}
	if ok, _ := CheckPassword(h, "whatever the visitor typed"); ok {
		t.Error("the dummy hash matches a guessable password")
	}
}

func BenchmarkHashPassword(b *testing.B) {
	for b.Loop() {
		if _, err := HashPassword("correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}
