package bind

import (
	"sync/atomic"

	"github.com/lanrage/lanrage/helper/internal/proto"
)

type counters struct {
	wireguardIn, wireguardOut                atomic.Uint64
	upToCore, upDropped                      atomic.Uint64
	droppedUnknownSource, droppedUnknownKind atomic.Uint64
	droppedNoPath, sendErrors                atomic.Uint64
}

// SocketStats is a snapshot of the socket's counters (PROTOCOL.md, stats).
func (b *Bind) SocketStats() proto.SocketStats {
	s := &b.stats
	return proto.SocketStats{
		WireGuardIn: s.wireguardIn.Load(), WireGuardOut: s.wireguardOut.Load(),
		UpToCore: s.upToCore.Load(), UpDropped: s.upDropped.Load(),
		DroppedUnknownSource: s.droppedUnknownSource.Load(), DroppedUnknownKind: s.droppedUnknownKind.Load(),
		DroppedNoPath: s.droppedNoPath.Load(), SendErrors: s.sendErrors.Load(),
	}
}

// PeerCounters is one peer's share of the counters.
type PeerCounters struct {
	Key          proto.Key
	Path         proto.PathJSON
	WireGuardIn  uint64
	WireGuardOut uint64
}

// PeerStats lists every peer with its path and counters.
func (b *Bind) PeerStats() []PeerCounters {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]PeerCounters, 0, len(b.peers))
	for k, p := range b.peers {
		out = append(out, PeerCounters{
			Key: k, Path: p.path.Load().json(),
			WireGuardIn: p.wireguardIn.Load(), WireGuardOut: p.wireguardOut.Load(),
		})
	}
	return out
}
