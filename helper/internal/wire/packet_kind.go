// Package wire holds the packet formats the helper reads on the public socket: what a datagram
// is from its first bytes (byte-for-byte the rules of src-shared/protocol/packet-kind.ts) and
// the relay DATA header (src-shared/protocol/relay-frames.ts).
package wire

// Kind is what a datagram on the public socket is.
type Kind uint8

const (
	KindUnknown Kind = iota
	KindWireGuard
	KindSTUN
	KindRelay
	KindProbe
)

func (k Kind) String() string {
	switch k {
	case KindWireGuard:
		return "wireguard"
	case KindSTUN:
		return "stun"
	case KindRelay:
		return "relay"
	case KindProbe:
		return "probe"
	default:
		return "unknown"
	}
}

// The LANrage magics (first byte 0xFF: neither a WireGuard type nor a STUN first byte).
var (
	probeMagic = [4]byte{0xff, 'L', 'R', 'P'}
	relayMagic = [4]byte{0xff, 'L', 'R', 'R'}
)

const stunMinLength = 20

// Classify tells what a datagram is from its first bytes alone, without allocating:
//   - WireGuard: type 1-4 followed by three zero bytes (handshake init/response, cookie, data);
//   - relay frame / probe: the LANrage magics;
//   - STUN (RFC 5389): top two bits 00 and the magic cookie 0x2112A442 at bytes 4..8.
func Classify(b []byte) Kind {
	if len(b) < 4 {
		return KindUnknown
	}
	first := b[0]
	if first >= 1 && first <= 4 && b[1] == 0 && b[2] == 0 && b[3] == 0 {
		return KindWireGuard
	}
	if first == 0xff {
		switch [4]byte(b[:4]) {
		case relayMagic:
			return KindRelay
		case probeMagic:
			return KindProbe
		}
		return KindUnknown
	}
	if len(b) >= stunMinLength && first&0xc0 == 0 &&
		b[4] == 0x21 && b[5] == 0x12 && b[6] == 0xa4 && b[7] == 0x42 {
		return KindSTUN
	}
	return KindUnknown
}

// IsWireGuard reports whether b starts like a WireGuard message.
func IsWireGuard(b []byte) bool {
	return len(b) >= 4 && b[0] >= 1 && b[0] <= 4 && b[1] == 0 && b[2] == 0 && b[3] == 0
}
