package wire

import "errors"

// The relay DATA frame (layout owned by src-shared/protocol/relay-frames.ts; the Go and
// TypeScript codecs are held byte-identical by src-shared/protocol/relay-frames.vectors.json):
//
//	0                4         5        6               14
//	+----------------+---------+--------+---------------+--------------------------+
//	| FF 'L' 'R' 'R' | version | type 3 | route id (8)  | payload (WireGuard/probe) |
//	+----------------+---------+--------+---------------+--------------------------+
const (
	RelayHeaderLength     = 6
	RelayVersionOffset    = 4
	RelayTypeOffset       = 5
	RouteIDLength         = 8
	RelayDataHeaderLength = RelayHeaderLength + RouteIDLength
	// RelayTypeData is the DATA frame type; BIND (1) and BIND_ACK (2) belong to the core.
	RelayTypeData = 3
	// ProtocolVersion is src-shared/protocol/version.ts's PROTOCOL_VERSION.
	ProtocolVersion = 1
	// RelayMaxPayload: the largest UDP payload less the DATA header.
	RelayMaxPayload = 65507 - RelayDataHeaderLength
)

// RouteID names one relay route (both sides of a pair).
type RouteID [RouteIDLength]byte

var (
	ErrNotRelayData    = errors.New("not a relay DATA frame")
	ErrRelayVersion    = errors.New("relay frame of an unsupported version")
	ErrRelayDataShort  = errors.New("relay DATA frame has no route id")
	ErrRelayPayloadBig = errors.New("relay payload too large")
)

// AppendRelayDataHeader appends the 14-byte DATA header for route to dst.
func AppendRelayDataHeader(dst []byte, route RouteID) []byte {
	dst = append(dst, relayMagic[:]...)
	dst = append(dst, ProtocolVersion, RelayTypeData)
	return append(dst, route[:]...)
}

// EncodeRelayData returns a DATA frame carrying payload.
func EncodeRelayData(route RouteID, payload []byte) ([]byte, error) {
	if len(payload) > RelayMaxPayload {
		return nil, ErrRelayPayloadBig
	}
	out := make([]byte, 0, RelayDataHeaderLength+len(payload))
	out = AppendRelayDataHeader(out, route)
	return append(out, payload...), nil
}

// ParseRelayData reads a DATA frame in place: the payload aliases b.
func ParseRelayData(b []byte) (RouteID, []byte, error) {
	if len(b) < RelayHeaderLength || [4]byte(b[:4]) != relayMagic || b[RelayTypeOffset] != RelayTypeData {
		return RouteID{}, nil, ErrNotRelayData
	}
	if b[RelayVersionOffset] != ProtocolVersion {
		return RouteID{}, nil, ErrRelayVersion
	}
	if len(b) < RelayDataHeaderLength {
		return RouteID{}, nil, ErrRelayDataShort
	}
	return RouteID(b[RelayHeaderLength:RelayDataHeaderLength]), b[RelayDataHeaderLength:], nil
}
