package main

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
)

// FuzzParsePrefixes: --trusted-proxies is read into address ranges that
// hold the addresses given, each range once per entry, and written out
// again they read the same.
func FuzzParsePrefixes(f *testing.F) {
	for _, s := range []string{
		"10.0.0.1, 192.168.0.0/16, ::1", "", " , ,", "10.0.0.1/8", "2001:db8::/32", "2001:db8::1/64", "0.0.0.0/0", "::/0",
		"10.0.0.300", "10.0.0.1/33", "::1/129", "10.0.0.1/", "/8", "fe80::1%eth0", "fe80::1%eth0/64", "::ffff:10.0.0.1",
		"::ffff:10.0.0.0/104", "1.2.3.4,1.2.3.4", "01.2.3.4", "1.2.3.4/08", "10.0.0.1\t,\n10.0.0.2",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, list string) {
		got, err := parsePrefixes(list)
		var fields []string
		for _, f := range strings.Split(list, ",") {
			if f = strings.TrimSpace(f); f != "" {
				fields = append(fields, f)
			}
		}
		if err != nil {
			if len(fields) == 0 {
				t.Fatalf("parsePrefixes(%q): %v for no entries", list, err)
			}
			return
		}
		if len(got) != len(fields) {
			t.Fatalf("parsePrefixes(%q) = %v for %d entries", list, got, len(fields))
		}
		var out []string
		for i, p := range got {
			if !p.IsValid() || p != p.Masked() || p.Addr().Zone() != "" {
				t.Fatalf("parsePrefixes(%q)[%d] = %v: not a valid masked prefix", list, i, p)
			}
			addr, _, _ := strings.Cut(fields[i], "/")
			a, err := netip.ParseAddr(addr)
			// Clients are matched unmapped (::ffff:10.0.0.1 is 10.0.0.1),
			// so a range must hold the address as they will be seen.
			if err != nil || !p.Contains(a.Unmap()) {
				t.Fatalf("parsePrefixes(%q)[%d] = %v does not hold %q as clients are seen (%v)", list, i, p, addr, err)
			}
			out = append(out, p.String())
		}
		again, err := parsePrefixes(strings.Join(out, ","))
		if err != nil || !slices.Equal(again, got) {
			t.Fatalf("parsePrefixes(%q) = %v, written out %q reads %v, %v", list, got, out, again, err)
		}
	})
}

func TestTrustedProxiesAreComparedAsClientsAre(t *testing.T) {
	got, err := parsePrefixes("::ffff:10.0.0.1, ::ffff:192.0.2.0/120, 2001:db8::/64")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"10.0.0.1/32", "192.0.2.0/24", "2001:db8::/64"}
	for i, p := range got {
		if p.String() != want[i] {
			t.Errorf("entry %d = %v, want %s", i, p, want[i])
		}
	}
	for _, bad := range []string{"fe80::1%eth0", "::ffff:10.0.0.0/80"} {
		if _, err := parsePrefixes(bad); err == nil {
			t.Errorf("parsePrefixes(%q) accepted", bad)
		}
	}
}
