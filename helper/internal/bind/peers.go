package bind

import (
	"encoding/hex"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lanrage/lanrage/helper/internal/proto"
	"github.com/lanrage/lanrage/helper/internal/wire"
)

// MaxAccepted is how many extra addresses and routes a peer may be accepted from at once
// (PROTOCOL.md limits): candidates being probed; the oldest is forgotten beyond it.
const MaxAccepted = 16

// MaxPeers bounds the table (PROTOCOL.md limits; parties are at most 32 members).
const MaxPeers = 1024

// path is immutable once stored: the data path reads it without locks.
type path struct {
	kind  proto.PathKind
	to    netip.AddrPort
	udp   *net.UDPAddr // to, prebuilt so a send allocates nothing
	route wire.RouteID
	// header is the relay DATA header for relay paths, nil otherwise.
	header []byte
	// socket is the probe socket a direct path uses (0: the public socket), conn that socket.
	socket uint16
	conn   *net.UDPConn
}

var noPath = &path{kind: proto.PathNone}

func newPath(p proto.Path, probe *net.UDPConn) *path {
	if p.Kind == proto.PathNone {
		return noPath
	}
	out := &path{kind: p.Kind, to: p.To, udp: net.UDPAddrFromAddrPort(p.To), route: p.Route, socket: p.Socket, conn: probe}
	if p.Kind == proto.PathRelay {
		out.header = wire.AppendRelayDataHeader(nil, p.Route)
	}
	return out
}

func (p *path) same(kind proto.PathKind, to netip.AddrPort, route wire.RouteID) bool {
	return p.kind == kind && p.to == to && p.route == route
}

func (p *path) json() proto.PathJSON {
	out := proto.PathJSON{Kind: p.kind}
	if p.kind != proto.PathNone {
		out.Host, out.Port = p.to.Addr().String(), p.to.Port()
	}
	if p.kind == proto.PathRelay {
		out.RouteID = hex.EncodeToString(p.route[:])
	}
	out.Socket = p.socket
	return out
}

// Peer is the Bind's state for one WireGuard peer. Fields written by the data path are atomic;
// accepted lists are guarded by Bind.mu.
type Peer struct {
	key proto.Key
	ep  *Endpoint

	path  atomic.Pointer[path] // set by the core (SetPath)
	reply atomic.Pointer[path] // the way the peer's WireGuard last came while path is none

	wireguardIn, wireguardOut atomic.Uint64

	acceptedAddrs  []netip.AddrPort
	acceptedRoutes []wire.RouteID
	// acceptedProbe: addresses accepted on probe sockets (port probing).
	acceptedProbe []probeKey

	hs handshake
}

// handshake keeps WireGuard's latest handshake initiation to the peer (see handshake.go).
type handshake struct {
	mu      sync.Mutex
	pending bool
	at      time.Time
	msg     [handshakeInitiationLength]byte
}

// table is the data path's read-only index, rebuilt on every change.
type table struct {
	byAddr  map[netip.AddrPort]*Peer
	byRoute map[wire.RouteID]*Peer
	// byProbe: WireGuard accepted on a probe socket, by socket and source.
	byProbe map[probeKey]*Peer
}

// AddPeer registers a peer (idempotent); its path starts as none.
func (b *Bind) AddPeer(k proto.Key) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.peers[k] != nil {
		return nil
	}
	if len(b.peers) >= MaxPeers {
		return proto.Errorf(proto.CodeTooMany, "at most %d peers", MaxPeers)
	}
	p := &Peer{key: k}
	p.ep = &Endpoint{peer: p}
	p.path.Store(noPath)
	b.peers[k] = p
	return nil
}

// HasPeer reports whether k was added.
func (b *Bind) HasPeer(k proto.Key) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.peers[k] != nil
}

// RemovePeer forgets the peer, its path, addresses and routes.
func (b *Bind) RemovePeer(k proto.Key) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.peers[k] == nil {
		return unknownPeer()
	}
	delete(b.peers, k)
	b.rebuildLocked()
	return nil
}

// SetPath makes p the peer's live path; WireGuard from it is accepted from now on.
func (b *Bind) SetPath(k proto.Key, p proto.Path) error {
	if p.Kind != proto.PathNone {
		if err := b.reachable(p.To.Addr()); err != nil {
			return err
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	peer := b.peers[k]
	if peer == nil {
		return unknownPeer()
	}
	var probe *net.UDPConn
	if p.Socket != 0 {
		c, err := b.probeConnLocked(p.Socket)
		if err != nil {
			return err
		}
		probe = c
	}
	peer.path.Store(newPath(p, probe))
	if p.Kind != proto.PathNone {
		peer.reply.Store(nil)
	}
	b.rebuildLocked()
	return nil
}

// AcceptDirect also accepts the peer's WireGuard from this address, without sending there; on
// probe socket `socket` when it is not 0.
func (b *Bind) AcceptDirect(k proto.Key, from netip.AddrPort, socket uint16) error {
	if err := b.reachable(from.Addr()); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	peer := b.peers[k]
	if peer == nil {
		return unknownPeer()
	}
	if socket != 0 {
		if _, err := b.probeConnLocked(socket); err != nil {
			return err
		}
		peer.acceptedProbe = appendBounded(peer.acceptedProbe, probeKey{socket, from})
		b.rebuildLocked()
		return nil
	}
	peer.acceptedAddrs = appendBounded(peer.acceptedAddrs, from)
	b.rebuildLocked()
	return nil
}

// AcceptRoute also accepts the peer's WireGuard inside DATA frames of this relay route.
func (b *Bind) AcceptRoute(k proto.Key, r wire.RouteID) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	peer := b.peers[k]
	if peer == nil {
		return unknownPeer()
	}
	peer.acceptedRoutes = appendBounded(peer.acceptedRoutes, r)
	b.rebuildLocked()
	return nil
}

// appendBounded appends v unless present, forgetting the oldest beyond MaxAccepted.
func appendBounded[T comparable](list []T, v T) []T {
	for i, x := range list {
		if x == v {
			// Refreshed: move to the newest end so it is forgotten last.
			list = append(list[:i], list[i+1:]...)
			break
		}
	}
	list = append(list, v)
	if len(list) > MaxAccepted {
		list = append(list[:0], list[len(list)-MaxAccepted:]...)
	}
	return list
}

// rebuildLocked publishes a new lookup table. A live path wins over an accepted address or
// route that names another peer (it is what the core chose last).
func (b *Bind) rebuildLocked() {
	t := &table{byAddr: map[netip.AddrPort]*Peer{}, byRoute: map[wire.RouteID]*Peer{}, byProbe: map[probeKey]*Peer{}}
	for _, p := range b.peers {
		for _, a := range p.acceptedAddrs {
			t.byAddr[a] = p
		}
		for _, a := range p.acceptedProbe {
			t.byProbe[a] = p
		}
		for _, r := range p.acceptedRoutes {
			t.byRoute[r] = p
		}
	}
	for _, p := range b.peers {
		switch pt := p.path.Load(); pt.kind {
		case proto.PathDirect, proto.PathLAN:
			if pt.socket != 0 {
				t.byProbe[probeKey{pt.socket, pt.to}] = p
			} else {
				t.byAddr[pt.to] = p
			}
		case proto.PathRelay:
			t.byRoute[pt.route] = p
		}
	}
	b.table.Store(t)
}

func unknownPeer() error {
	return proto.Errorf(proto.CodeUnknownPeer, "no peer with that key")
}
