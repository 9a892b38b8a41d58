package proto

// Results of the ops that return something (PROTOCOL.md, "Requests and responses").

type HelloResult struct {
	Version int    `json:"version"`
	Helper  string `json:"helper"`
	PID     int    `json:"pid"`
}

type OpenResult struct {
	Interface  string `json:"interface"`
	ListenPort uint16 `json:"listenPort"`
	PublicKey  string `json:"publicKey"`
	// IPv6: the public socket is dual-stack, so the same port takes and sends IPv6 too.
	IPv6 bool `json:"ipv6"`
}

type ResendResult struct {
	Resent bool `json:"resent"`
}

// PathJSON is a Path as the protocol writes it.
type PathJSON struct {
	Kind    PathKind `json:"kind"`
	Host    string   `json:"host,omitempty"`
	Port    uint16   `json:"port,omitempty"`
	RouteID string   `json:"routeId,omitempty"`
	Socket  uint16   `json:"socket,omitempty"`
}

type SocketStats struct {
	WireGuardIn          uint64 `json:"wireguardIn"`
	WireGuardOut         uint64 `json:"wireguardOut"`
	UpToCore             uint64 `json:"upToCore"`
	UpDropped            uint64 `json:"upDropped"`
	DroppedUnknownSource uint64 `json:"droppedUnknownSource"`
	DroppedUnknownKind   uint64 `json:"droppedUnknownKind"`
	DroppedNoPath        uint64 `json:"droppedNoPath"`
	SendErrors           uint64 `json:"sendErrors"`
	// ProbeSockets is how many probe sockets are open (PROTOCOL.md, "Port probing").
	ProbeSockets int `json:"probeSockets"`
}

type PeerStats struct {
	Peer            string   `json:"peer"`
	Path            PathJSON `json:"path"`
	WireGuardIn     uint64   `json:"wireguardIn"`
	WireGuardOut    uint64   `json:"wireguardOut"`
	LastHandshakeMs int64    `json:"lastHandshakeMs"`
	RxBytes         uint64   `json:"rxBytes"`
	TxBytes         uint64   `json:"txBytes"`
}

type StatsResult struct {
	Socket    SocketStats     `json:"socket"`
	Peers     []PeerStats     `json:"peers"`
	Discovery *DiscoveryStats `json:"discovery,omitempty"`
}
