package auth

import (
	"encoding/base64"
	"strings"
	"testing"
)

func TestNewToken(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		tok, hash := NewToken()
		if seen[tok] {
			t.Fatalf("token %q returned twice", tok)
		}
		seen[tok] = true
		if b, err := base64.RawURLEncoding.DecodeString(tok); err != nil || len(b) != 32 {
			t.Fatalf("token %q is not 32 bytes of raw URL base64: %v", tok, err)
		}
		if hash != HashToken(tok) || len(hash) != 64 {
			t.Fatalf("hash %q of %q is not HashToken's 64 hex digits", hash, tok)
		}
	}
}

func TestHashToken(t *testing.T) {
	// SHA-256 of "abc", a published test vector.
	const want = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
	if got := HashToken("abc"); got != want {
		t.Errorf("HashToken(abc) = %s, want %s", got, want)
	}
}

func TestNewAPIToken(t *testing.T) {
	tok, hash, prefix := NewAPIToken()
	tok2, _, _ := NewAPIToken()
	if tok == tok2 {
		t.Fatal("two API tokens are equal")
	}
	if !strings.HasPrefix(tok, "pk_") || len(prefix) != 10 || !strings.HasPrefix(tok, prefix) {
		t.Errorf("token %q, prefix %q: want pk_ and a 10-character prefix of the token", tok, prefix)
	}
	if b, err := base64.RawURLEncoding.DecodeString(tok[3:]); err != nil || len(b) != 32 {
		t.Errorf("token body %q is not 32 bytes of raw URL base64: %v", tok[3:], err)
	}
	if hash != HashToken(tok) {
		t.Error("API token hash is not HashToken(token)")
	}
}
