package parley

import "net/netip"

// Network is the network a client address stands for: an IPv4 /24 or an
// IPv6 /64, which one household, office or host holds. Bans by network and
// the cap on a client's connections both count by it, so that a client
// cannot escape either by moving to the next address. An invalid address
// gives the zero prefix.
func Network(ip netip.Addr) netip.Prefix {
	if !ip.IsValid() {
		return netip.Prefix{}
	}
	ip = ip.Unmap()
	bits := 24
	if ip.Is6() {
		bits = 64
	}
	return netip.PrefixFrom(ip, bits).Masked()
}
