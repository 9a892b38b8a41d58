package bind

import (
	"net"
	"net/netip"

	"golang.zx2c4.com/wireguard/conn"

	"github.com/lanrage/lanrage/helper/internal/proto"
	"github.com/lanrage/lanrage/helper/internal/wire"
)

func (b *Bind) makeReceiveFunc() conn.ReceiveFunc {
	r := b.io.newReader()
	return func(packets [][]byte, sizes []int, eps []conn.Endpoint) (int, error) {
		n, err := r.read(packets, sizes)
		if err != nil {
			if !b.open.Load() {
				return 0, net.ErrClosed
			}
			return 0, err
		}
		t := b.table.Load()
		for i := 0; i < n; i++ {
			sizes[i] = b.demux(t, packets[i][:sizes[i]], r.from(i), &eps[i])
		}
		return n, nil
	}
}

// demux decides one datagram: the size of the WireGuard message left at the start of pkt for
// the device, or 0 when the device must skip it (sent up to the core, or dropped and counted).
func (b *Bind) demux(t *table, pkt []byte, from netip.AddrPort, ep *conn.Endpoint) int {
	switch wire.Classify(pkt) {
	case wire.KindWireGuard:
		p := t.byAddr[from]
		if p == nil {
			b.stats.droppedUnknownSource.Add(1)
			return 0
		}
		if p.path.Load().kind == proto.PathNone {
			p.noteReply(proto.PathDirect, from, wire.RouteID{})
		}
		return b.toDevice(p, ep, len(pkt))
	case wire.KindRelay:
		if pkt[wire.RelayTypeOffset] != wire.RelayTypeData {
			break // BIND_ACK and other control frames: the core's
		}
		route, payload, err := wire.ParseRelayData(pkt)
		if err != nil {
			b.stats.droppedUnknownKind.Add(1)
			return 0
		}
		if !wire.IsWireGuard(payload) {
			break // a probe through the relay: the core's
		}
		p := t.byRoute[route]
		if p == nil {
			b.stats.droppedUnknownSource.Add(1)
			return 0
		}
		if p.path.Load().kind == proto.PathNone {
			p.noteReply(proto.PathRelay, from, route)
		}
		// The device reads the message from the start of its buffer: move it over the header
		// (a memmove within the buffer; no allocation).
		n := copy(pkt, payload)
		return b.toDevice(p, ep, n)
	}
	if b.up.Deliver(from, pkt) {
		b.stats.upToCore.Add(1)
	} else {
		b.stats.upDropped.Add(1)
	}
	return 0
}

func (b *Bind) toDevice(p *Peer, ep *conn.Endpoint, n int) int {
	*ep = p.ep
	p.wireguardIn.Add(1)
	b.stats.wireguardIn.Add(1)
	return n
}

// noteReply remembers the way the peer's WireGuard came, allocating only when it changed.
func (p *Peer) noteReply(kind proto.PathKind, from netip.AddrPort, route wire.RouteID) {
	if r := p.reply.Load(); r != nil && r.same(kind, from, route) {
		return
	}
	p.reply.Store(newPath(proto.Path{Kind: kind, To: from, Route: route}, nil))
}
