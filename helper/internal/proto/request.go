package proto

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/netip"
	"regexp"
	"sort"
	"strconv"

	"github.com/lanrage/lanrage/helper/internal/wire"
)

// Limits from PROTOCOL.md, "Limits".
const (
	MaxAllowedIPs      = 64
	MaxInterfaceName   = 15 // Linux IFNAMSIZ − 1
	MinMTU             = 1280
	MaxMTU             = 9000
	DefaultMTU         = 1420 // 1500 − 80 (IPv6 40 + UDP 8 + WireGuard 32): fits any home link
	MinPrefixLength    = 8
	MaxPrefixLength    = 32
	maxRequestID       = 1<<32 - 1
	maxPort            = 65535
	maxKeepaliveSecond = 65535
)

// Key is a WireGuard (Curve25519) key.
type Key [32]byte

// String is the key in standard base64, as the protocol carries it.
func (k Key) String() string { return base64.StdEncoding.EncodeToString(k[:]) }

// Request is one validated request; Args is one of the *…Args types below, by Op.
type Request struct {
	ID   uint32
	Op   string
	Args any
}

type HelloArgs struct{ Version int }

type OpenArgs struct {
	Interface  string
	PrivateKey Key
	ListenPort uint16
	ListenHost netip.Addr
	MTU        int
}

type SetAddressArgs struct{ Prefix netip.Prefix }

type SetPeerArgs struct {
	Peer                Key
	AllowedIPs          []netip.Prefix
	PersistentKeepalive uint16
	PresharedKey        *Key
}

// PeerArgs is the argument of remove-peer and resend-handshake.
type PeerArgs struct{ Peer Key }

type SetPathArgs struct {
	Peer Key
	Path Path
}

type AcceptDirectArgs struct {
	Peer Key
	From netip.AddrPort
	// Socket is the probe socket the address is accepted on; 0 is the public socket.
	Socket uint16
}

type AcceptRouteArgs struct {
	Peer  Key
	Route wire.RouteID
}

// NoArgs is the argument of clear-address, stats and close.
type NoArgs struct{}

// PathKind is how a peer is reached.
type PathKind string

const (
	PathNone   PathKind = "none"
	PathDirect PathKind = "direct"
	PathLAN    PathKind = "lan"
	PathRelay  PathKind = "relay"
)

// Path is a peer's live path: To is the peer (direct/lan) or the relay; Route only for relay.
type Path struct {
	Kind  PathKind
	To    netip.AddrPort
	Route wire.RouteID
	// Socket is the probe socket a direct/LAN path uses (port probing); 0 is the public socket.
	Socket uint16
}

// fields lists, per op, its required and optional argument names (besides id and op).
type fields struct{ required, optional []string }

var opFields = map[string]fields{
	"hello":            {required: []string{"version"}},
	"open":             {required: []string{"interface", "privateKey", "listenPort"}, optional: []string{"listenHost", "mtu"}},
	"set-address":      {required: []string{"address", "prefixLength"}},
	"clear-address":    {},
	"set-peer":         {required: []string{"peer", "allowedIps", "persistentKeepalive"}, optional: []string{"presharedKey"}},
	"remove-peer":      {required: []string{"peer"}},
	"set-path":         {required: []string{"peer", "path"}},
	"accept-direct":    {required: []string{"peer", "host", "port"}, optional: []string{"socket"}},
	"accept-route":     {required: []string{"peer", "routeId"}},
	"resend-handshake": {required: []string{"peer"}},
	"set-discovery":    setDiscoveryFields,
	"probe-open":       probeOpenFields,
	"probe-close":      probeCloseFields,
	"stats":            {},
	"close":            {},
}

var (
	interfaceName = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,15}$`)
	routeIDHex    = regexp.MustCompile(`^[0-9a-f]{16}$`)
	integer       = regexp.MustCompile(`^-?(0|[1-9][0-9]{0,15})$`)
)

// ParseRequest validates a request body. On error the returned Request still carries the id
// when it could be read (0 otherwise), so the refusal can be answered.
func ParseRequest(body []byte) (Request, *Error) {
	if len(body) > MaxRequestBody {
		return Request{}, Errorf(CodeBadFrame, "request is %d bytes; at most %d", len(body), MaxRequestBody)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil || obj == nil {
		return Request{}, Errorf(CodeBadJSON, "request is not a JSON object")
	}
	id, err := intField(obj, "id", 1, maxRequestID)
	if err != nil {
		return Request{}, err
	}
	req := Request{ID: uint32(id)}
	op, err := stringField(obj, "op")
	if err != nil {
		return req, err
	}
	req.Op = op
	f, known := opFields[op]
	if !known {
		return req, Errorf(CodeUnknownOp, "unknown op %q", truncate(op))
	}
	if err := onlyFields(obj, f); err != nil {
		return req, err
	}
	req.Args, err = parseArgs(op, obj)
	return req, err
}

func parseArgs(op string, obj map[string]json.RawMessage) (any, *Error) {
	switch op {
	case "hello":
		v, err := intField(obj, "version", 0, 1<<31-1)
		return HelloArgs{Version: int(v)}, err
	case "open":
		return parseOpen(obj)
	case "set-address":
		addr, err := ipv4Field(obj, "address")
		if err != nil {
			return nil, err
		}
		bits, err := intField(obj, "prefixLength", MinPrefixLength, MaxPrefixLength)
		if err != nil {
			return nil, err
		}
		return SetAddressArgs{Prefix: netip.PrefixFrom(addr, int(bits))}, nil
	case "set-peer":
		return parseSetPeer(obj)
	case "remove-peer", "resend-handshake":
		k, err := keyField(obj, "peer")
		return PeerArgs{Peer: k}, err
	case "set-path":
		k, err := keyField(obj, "peer")
		if err != nil {
			return nil, err
		}
		p, err := parsePath(obj["path"])
		return SetPathArgs{Peer: k, Path: p}, err
	case "accept-direct":
		k, err := keyField(obj, "peer")
		if err != nil {
			return nil, err
		}
		to, err := hostPort(obj, "host", "port")
		if err != nil {
			return nil, err
		}
		socket, err := optionalSocket(obj)
		return AcceptDirectArgs{Peer: k, From: to, Socket: socket}, err
	case "accept-route":
		k, err := keyField(obj, "peer")
		if err != nil {
			return nil, err
		}
		r, err := routeField(obj, "routeId")
		return AcceptRouteArgs{Peer: k, Route: r}, err
	case "set-discovery":
		return parseSetDiscovery(obj)
	case "probe-open":
		return parseProbeOpen(obj)
	case "probe-close":
		return parseProbeClose(obj)
	default: // clear-address, stats, close
		return NoArgs{}, nil
	}
}

func parseOpen(obj map[string]json.RawMessage) (any, *Error) {
	var a OpenArgs
	name, err := stringField(obj, "interface")
	if err != nil {
		return nil, err
	}
	if !interfaceName.MatchString(name) || name == "." || name == ".." {
		return nil, Errorf(CodeBadArgs, "interface must be 1-%d characters of A-Z a-z 0-9 _ . - (not . or ..)", MaxInterfaceName)
	}
	a.Interface = name
	if a.PrivateKey, err = keyField(obj, "privateKey"); err != nil {
		return nil, err
	}
	port, err := intField(obj, "listenPort", 0, maxPort)
	if err != nil {
		return nil, err
	}
	a.ListenPort = uint16(port)
	a.ListenHost = netip.IPv4Unspecified()
	if _, ok := obj["listenHost"]; ok {
		if a.ListenHost, err = ipv4Field(obj, "listenHost"); err != nil {
			return nil, err
		}
	}
	a.MTU = DefaultMTU
	if _, ok := obj["mtu"]; ok {
		mtu, err := intField(obj, "mtu", MinMTU, MaxMTU)
		if err != nil {
			return nil, err
		}
		a.MTU = int(mtu)
	}
	return a, nil
}

func parseSetPeer(obj map[string]json.RawMessage) (any, *Error) {
	var a SetPeerArgs
	var err *Error
	if a.Peer, err = keyField(obj, "peer"); err != nil {
		return nil, err
	}
	var cidrs []json.RawMessage
	if json.Unmarshal(obj["allowedIps"], &cidrs) != nil || cidrs == nil {
		return nil, Errorf(CodeBadArgs, "allowedIps must be an array of IPv4 CIDRs")
	}
	if len(cidrs) > MaxAllowedIPs {
		return nil, Errorf(CodeBadArgs, "allowedIps has %d entries; at most %d", len(cidrs), MaxAllowedIPs)
	}
	a.AllowedIPs = make([]netip.Prefix, 0, len(cidrs))
	for i, raw := range cidrs {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return nil, Errorf(CodeBadArgs, "allowedIps[%d] is not a string", i)
		}
		p, perr := netip.ParsePrefix(s)
		if perr != nil || !p.Addr().Is4() || p.Masked() != p {
			return nil, Errorf(CodeBadArgs, "allowedIps[%d] %q is not an IPv4 CIDR without host bits", i, truncate(s))
		}
		a.AllowedIPs = append(a.AllowedIPs, p)
	}
	ka, err := intField(obj, "persistentKeepalive", 0, maxKeepaliveSecond)
	if err != nil {
		return nil, err
	}
	a.PersistentKeepalive = uint16(ka)
	if _, ok := obj["presharedKey"]; ok {
		psk, err := keyField(obj, "presharedKey")
		if err != nil {
			return nil, err
		}
		a.PresharedKey = &psk
	}
	return a, nil
}

func parsePath(raw json.RawMessage) (Path, *Error) {
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil || obj == nil {
		return Path{}, Errorf(CodeBadArgs, "path must be an object")
	}
	kind, err := stringField(obj, "kind")
	if err != nil {
		return Path{}, Errorf(CodeBadArgs, "path.%s", err.Message)
	}
	var f fields
	switch PathKind(kind) {
	case PathNone:
	case PathDirect, PathLAN:
		f.required = []string{"host", "port"}
		f.optional = []string{"socket"}
	case PathRelay:
		f.required = []string{"host", "port", "routeId"}
	default:
		return Path{}, Errorf(CodeBadArgs, "path.kind %q is not none, direct, lan or relay", truncate(kind))
	}
	delete(obj, "kind")
	if err := onlyFields(obj, f); err != nil {
		return Path{}, Errorf(CodeBadArgs, "path: %s", err.Message)
	}
	p := Path{Kind: PathKind(kind)}
	if p.Kind == PathNone {
		return p, nil
	}
	if p.To, err = hostPort(obj, "host", "port"); err != nil {
		return Path{}, Errorf(CodeBadArgs, "path.%s", err.Message)
	}
	if p.Socket, err = optionalSocket(obj); err != nil {
		return Path{}, Errorf(CodeBadArgs, "path.%s", err.Message)
	}
	if p.Kind == PathRelay {
		if p.Route, err = routeField(obj, "routeId"); err != nil {
			return Path{}, Errorf(CodeBadArgs, "path.%s", err.Message)
		}
	}
	return p, nil
}

// onlyFields checks that obj has every required field of f and nothing else but id and op.
func onlyFields(obj map[string]json.RawMessage, f fields) *Error {
	allowed := map[string]bool{"id": true, "op": true}
	for _, n := range f.required {
		if _, ok := obj[n]; !ok {
			return Errorf(CodeBadArgs, "%s is missing", n)
		}
		allowed[n] = true
	}
	for _, n := range f.optional {
		allowed[n] = true
	}
	var unknown []string
	for n := range obj {
		if !allowed[n] {
			unknown = append(unknown, n)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return Errorf(CodeBadArgs, "unknown field %q", truncate(unknown[0]))
	}
	return nil
}

func intField(obj map[string]json.RawMessage, name string, min, max int64) (int64, *Error) {
	raw, ok := obj[name]
	if !ok {
		return 0, Errorf(CodeBadArgs, "%s is missing", name)
	}
	text := string(bytes.TrimSpace(raw))
	if !integer.MatchString(text) {
		return 0, Errorf(CodeBadArgs, "%s must be an integer", name)
	}
	v, err := strconv.ParseInt(text, 10, 64)
	if err != nil || v < min || v > max {
		return 0, Errorf(CodeBadArgs, "%s must be %d-%d", name, min, max)
	}
	return v, nil
}

func stringField(obj map[string]json.RawMessage, name string) (string, *Error) {
	raw, ok := obj[name]
	if !ok {
		return "", Errorf(CodeBadArgs, "%s is missing", name)
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", Errorf(CodeBadArgs, "%s must be a string", name)
	}
	return s, nil
}

func keyField(obj map[string]json.RawMessage, name string) (Key, *Error) {
	s, err := stringField(obj, name)
	if err != nil {
		return Key{}, err
	}
	b, derr := base64.StdEncoding.Strict().DecodeString(s)
	if derr != nil || len(b) != 32 || base64.StdEncoding.EncodeToString(b) != s {
		return Key{}, Errorf(CodeBadArgs, "%s is not a WireGuard key (32 bytes of base64)", name)
	}
	return Key(b), nil
}

func ipv4Field(obj map[string]json.RawMessage, name string) (netip.Addr, *Error) {
	s, err := stringField(obj, name)
	if err != nil {
		return netip.Addr{}, err
	}
	a, perr := netip.ParseAddr(s)
	if perr != nil || !a.Is4() {
		return netip.Addr{}, Errorf(CodeBadArgs, "%s %q is not an IPv4 address", name, truncate(s))
	}
	return a, nil
}

// ipField reads a peer's address: a dotted IPv4 literal or a plain IPv6 literal (no zone, not
// IPv4-mapped: that is written as IPv4; not unspecified or multicast: no peer lives there).
func ipField(obj map[string]json.RawMessage, name string) (netip.Addr, *Error) {
	s, err := stringField(obj, name)
	if err != nil {
		return netip.Addr{}, err
	}
	a, perr := netip.ParseAddr(s)
	if perr != nil || a.Zone() != "" || a.Is4In6() || a.IsUnspecified() || a.IsMulticast() {
		return netip.Addr{}, Errorf(CodeBadArgs, "%s %q is not a unicast IPv4 or IPv6 address", name, truncate(s))
	}
	return a, nil
}

func hostPort(obj map[string]json.RawMessage, host, port string) (netip.AddrPort, *Error) {
	a, err := ipField(obj, host)
	if err != nil {
		return netip.AddrPort{}, err
	}
	p, err := intField(obj, port, 1, maxPort)
	if err != nil {
		return netip.AddrPort{}, err
	}
	return netip.AddrPortFrom(a, uint16(p)), nil
}

func routeField(obj map[string]json.RawMessage, name string) (wire.RouteID, *Error) {
	s, err := stringField(obj, name)
	if err != nil {
		return wire.RouteID{}, err
	}
	if !routeIDHex.MatchString(s) {
		return wire.RouteID{}, Errorf(CodeBadArgs, "%s must be 16 lowercase hex digits", name)
	}
	var r wire.RouteID
	_, _ = hex.Decode(r[:], []byte(s))
	return r, nil
}

// truncate keeps error messages small whatever the request held.
func truncate(s string) string {
	const max = 40
	if len(s) > max {
		return s[:max] + "…"
	}
	return s
}
