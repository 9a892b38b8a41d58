package bind

import (
	"net"
	"net/netip"
	"sync"

	"golang.zx2c4.com/wireguard/conn"

	"github.com/lanrage/lanrage/helper/internal/proto"
	"github.com/lanrage/lanrage/helper/internal/wire"
)

// Probe sockets (PROTOCOL.md, "Port probing"): extra UDP sockets the core opens when our NAT is
// symmetric and the peer's is a cone. Each socket gets its own mapping on our NAT; the peer
// probes random ports of our public IP, and the socket whose mapping it hits answers. That
// socket then carries the peer's WireGuard (a path with Socket set); the core closes the rest.
//
//	probe socket k ──recv──▶ WireGuard from an address accepted on k ─▶ probeIn ─▶ device
//	                 └────── anything else ─▶ Upstream.DeliverProbe(k, …) (the core)
//	device ──Send──▶ a path with Socket k: written on probe socket k
//
// The data path stays lock-free: a path holds its socket's *net.UDPConn, and the receive side
// reads the same table snapshot as the public socket.

// probeReadBuffer holds any WireGuard message of the largest MTU (9000 + 32 bytes of WireGuard
// and more) and any probe; 256 sockets cost 2.3 MiB of buffers.
const probeReadBuffer = 9216

// probeInQueue bounds WireGuard packets waiting for the device from probe sockets: one carries a
// peer's whole tunnel after probing, as bursty as the public socket; the device drains it in
// batches. Beyond it packets are dropped (counted as upDropped's sibling, droppedNoPath stays).
const probeInQueue = 512

// ProbeUpstream takes what arrives on probe sockets and is not WireGuard of an accepted peer.
type ProbeUpstream interface {
	DeliverProbe(socket uint16, from netip.AddrPort, datagram []byte) bool
}

type probeSocket struct {
	index uint16
	conn  *net.UDPConn
}

type probeKey struct {
	socket uint16
	from   netip.AddrPort
}

type probePacket struct {
	buf  []byte
	peer *Peer
}

// probeState is the Bind's set of probe sockets; guarded by Bind.mu.
type probeState struct {
	host    netip.Addr
	sockets map[uint16]*probeSocket
	next    uint16
	in      chan probePacket
	pool    sync.Pool
}

func newProbeState(host netip.Addr) *probeState {
	s := &probeState{host: host, sockets: map[uint16]*probeSocket{}, next: 1, in: make(chan probePacket, probeInQueue)}
	s.pool.New = func() any { return make([]byte, probeReadBuffer) }
	return s
}

// OpenProbes opens count probe sockets on the public socket's address (port chosen by the OS)
// and starts reading them. All or nothing: on any failure the ones opened are closed again.
func (b *Bind) OpenProbes(count int) ([]proto.ProbeSocketJSON, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.probes.sockets)+count > proto.MaxProbeSockets {
		return nil, proto.Errorf(proto.CodeTooMany, "%d probe sockets are open; at most %d", len(b.probes.sockets), proto.MaxProbeSockets)
	}
	opened := make([]*probeSocket, 0, count)
	for len(opened) < count {
		c, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(b.probes.host, 0)))
		if err != nil {
			for _, s := range opened {
				s.conn.Close()
			}
			return nil, proto.Errorf(proto.CodeOS, "opening probe socket: %v", err)
		}
		opened = append(opened, &probeSocket{index: b.nextProbeIndexLocked(), conn: c})
		b.probes.sockets[opened[len(opened)-1].index] = opened[len(opened)-1]
	}
	out := make([]proto.ProbeSocketJSON, 0, count)
	for _, s := range opened {
		out = append(out, proto.ProbeSocketJSON{Socket: s.index, Port: uint16(s.conn.LocalAddr().(*net.UDPAddr).Port)})
		go b.readProbe(s)
	}
	return out, nil
}

// nextProbeIndexLocked hands out indices 1…65535 in turn, skipping open ones, so a late datagram
// of a closed socket is never mistaken for one of its successor.
func (b *Bind) nextProbeIndexLocked() uint16 {
	for {
		i := b.probes.next
		b.probes.next++
		if b.probes.next == 0 {
			b.probes.next = 1
		}
		if b.probes.sockets[i] == nil {
			return i
		}
	}
}

// CloseProbes closes the named probe sockets (unknown ones are skipped) and reports how many it
// closed. A socket that carries a peer's path is refused, and then nothing is closed.
func (b *Bind) CloseProbes(indices []uint16) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, i := range indices {
		if b.probes.sockets[i] != nil && b.probeInUseLocked(i) {
			return 0, proto.Errorf(proto.CodeBadArgs, "probe socket %d carries a peer's path; move the peer first", i)
		}
	}
	closed := 0
	for _, i := range indices {
		if s := b.probes.sockets[i]; s != nil {
			s.conn.Close()
			delete(b.probes.sockets, i)
			closed++
		}
	}
	b.dropProbeAcceptsLocked()
	b.rebuildLocked()
	return closed, nil
}

// CloseAllProbes closes every probe socket (the tunnel is closing).
func (b *Bind) CloseAllProbes() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for i, s := range b.probes.sockets {
		s.conn.Close()
		delete(b.probes.sockets, i)
	}
}

// ProbeSocketCount is how many probe sockets are open.
func (b *Bind) ProbeSocketCount() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.probes.sockets)
}

func (b *Bind) probeInUseLocked(i uint16) bool {
	for _, p := range b.peers {
		if p.path.Load().socket == i {
			return true
		}
	}
	return false
}

// dropProbeAcceptsLocked forgets accepted addresses on probe sockets that are gone.
func (b *Bind) dropProbeAcceptsLocked() {
	for _, p := range b.peers {
		kept := p.acceptedProbe[:0]
		for _, k := range p.acceptedProbe {
			if b.probes.sockets[k.socket] != nil {
				kept = append(kept, k)
			}
		}
		p.acceptedProbe = kept
	}
}

// probeConnLocked is probe socket i's connection, or an error naming it.
func (b *Bind) probeConnLocked(i uint16) (*net.UDPConn, error) {
	if s := b.probes.sockets[i]; s != nil {
		return s.conn, nil
	}
	return nil, proto.Errorf(proto.CodeBadArgs, "probe socket %d is not open", i)
}

// SendFromProbe sends one datagram for the core from probe socket i, with an optional TTL.
func (b *Bind) SendFromProbe(i uint16, to netip.AddrPort, ttl uint8, payload []byte) error {
	b.mu.Lock()
	c, err := b.probeConnLocked(i)
	b.mu.Unlock()
	if err != nil {
		return err
	}
	if ttl == 0 {
		_, err = c.WriteToUDPAddrPort(payload, to)
	} else {
		err = sendWithTTL(c, to, ttl, payload)
	}
	if err != nil {
		b.stats.sendErrors.Add(1)
	}
	return err
}

// readProbe is one probe socket's receive loop; it ends when the socket is closed.
func (b *Bind) readProbe(s *probeSocket) {
	for {
		buf := b.probes.pool.Get().([]byte)
		n, from, err := s.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			b.probes.pool.Put(buf) //nolint:staticcheck // a slice header; fine for a pool of buffers
			return
		}
		from = netip.AddrPortFrom(from.Addr().Unmap(), from.Port())
		pkt := buf[:n]
		if wire.Classify(pkt) == wire.KindWireGuard {
			p := b.table.Load().byProbe[probeKey{s.index, from}]
			if p == nil {
				b.stats.droppedUnknownSource.Add(1)
				b.probes.pool.Put(buf) //nolint:staticcheck
				continue
			}
			select {
			case b.probes.in <- probePacket{buf: pkt, peer: p}:
			default:
				b.stats.upDropped.Add(1)
				b.probes.pool.Put(buf) //nolint:staticcheck
			}
			continue
		}
		if up, ok := b.up.(ProbeUpstream); ok && up.DeliverProbe(s.index, from, pkt) {
			b.stats.upToCore.Add(1)
		} else {
			b.stats.upDropped.Add(1)
		}
		b.probes.pool.Put(buf) //nolint:staticcheck
	}
}

// makeProbeReceiveFunc hands WireGuard from probe sockets to the device; it returns
// net.ErrClosed once the Bind is closed (the device then stops calling it).
func (b *Bind) makeProbeReceiveFunc(closed <-chan struct{}) conn.ReceiveFunc {
	return func(packets [][]byte, sizes []int, eps []conn.Endpoint) (int, error) {
		var first probePacket
		select {
		case first = <-b.probes.in:
		case <-closed:
			return 0, net.ErrClosed
		}
		n := 0
		take := func(pp probePacket) {
			sizes[n] = copy(packets[n], pp.buf)
			b.probes.pool.Put(pp.buf[:cap(pp.buf)]) //nolint:staticcheck
			b.toDevice(pp.peer, &eps[n], sizes[n])
			n++
		}
		take(first)
		for n < len(packets) {
			select {
			case pp := <-b.probes.in:
				take(pp)
			default:
				return n, nil
			}
		}
		return n, nil
	}
}

// writeProbe sends WireGuard along a path on a probe socket, one datagram at a time (a probe
// socket carries one peer; no batching needed at LAN-party rates).
func writeProbe(bufs [][]byte, pt *path) error {
	for _, buf := range bufs {
		if _, err := pt.conn.WriteToUDP(buf, pt.udp); err != nil {
			return err
		}
	}
	return nil
}
