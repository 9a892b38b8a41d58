package discovery

import (
	"encoding/binary"
	"net/netip"
)

// The IPv4 and UDP headers this package reads and writes (RFC 791, RFC 768):
//
//	 0       4       8               16      19                      31
//	+-------+-------+---------------+-------+------------------------+
//	|version|  IHL  |      TOS      |          total length          |  0
//	+-------+-------+---------------+-------+------------------------+
//	|        identification         | flags |    fragment offset     |  4
//	+---------------+---------------+-------+------------------------+
//	|      TTL      |   protocol    |        header checksum         |  8
//	+---------------+---------------+--------------------------------+
//	|                        source address                          | 12
//	+----------------------------------------------------------------+
//	|                      destination address                       | 16
//	+----------------------------------------------------------------+
//	|        options (IHL > 5)  …                                    | 20
//	+-------------------------------+--------------------------------+
//	|          source port          |        destination port        | ihl*4
//	+-------------------------------+--------------------------------+
//	|            length             |            checksum            | ihl*4 + 4
//	+-------------------------------+--------------------------------+
const (
	ipVersionIHL  = 0
	ipTotalLength = 2
	ipIdent       = 4
	ipFlagsFrag   = 6
	ipTTL         = 8
	ipProtocol    = 9
	ipChecksum    = 10
	ipSrc         = 12
	ipDst         = 16
	ipMinHeader   = 20

	udpSrcPort  = 0
	udpDstPort  = 2
	udpLength   = 4
	udpChecksum = 6
	udpHeader   = 8

	protoUDP = 17
	// The "more fragments" bit and the 13-bit offset: either set means a fragment.
	ipMoreFragments = 0x2000
	ipFragOffset    = 0x1fff
	ipDontFragment  = 0x4000
)

// udp4 is a view of a well-formed, unfragmented IPv4/UDP packet. Offsets index the packet slice.
type udp4 struct {
	ihl     int // IPv4 header length in bytes
	total   int // IPv4 total length (== len(packet))
	src     netip.Addr
	dst     netip.Addr
	dstPort uint16
}

// parseUDP4 accepts exactly one whole, unfragmented IPv4 packet carrying UDP whose lengths agree
// with the slice. It does not verify checksums (verifyChecksums does).
func parseUDP4(p []byte) (udp4, bool) {
	if len(p) < ipMinHeader+udpHeader || p[ipVersionIHL]>>4 != 4 {
		return udp4{}, false
	}
	ihl := int(p[ipVersionIHL]&0x0f) * 4
	total := int(binary.BigEndian.Uint16(p[ipTotalLength:]))
	if ihl < ipMinHeader || total != len(p) || total < ihl+udpHeader {
		return udp4{}, false
	}
	if p[ipProtocol] != protoUDP {
		return udp4{}, false
	}
	if binary.BigEndian.Uint16(p[ipFlagsFrag:])&(ipMoreFragments|ipFragOffset) != 0 {
		return udp4{}, false
	}
	if int(binary.BigEndian.Uint16(p[ihl+udpLength:])) != total-ihl {
		return udp4{}, false
	}
	return udp4{
		ihl:     ihl,
		total:   total,
		src:     netip.AddrFrom4([4]byte(p[ipSrc : ipSrc+4])),
		dst:     netip.AddrFrom4([4]byte(p[ipDst : ipDst+4])),
		dstPort: binary.BigEndian.Uint16(p[ihl+udpDstPort:]),
	}, true
}

// sum16 adds b as big-endian 16-bit words (odd length padded with a zero byte) to acc, without
// folding: the one's-complement sum of RFC 1071, kept wide so partial sums can be combined.
func sum16(acc uint64, b []byte) uint64 {
	for len(b) >= 8 {
		acc += uint64(binary.BigEndian.Uint32(b)) + uint64(binary.BigEndian.Uint32(b[4:]))
		b = b[8:]
	}
	for len(b) >= 2 {
		acc += uint64(binary.BigEndian.Uint16(b))
		b = b[2:]
	}
	if len(b) == 1 {
		acc += uint64(b[0]) << 8
	}
	return acc
}

// fold reduces a wide sum to 16 bits and complements it: the value to store in a checksum field.
func fold(acc uint64) uint16 {
	for acc>>16 != 0 {
		acc = (acc & 0xffff) + acc>>16
	}
	return ^uint16(acc)
}

// ipHeaderChecksum computes the IPv4 header checksum of p[:ihl] with the checksum field zero.
func ipHeaderChecksum(p []byte, ihl int) uint16 {
	acc := sum16(0, p[:ipChecksum])
	return fold(sum16(acc, p[ipChecksum+2:ihl]))
}

// udpPseudoSum is the UDP pseudo-header's sum: source, destination, protocol, UDP length.
func udpPseudoSum(src, dst [4]byte, udpLen int) uint64 {
	acc := sum16(0, src[:])
	acc = sum16(acc, dst[:])
	return acc + protoUDP + uint64(udpLen)
}

// udpChecksumOf computes the UDP checksum of the datagram seg (header + payload, with its
// checksum field treated as zero) between src and dst. A computed 0 is sent as 0xffff (RFC 768:
// 0 means "no checksum").
func udpChecksumOf(src, dst [4]byte, seg []byte) uint16 {
	acc := udpPseudoSum(src, dst, len(seg))
	acc = sum16(acc, seg[:udpChecksum])
	acc = sum16(acc, seg[udpChecksum+2:])
	if c := fold(acc); c != 0 {
		return c
	}
	return 0xffff
}

// verifyChecksums reports whether the IPv4 header checksum is right and the UDP checksum is
// right or absent (0, allowed for UDP over IPv4).
func verifyChecksums(p []byte, v udp4) bool {
	if binary.BigEndian.Uint16(p[ipChecksum:]) != ipHeaderChecksum(p, v.ihl) {
		return false
	}
	stored := binary.BigEndian.Uint16(p[v.ihl+udpChecksum:])
	if stored == 0 {
		return true
	}
	return stored == udpChecksumOf([4]byte(p[ipSrc:ipSrc+4]), [4]byte(p[ipDst:ipDst+4]), p[v.ihl:])
}
