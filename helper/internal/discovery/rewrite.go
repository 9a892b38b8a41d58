package discovery

import (
	"encoding/binary"
	"net/netip"
)

// RewriteSource sets the source address of a well-formed IPv4/UDP packet in place and
// recomputes both checksums (the UDP checksum covers the addresses through its pseudo-header).
// A UDP checksum of 0 ("none") stays 0. It reports false, changing nothing, for anything else.
func RewriteSource(p []byte, src netip.Addr) bool {
	return rewriteAddr(p, ipSrc, src)
}

// RewriteDestination is RewriteSource for the destination address. macOS delivers the party's
// subnet broadcast as 255.255.255.255 with it: a utun interface has no broadcast address.
func RewriteDestination(p []byte, dst netip.Addr) bool {
	return rewriteAddr(p, ipDst, dst)
}

func rewriteAddr(p []byte, field int, addr netip.Addr) bool {
	if !addr.Is4() {
		return false
	}
	v, ok := parseUDP4(p)
	if !ok {
		return false
	}
	a := addr.As4()
	copy(p[field:field+4], a[:])
	binary.BigEndian.PutUint16(p[ipChecksum:], ipHeaderChecksum(p, v.ihl))
	seg := p[v.ihl:]
	if binary.BigEndian.Uint16(seg[udpChecksum:]) != 0 {
		c := udpChecksumOf([4]byte(p[ipSrc:ipSrc+4]), [4]byte(p[ipDst:ipDst+4]), seg)
		binary.BigEndian.PutUint16(seg[udpChecksum:], c)
	}
	return true
}
