package proto

import (
	"encoding/binary"
	"encoding/json"
	"net/netip"
)

// Port probing (PROTOCOL.md, "Port probing"): extra UDP sockets the core opens towards a peer
// behind a cone NAT when ours is symmetric. Each gets its own mapping on our NAT; the one whose
// mapping the peer's probes hit then carries that peer's WireGuard.
//
// probe-send (0x06) body:     socket (u16 BE, 1..65535) | address (19) | ttl (u8) | payload
// probe-datagram (0x07) body: socket (u16 BE, 1..65535) | address (19) | payload
const (
	FrameProbeSend     byte = 0x06
	FrameProbeDatagram byte = 0x07

	socketIndexLength = 2
	// MaxProbeSocketsPerOpen bounds one probe-open: 256 sockets and ~1,300 probes from the cone
	// side find a common port with ~99 % probability (PROTOCOL.md, "Port probing").
	MaxProbeSocketsPerOpen = 256
	// MaxProbeSockets bounds the probe sockets open at once: one attempt's 256 plus one socket
	// carrying the path of each of up to 31 other members (parties are at most 32). Each costs a
	// file descriptor and a 9 KiB read buffer.
	MaxProbeSockets = MaxProbeSocketsPerOpen + 32
	// MaxProbeSocketIndex is the largest socket index (0 names the public socket).
	MaxProbeSocketIndex = 65535
)

// ProbeOpenArgs asks for Count more probe sockets.
type ProbeOpenArgs struct{ Count int }

// ProbeCloseArgs names the probe sockets to close.
type ProbeCloseArgs struct{ Sockets []uint16 }

// ProbeSocketJSON is one opened probe socket: its index and its local port.
type ProbeSocketJSON struct {
	Socket uint16 `json:"socket"`
	Port   uint16 `json:"port"`
}

// ProbeOpenResult lists the sockets opened, in index order.
type ProbeOpenResult struct {
	Sockets []ProbeSocketJSON `json:"sockets"`
}

// ProbeCloseResult counts the sockets that were open and are now closed.
type ProbeCloseResult struct {
	Closed int `json:"closed"`
}

// ProbeSend is a parsed probe-send frame; Payload aliases the frame body.
type ProbeSend struct {
	Socket uint16
	Send
}

// ParseProbeSend validates a probe-send body.
func ParseProbeSend(body []byte) (ProbeSend, *Error) {
	if len(body) < socketIndexLength {
		return ProbeSend{}, Errorf(CodeBadSend, "probe-send frame is %d bytes; its socket index alone is 2", len(body))
	}
	socket := binary.BigEndian.Uint16(body)
	if socket == 0 {
		return ProbeSend{}, Errorf(CodeBadSend, "probe socket index 0 (the public socket is sent to with send)")
	}
	s, err := ParseSend(body[socketIndexLength:])
	if err != nil {
		return ProbeSend{}, err
	}
	return ProbeSend{Socket: socket, Send: s}, nil
}

// AppendProbeSend appends a whole probe-send frame; the core's side, used by tests and tools.
func AppendProbeSend(dst []byte, socket uint16, s Send) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(1+socketIndexLength+sendHeader+len(s.Payload)))
	dst = append(dst, FrameProbeSend)
	dst = binary.BigEndian.AppendUint16(dst, socket)
	dst = append(appendAddress(dst, s.To), s.TTL)
	return append(dst, s.Payload...)
}

// AppendProbeDatagram appends a whole probe-datagram frame (a datagram that arrived on probe
// socket `socket`) to dst.
func AppendProbeDatagram(dst []byte, socket uint16, from netip.AddrPort, payload []byte) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(1+socketIndexLength+AddressLength+len(payload)))
	dst = append(dst, FrameProbeDatagram)
	dst = binary.BigEndian.AppendUint16(dst, socket)
	return append(appendAddress(dst, from), payload...)
}

var (
	probeOpenFields  = fields{required: []string{"count"}}
	probeCloseFields = fields{required: []string{"sockets"}}
)

func parseProbeOpen(obj map[string]json.RawMessage) (any, *Error) {
	n, err := intField(obj, "count", 1, MaxProbeSocketsPerOpen)
	return ProbeOpenArgs{Count: int(n)}, err
}

func parseProbeClose(obj map[string]json.RawMessage) (any, *Error) {
	var raw []json.RawMessage
	if json.Unmarshal(obj["sockets"], &raw) != nil || raw == nil {
		return nil, Errorf(CodeBadArgs, "sockets must be an array of probe socket indices")
	}
	if len(raw) > MaxProbeSockets {
		return nil, Errorf(CodeBadArgs, "sockets has %d entries; at most %d", len(raw), MaxProbeSockets)
	}
	a := ProbeCloseArgs{Sockets: make([]uint16, 0, len(raw))}
	for i, r := range raw {
		v, err := intField(map[string]json.RawMessage{"s": r}, "s", 1, MaxProbeSocketIndex)
		if err != nil {
			return nil, Errorf(CodeBadArgs, "sockets[%d] must be an integer 1-%d", i, MaxProbeSocketIndex)
		}
		a.Sockets = append(a.Sockets, uint16(v))
	}
	return a, nil
}

// optionalSocket reads the optional `socket` field of a path or accept-direct: 0 (the public
// socket) when absent.
func optionalSocket(obj map[string]json.RawMessage) (uint16, *Error) {
	if _, ok := obj["socket"]; !ok {
		return 0, nil
	}
	v, err := intField(obj, "socket", 1, MaxProbeSocketIndex)
	return uint16(v), err
}
