package parley_test

import (
	"net/netip"
	"testing"

	"github.com/parley-org/parley"
)

func TestNetwork(t *testing.T) {
	for in, want := range map[string]string{
		"203.0.113.9":          "203.0.113.0/24",
		"::ffff:203.0.113.200": "203.0.113.0/24",
		"2001:db8:1:2:3:4:5:6": "2001:db8:1:2::/64",
		"::1":                  "::/64",
	} {
		if got := parley.Network(netip.MustParseAddr(in)).String(); got != want {
			t.Errorf("Network(%s) = %s, want %s", in, got, want)
		}
	}
	if p := parley.Network(netip.Addr{}); p.IsValid() {
		t.Errorf("Network of no address = %s, want the zero prefix", p)
	}
}
