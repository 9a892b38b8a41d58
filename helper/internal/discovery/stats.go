package discovery

// Stats is the discovery part of the helper's `stats` result (helper/PROTOCOL.md).
type Stats struct {
	Enabled bool `json:"enabled"`
	// Forwarded counts discovery packets from this member sent to at least one peer.
	Forwarded uint64 `json:"forwarded"`
	// SourceRewritten counts forwarded packets whose home-network source became our virtual IP.
	SourceRewritten uint64 `json:"sourceRewritten"`
	// DroppedForeignSource counts discovery packets from another member's address: delivered
	// copies coming back, which are never forwarded again (the loop guard).
	DroppedForeignSource uint64 `json:"droppedForeignSource"`
	DroppedOversize      uint64 `json:"droppedOversize"`
	// DroppedMalformed counts broadcast/multicast that is not whole IPv4/UDP, and envelopes
	// that fail a check (checksum, version, inner source, inner destination).
	DroppedMalformed   uint64 `json:"droppedMalformed"`
	DroppedDisabled    uint64 `json:"droppedDisabled"`
	DroppedUnknownPeer uint64 `json:"droppedUnknownPeer"`
	// InjectDropped counts envelopes the WireGuard queue had no room for.
	InjectDropped uint64      `json:"injectDropped"`
	Peers         []PeerStats `json:"peers"`
}

// PeerStats counts one peer's discovery traffic; the limits are the token buckets'.
type PeerStats struct {
	Peer           string `json:"peer"`
	Forwarded      uint64 `json:"forwarded"`
	ForwardedBytes uint64 `json:"forwardedBytes"`
	Received       uint64 `json:"received"`
	ReceivedBytes  uint64 `json:"receivedBytes"`
	LimitedOut     uint64 `json:"limitedOut"`
	LimitedIn      uint64 `json:"limitedIn"`
}

// Stats returns the counters now; peers in the order they were added.
func (f *Forwarder) Stats() Stats {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := &f.counts
	st := Stats{
		Enabled:              f.cfg.enabled,
		Forwarded:            c.forwarded.Load(),
		SourceRewritten:      c.sourceRewritten.Load(),
		DroppedForeignSource: c.droppedForeignSource.Load(),
		DroppedOversize:      c.droppedOversize.Load(),
		DroppedMalformed:     c.droppedMalformed.Load(),
		DroppedDisabled:      c.droppedDisabled.Load(),
		DroppedUnknownPeer:   c.droppedUnknownPeer.Load(),
		InjectDropped:        c.injectDropped.Load(),
		Peers:                make([]PeerStats, 0, len(f.cfg.order)),
	}
	for _, id := range f.cfg.order {
		pc := &f.cfg.peers[id].counters
		st.Peers = append(st.Peers, PeerStats{
			Peer:           id,
			Forwarded:      pc.forwarded.Load(),
			ForwardedBytes: pc.forwardedBytes.Load(),
			Received:       pc.received.Load(),
			ReceivedBytes:  pc.receivedBytes.Load(),
			LimitedOut:     pc.limitedOut.Load(),
			LimitedIn:      pc.limitedIn.Load(),
		})
	}
	return st
}
