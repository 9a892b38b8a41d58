package discovery

import (
	"encoding/binary"
	"net/netip"
)

// The envelope that carries one discovery packet to one peer through WireGuard:
//
//	 0            20           28    29    30        31        32
//	+------------+------------+-----+-----+---------+---------+--------------------------+
//	| IPv4 (20)  | UDP (8)    | 'L' | 'D' | version | flags   | inner IPv4/UDP packet    |
//	| src = us   | 7466→7466  |     |     |    1    |    0    | (broadcast or multicast) |
//	| dst = peer |            |     |     |         |         |                          |
//	+------------+------------+-----+-----+---------+---------+--------------------------+
//
// The outer IPv4 header has no options, TTL 64, DF set, identification 0 (never fragmented: the
// whole envelope fits the tunnel MTU); both checksums are computed.
const (
	// EnvelopePort is the UDP port envelopes travel on, on members' virtual IPs only ("66" as in
	// 10.66/16, next to LANrage's 7400-7402 server ports). A datagram to this port that is not a
	// valid envelope is passed to the OS untouched.
	EnvelopePort = 7466
	// EnvelopeVersion is bumped on any change to the layout above.
	EnvelopeVersion = 1
	// EnvelopeOverhead is what an envelope adds to the inner packet.
	EnvelopeOverhead = ipMinHeader + udpHeader + envelopeHeader

	envelopeHeader  = 4
	envMagic0       = 'L'
	envMagic1       = 'D'
	envVersion      = 2
	envFlags        = 3
	outerTTL        = 64
	outerInnerStart = ipMinHeader + udpHeader + envelopeHeader
)

// encodeEnvelope writes into out the envelope carrying inner from src to dst and returns its
// length. innerSum is sum16(0, inner) (the same for every peer: computed once per fan-out).
// out must hold EnvelopeOverhead + len(inner) bytes.
func encodeEnvelope(out []byte, inner []byte, innerSum uint64, src, dst [4]byte) int {
	n := EnvelopeOverhead + len(inner)
	out = out[:n]
	// IPv4
	out[ipVersionIHL] = 0x45
	out[1] = 0
	binary.BigEndian.PutUint16(out[ipTotalLength:], uint16(n))
	binary.BigEndian.PutUint16(out[ipIdent:], 0)
	binary.BigEndian.PutUint16(out[ipFlagsFrag:], ipDontFragment)
	out[ipTTL] = outerTTL
	out[ipProtocol] = protoUDP
	binary.BigEndian.PutUint16(out[ipChecksum:], 0)
	copy(out[ipSrc:], src[:])
	copy(out[ipDst:], dst[:])
	binary.BigEndian.PutUint16(out[ipChecksum:], ipHeaderChecksum(out, ipMinHeader))
	// UDP + envelope header
	u := out[ipMinHeader:]
	udpLen := n - ipMinHeader
	binary.BigEndian.PutUint16(u[udpSrcPort:], EnvelopePort)
	binary.BigEndian.PutUint16(u[udpDstPort:], EnvelopePort)
	binary.BigEndian.PutUint16(u[udpLength:], uint16(udpLen))
	binary.BigEndian.PutUint16(u[udpChecksum:], 0)
	e := u[udpHeader:]
	e[0], e[1], e[envVersion], e[envFlags] = envMagic0, envMagic1, EnvelopeVersion, 0
	copy(out[outerInnerStart:], inner)
	// The UDP checksum from parts: pseudo-header + UDP header + envelope header + inner (summed
	// once by the caller). Every part starts at an even offset, so the partial sums add up.
	acc := udpPseudoSum(src, dst, udpLen)
	acc = sum16(acc, u[:udpChecksum])
	acc = sum16(acc, e[:envelopeHeader])
	acc += innerSum
	c := fold(acc)
	if c == 0 {
		c = 0xffff
	}
	binary.BigEndian.PutUint16(u[udpChecksum:], c)
	return n
}

// envelopeResult is what decodeEnvelope found in a decrypted packet.
type envelopeResult uint8

const (
	// notEnvelope: not addressed to us on EnvelopePort with the magic; the OS gets it unchanged.
	notEnvelope envelopeResult = iota
	// badEnvelope: an envelope (to us, on EnvelopePort, with the magic) that must be dropped.
	badEnvelope
	// goodEnvelope: inner is a broadcast/multicast packet from the envelope's source.
	goodEnvelope
)

// decodeEnvelope checks a decrypted packet from WireGuard. When it is an envelope for self, it
// returns the inner packet (a sub-slice of p), the sender's virtual IP and the inner kind.
// Nothing is copied or rewritten.
func decodeEnvelope(p []byte, self, subnetBroadcast netip.Addr) (envelopeResult, []byte, netip.Addr, Kind) {
	outer, ok := parseUDP4(p)
	if !ok || outer.dstPort != EnvelopePort || outer.dst != self {
		return notEnvelope, nil, netip.Addr{}, Unicast
	}
	body := p[outer.ihl+udpHeader:]
	if len(body) < envelopeHeader || body[0] != envMagic0 || body[1] != envMagic1 {
		return notEnvelope, nil, netip.Addr{}, Unicast
	}
	if body[envVersion] != EnvelopeVersion || body[envFlags] != 0 || !verifyChecksums(p, outer) {
		return badEnvelope, nil, outer.src, Unicast
	}
	inner := body[envelopeHeader:]
	in, ok := parseUDP4(inner)
	if !ok || in.src != outer.src || !carriable(inner, in) {
		return badEnvelope, nil, outer.src, Unicast
	}
	kind := Classify(in.dst, subnetBroadcast)
	if !kind.forwardable() {
		return badEnvelope, nil, outer.src, kind
	}
	return goodEnvelope, inner, outer.src, kind
}

// carriable is what both ends require of an inner packet besides its addresses: alive (TTL > 0),
// not aimed at the envelope port (no envelope inside an envelope), checksums right.
func carriable(p []byte, v udp4) bool {
	return p[ipTTL] != 0 && v.dstPort != EnvelopePort && verifyChecksums(p, v)
}
