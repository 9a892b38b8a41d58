package proto

import (
	"encoding/binary"
	"net/netip"
)

// Address (PROTOCOL.md, "Address"), 19 bytes:
//
//	0        1             3                                   19
//	+--------+-------------+-----------------------------------+
//	| family | port u16 BE | address (16 bytes)                |
//	| 4 or 6 |             | IPv4: first 4 bytes, rest zero    |
//	+--------+-------------+-----------------------------------+
//
// Family 6 carries a plain IPv6 address: never IPv4-mapped (::ffff:0:0/96; that is family 4),
// never the unspecified address, and without a zone (LANrage offers global addresses only).
//
// send (0x05) body:     address | ttl (u8, 0 = default) | payload (1..65507)
// datagram (0x04) body: address | payload (1..65507)
const (
	AddressLength = 19
	// MaxDatagram is the largest UDP payload over IPv4.
	MaxDatagram = 65507
	sendHeader  = AddressLength + 1
)

// Send is a parsed send frame; Payload aliases the frame body.
type Send struct {
	To      netip.AddrPort
	TTL     uint8
	Payload []byte
}

// ParseSend validates a send body (IPv4 or IPv6; whether the socket can send to IPv6 is the
// server's check, not the codec's).
func ParseSend(body []byte) (Send, *Error) {
	if len(body) < sendHeader {
		return Send{}, Errorf(CodeBadSend, "send frame is %d bytes; its header alone is %d", len(body), sendHeader)
	}
	to, err := parseAddress(body[:AddressLength])
	if err != nil {
		return Send{}, err
	}
	payload := body[sendHeader:]
	if len(payload) == 0 || len(payload) > MaxDatagram {
		return Send{}, Errorf(CodeBadSend, "payload is %d bytes; must be 1-%d", len(payload), MaxDatagram)
	}
	return Send{To: to, TTL: body[AddressLength], Payload: payload}, nil
}

func parseAddress(b []byte) (netip.AddrPort, *Error) {
	if b[0] != 4 && b[0] != 6 {
		return netip.AddrPort{}, Errorf(CodeBadSend, "address family %d is not 4 or 6", b[0])
	}
	port := binary.BigEndian.Uint16(b[1:3])
	if port == 0 {
		return netip.AddrPort{}, Errorf(CodeBadSend, "port 0")
	}
	if b[0] == 6 {
		ip := netip.AddrFrom16([16]byte(b[3:AddressLength]))
		if ip.Is4In6() || ip.IsUnspecified() {
			return netip.AddrPort{}, Errorf(CodeBadSend, "family 6 address %s must be a plain IPv6 address", ip)
		}
		return netip.AddrPortFrom(ip, port), nil
	}
	for _, pad := range b[7:AddressLength] {
		if pad != 0 {
			return netip.AddrPort{}, Errorf(CodeBadSend, "IPv4 address has non-zero padding")
		}
	}
	return netip.AddrPortFrom(netip.AddrFrom4([4]byte(b[3:7])), port), nil
}

// AppendDatagram appends a whole datagram frame (length, type, address, payload) to dst.
// An IPv4-mapped from (a dual-stack socket's view of IPv4) goes up as family 4.
func AppendDatagram(dst []byte, from netip.AddrPort, payload []byte) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(1+AddressLength+len(payload)))
	dst = append(dst, FrameDatagram)
	return append(appendAddress(dst, from), payload...)
}

// AppendSend appends a whole send frame; the core's side, used by tests and tools.
func AppendSend(dst []byte, to netip.AddrPort, ttl uint8, payload []byte) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(1+sendHeader+len(payload)))
	dst = append(dst, FrameSend)
	dst = append(appendAddress(dst, to), ttl)
	return append(dst, payload...)
}

func appendAddress(dst []byte, a netip.AddrPort) []byte {
	ip := a.Addr().Unmap()
	var raw [16]byte
	family := byte(6)
	if ip.Is4() {
		family = 4
		v4 := ip.As4()
		copy(raw[:], v4[:])
	} else {
		raw = ip.WithZone("").As16()
	}
	dst = append(dst, family)
	dst = binary.BigEndian.AppendUint16(dst, a.Port())
	return append(dst, raw[:]...)
}
