// Package bind is the helper's conn.Bind: wireguard-go's view of the network, on top of the
// one public UDP socket that STUN, probes and relay frames share with WireGuard.
//
//	public socket ──recv──▶ demux ─┬─ WireGuard from an accepted address ─────────▶ device
//	                               ├─ relay DATA of an accepted route, WireGuard ─▶ device (header stripped)
//	                               └─ anything else (STUN, probes, relay control) ─▶ Upstream (the core)
//	device ──Send(peer endpoint)──▶ the peer's path: direct/LAN address, or relay + DATA header
//
// Each peer has exactly one Endpoint object, handed to the device for every packet of that peer,
// so WireGuard's roaming never moves a peer: the core moves it with SetPath, and the WireGuard
// session never notices.
package bind

import (
	"errors"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"golang.zx2c4.com/wireguard/conn"

	"github.com/lanrage/lanrage/helper/internal/proto"
)

// Upstream takes the datagrams the helper does not consume, for the core. Deliver must copy
// the datagram and must not block (a full queue drops and returns false).
type Upstream interface {
	Deliver(from netip.AddrPort, datagram []byte) bool
}

// Options are the Bind's collaborators; zero values are filled with the real ones.
type Options struct {
	// Now is the clock of the handshake resend window; time.Now when nil.
	Now func() time.Time
	// BatchSize is how many packets one receive or send handles (recvmmsg/sendmmsg on Linux).
	BatchSize int
}

// Bind implements conn.Bind over a UDP socket it does not own: the tunnel opens the socket
// before the device exists and closes it after the device is gone.
type Bind struct {
	conn *net.UDPConn
	// ipv6: conn is dual-stack (listen.go), so IPv6 paths and sends are possible.
	ipv6  bool
	io    batchIO
	up    Upstream
	now   func() time.Time
	batch int

	open  atomic.Bool
	table atomic.Pointer[table]

	// mu serialises changes to peers and rebuilds of the lookup table; the data path never
	// takes it (it reads the table snapshot).
	mu    sync.Mutex
	peers map[proto.Key]*Peer
	// probes are the extra sockets of port probing (probe_sockets.go); guarded by mu.
	probes *probeState
	// closed ends the probe sockets' receive function when the device closes the Bind.
	closed chan struct{}

	stats counters
}

var _ conn.Bind = (*Bind)(nil)

// New makes the Bind over socket c (already bound; IPv4, or dual-stack from Listen).
func New(c *net.UDPConn, up Upstream, o Options) *Bind {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.BatchSize <= 0 {
		o.BatchSize = conn.IdealBatchSize
	}
	sizeBuffers(c)
	// Probe sockets are IPv4 (port probing is for IPv4 NATs): on the public socket's host
	// address, or any IPv4 address when the public socket is dual-stack.
	host := c.LocalAddr().(*net.UDPAddr).AddrPort().Addr().Unmap()
	if !host.Is4() {
		host = netip.IPv4Unspecified()
	}
	b := &Bind{
		conn: c, ipv6: isDualStack(c), up: up, now: o.Now, batch: o.BatchSize,
		peers: map[proto.Key]*Peer{}, probes: newProbeState(host),
	}
	b.io = newBatchIO(c, o.BatchSize)
	b.table.Store(&table{})
	return b
}

// LocalPort is the socket's bound port.
func (b *Bind) LocalPort() uint16 {
	return uint16(b.conn.LocalAddr().(*net.UDPAddr).Port)
}

// IPv6 reports whether the socket takes and sends IPv6 (it is dual-stack).
func (b *Bind) IPv6() bool { return b.ipv6 }

// reachable refuses an IPv6 address on an IPv4-only socket, before anything changes.
func (b *Bind) reachable(a netip.Addr) error {
	if a.Is6() && !a.Is4In6() && !b.ipv6 {
		return proto.Errorf(proto.CodeUnsupported, "the public socket is IPv4 only on this machine")
	}
	return nil
}

// Open starts delivering packets to the device; the port is the socket's own (the device's
// listen_port is never set).
func (b *Bind) Open(uint16) ([]conn.ReceiveFunc, uint16, error) {
	if !b.open.CompareAndSwap(false, true) {
		return nil, 0, conn.ErrBindAlreadyOpen
	}
	// Undo Close's deadline: the socket outlives Close/Open cycles of the device.
	if err := b.conn.SetReadDeadline(time.Time{}); err != nil {
		b.open.Store(false)
		return nil, 0, err
	}
	b.mu.Lock()
	b.closed = make(chan struct{})
	closed := b.closed
	b.mu.Unlock()
	return []conn.ReceiveFunc{b.makeReceiveFunc(), b.makeProbeReceiveFunc(closed)}, b.LocalPort(), nil
}

// Close makes the receive function return net.ErrClosed; the socket stays open.
func (b *Bind) Close() error {
	if b.open.CompareAndSwap(true, false) {
		b.mu.Lock()
		close(b.closed)
		b.mu.Unlock()
		// Wakes a receive blocked in the kernel; it then sees !open and returns ErrClosed.
		return b.conn.SetReadDeadline(time.Unix(1, 0))
	}
	return nil
}

// SetMark is not used by LANrage (no policy routing of the helper's own packets).
func (b *Bind) SetMark(uint32) error { return nil }

// BatchSize is how many packets the device hands to Send and ReceiveFunc at most.
func (b *Bind) BatchSize() int { return b.batch }

// ParseEndpoint resolves the endpoint string the tunnel gives the device for a peer: the
// peer's public key in hex. Only peers added with AddPeer have one.
func (b *Bind) ParseEndpoint(s string) (conn.Endpoint, error) {
	k, err := keyFromHex(s)
	if err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	p := b.peers[k]
	if p == nil {
		return nil, errors.New("endpoint names no peer of this bind")
	}
	return p.ep, nil
}

// Send is the device's way out: along the peer's path.
func (b *Bind) Send(bufs [][]byte, ep conn.Endpoint) error {
	e, ok := ep.(*Endpoint)
	if !ok {
		return conn.ErrWrongEndpointType
	}
	p := e.peer
	for _, buf := range bufs {
		p.noteInitiation(buf, b.now)
	}
	return b.sendAlong(p, bufs)
}

func (b *Bind) sendAlong(p *Peer, bufs [][]byte) error {
	pt := p.path.Load()
	if pt.kind == proto.PathNone {
		// No path chosen yet, but the peer's WireGuard reached us: answer the way it came, as
		// WireGuard itself does (else our handshake response would wait for our own path).
		if pt = p.reply.Load(); pt == nil {
			b.stats.droppedNoPath.Add(uint64(len(bufs)))
			return nil
		}
	}
	write := b.io.write
	if pt.conn != nil {
		write = writeProbe
	}
	if err := write(bufs, pt); err != nil {
		b.stats.sendErrors.Add(1)
		return err
	}
	p.wireguardOut.Add(uint64(len(bufs)))
	b.stats.wireguardOut.Add(uint64(len(bufs)))
	return nil
}

// SendTo sends one datagram for the core (STUN, probes, relay BINDs) with an optional TTL.
func (b *Bind) SendTo(to netip.AddrPort, ttl uint8, payload []byte) error {
	err := b.reachable(to.Addr())
	if err != nil {
		b.stats.sendErrors.Add(1)
		return err
	}
	if ttl == 0 {
		_, err = b.conn.WriteToUDPAddrPort(payload, to)
	} else {
		err = sendWithTTL(b.conn, to, ttl, payload)
	}
	if err != nil {
		b.stats.sendErrors.Add(1)
	}
	return err
}
