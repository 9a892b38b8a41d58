package discovery

import "net/netip"

// Kind says what an IPv4 destination is to game discovery.
type Kind uint8

const (
	// Unicast is everything WireGuard routes itself (and what discovery leaves alone).
	Unicast Kind = iota
	// LimitedBroadcast is 255.255.255.255.
	LimitedBroadcast
	// SubnetBroadcast is the party subnet's broadcast address (10.66.255.255 for 10.66.0.0/16).
	SubnetBroadcast
	// Multicast is 224.0.0.0/4 outside the link-local control block.
	Multicast
	// LinkLocalMulticast is 224.0.0.0/24 (mDNS, LLMNR, IGMP, routing protocols): host
	// infrastructure that stays on its link; never forwarded.
	LinkLocalMulticast
)

func (k Kind) String() string {
	switch k {
	case LimitedBroadcast:
		return "limited-broadcast"
	case SubnetBroadcast:
		return "subnet-broadcast"
	case Multicast:
		return "multicast"
	case LinkLocalMulticast:
		return "link-local-multicast"
	default:
		return "unicast"
	}
}

var (
	limitedBroadcast   = netip.AddrFrom4([4]byte{255, 255, 255, 255})
	multicastRange     = netip.MustParsePrefix("224.0.0.0/4")
	linkLocalMulticast = netip.MustParsePrefix("224.0.0.0/24")
)

// SubnetBroadcastOf is the all-ones host address of an IPv4 prefix (10.66.255.255 for
// 10.66.0.0/16); invalid for a /31 or /32, which have none.
func SubnetBroadcastOf(subnet netip.Prefix) netip.Addr {
	if !subnet.Addr().Is4() || subnet.Bits() > 30 {
		return netip.Addr{}
	}
	a := subnet.Masked().Addr().As4()
	host := ^uint32(0) >> subnet.Bits()
	a[0] |= byte(host >> 24)
	a[1] |= byte(host >> 16)
	a[2] |= byte(host >> 8)
	a[3] |= byte(host)
	return netip.AddrFrom4(a)
}

// Classify says what dst is for a member of the party subnet whose broadcast address is
// subnetBroadcast (the zero Addr when unknown).
func Classify(dst, subnetBroadcast netip.Addr) Kind {
	switch {
	case dst == limitedBroadcast:
		return LimitedBroadcast
	case subnetBroadcast.IsValid() && dst == subnetBroadcast:
		return SubnetBroadcast
	case linkLocalMulticast.Contains(dst):
		return LinkLocalMulticast
	case multicastRange.Contains(dst):
		return Multicast
	default:
		return Unicast
	}
}

// forwardable reports whether a kind is carried to the party.
func (k Kind) forwardable() bool {
	return k == LimitedBroadcast || k == SubnetBroadcast || k == Multicast
}
