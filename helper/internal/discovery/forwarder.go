package discovery

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lanrage/lanrage/helper/internal/tunhook"
)

// DefaultMTU is the tunnel MTU LANrage uses (WireGuard's 1,420); MaxInner follows from it.
const DefaultMTU = 1420

// Options tune a Forwarder; zero fields take the defaults.
type Options struct {
	// MTU of the tunnel interface: an envelope must fit it, so inner packets are at most
	// MTU − EnvelopeOverhead bytes.
	MTU int
	// RatePerSecond and Burst are each peer's token bucket, each way.
	RatePerSecond float64
	Burst         float64
	// Now is the clock (tests pass a fake one).
	Now func() time.Time
	// DeliverSubnetBroadcastAsLimited rewrites a delivered subnet broadcast to 255.255.255.255:
	// on macOS, where a utun interface has no broadcast address and would not accept it.
	DeliverSubnetBroadcastAsLimited bool
}

// Forwarder implements tunhook.Hook: it fans discovery packets from the OS out to every peer in
// envelopes, and delivers envelopes from peers to the OS (see the package comment).
//
// FromOS and ToOS each run on one data-path goroutine; the configuration methods may be called
// from any goroutine. The data path reads an immutable snapshot of the configuration through an
// atomic pointer and never takes the configuration lock.
type Forwarder struct {
	rate, burst float64
	maxInner    int
	now         func() time.Time
	subnetAsLBC bool

	mu     sync.Mutex // serialises configuration changes; guards cfg
	cfg    config
	state  atomic.Pointer[snapshot]
	counts globalCounters

	scratch []byte // FromOS's envelope buffer: FromOS runs on one goroutine
}

// config is what the helper told us; snapshot is derived from it.
type config struct {
	enabled bool
	self    netip.Addr
	subnet  netip.Prefix
	peers   map[string]*peer // by WireGuard public key
	order   []string         // insertion order, for stable stats
}

type snapshot struct {
	enabled     bool
	self        netip.Addr
	self4       [4]byte
	subnet      netip.Prefix
	subnetBcast netip.Addr
	bcast4      [4]byte  // subnetBcast's bytes, for the fast path
	targets     []target // peers with a virtual IP in the subnet
	byVIP       map[netip.Addr]*peer
}

// target is a peer as one snapshot sees it: its virtual IP is fixed for the snapshot's life.
type target struct {
	p    *peer
	vip4 [4]byte
}

// peer is one member. Its counters and buckets outlive configuration changes (set-peer again).
type peer struct {
	id      string
	allowed []netip.Prefix // guarded by the Forwarder's config lock

	// out is owned by the FromOS goroutine and in by the ToOS goroutine (tunhook runs each on
	// one goroutine), so neither needs a lock.
	out, in  bucket
	counters peerCounters
}

type peerCounters struct {
	forwarded, forwardedBytes, received, receivedBytes, limitedOut, limitedIn atomic.Uint64
}

type globalCounters struct {
	forwarded, sourceRewritten, droppedForeignSource, droppedOversize, droppedMalformed,
	droppedDisabled, droppedUnknownPeer, injectDropped atomic.Uint64
}

// New returns a Forwarder that forwards nothing until SetAddress is called; discovery starts
// enabled (the core turns it off with SetEnabled(false) when the user did).
func New(opts Options) *Forwarder {
	f := &Forwarder{
		rate:        opts.RatePerSecond,
		burst:       opts.Burst,
		now:         opts.Now,
		subnetAsLBC: opts.DeliverSubnetBroadcastAsLimited,
		cfg:         config{enabled: true, peers: map[string]*peer{}},
	}
	if f.rate <= 0 {
		f.rate = DefaultRatePerSecond
	}
	if f.burst < 1 {
		f.burst = DefaultBurst
	}
	if f.now == nil {
		f.now = time.Now
	}
	mtu := opts.MTU
	if mtu <= 0 {
		mtu = DefaultMTU
	}
	f.maxInner = mtu - EnvelopeOverhead
	f.scratch = make([]byte, mtu)
	f.publish()
	return f
}

// MaxInner is the largest discovery packet carried (bytes of the whole inner IPv4 packet).
func (f *Forwarder) MaxInner() int { return f.maxInner }

// SetAddress tells the Forwarder this member's virtual IP and the party subnet (10.66.0.0/16).
func (f *Forwarder) SetAddress(self netip.Addr, subnet netip.Prefix) error {
	if !self.Is4() || !subnet.Addr().Is4() || !subnet.Contains(self) || subnet.Bits() > 30 {
		return errors.New("discovery: the address must be IPv4 inside an IPv4 subnet of /30 or wider")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cfg.self, f.cfg.subnet = self, subnet.Masked()
	f.publish()
	return nil
}

// SetEnabled turns forwarding and delivery on or off (the user's setting).
func (f *Forwarder) SetEnabled(on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cfg.enabled = on
	f.publish()
}

// SetPeer adds or updates a peer by its public key; its virtual IP is its first single-address
// allowed IP inside the party subnet. Its counters and rate limits survive an update.
func (f *Forwarder) SetPeer(id string, allowed []netip.Prefix) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p, ok := f.cfg.peers[id]
	if !ok {
		p = &peer{id: id}
		f.cfg.peers[id] = p
		f.cfg.order = append(f.cfg.order, id)
	}
	p.allowed = append([]netip.Prefix(nil), allowed...)
	f.publish()
}

// RemovePeer forgets a peer and its counters.
func (f *Forwarder) RemovePeer(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.cfg.peers[id]; !ok {
		return
	}
	delete(f.cfg.peers, id)
	for i, o := range f.cfg.order {
		if o == id {
			f.cfg.order = append(f.cfg.order[:i:i], f.cfg.order[i+1:]...)
			break
		}
	}
	f.publish()
}

// publish builds a new snapshot from cfg; the caller holds mu (or owns f exclusively).
func (f *Forwarder) publish() {
	s := &snapshot{
		enabled: f.cfg.enabled,
		self:    f.cfg.self,
		subnet:  f.cfg.subnet,
		byVIP:   map[netip.Addr]*peer{},
	}
	if s.self.IsValid() {
		s.self4 = s.self.As4()
		s.subnetBcast = SubnetBroadcastOf(s.subnet)
		if s.subnetBcast.IsValid() {
			s.bcast4 = s.subnetBcast.As4()
		}
	}
	for _, id := range f.cfg.order {
		p := f.cfg.peers[id]
		for _, a := range p.allowed {
			vip := a.Addr()
			if a.Bits() == 32 && vip.Is4() && s.subnet.IsValid() && s.subnet.Contains(vip) &&
				vip != s.self && vip != s.subnetBcast && s.byVIP[vip] == nil {
				s.targets = append(s.targets, target{p: p, vip4: vip.As4()})
				s.byVIP[vip] = p
				break
			}
		}
	}
	f.state.Store(s)
}

var _ tunhook.Hook = (*Forwarder)(nil)

// FromOS fans a discovery packet the OS sent into the interface out to every peer, in
// envelopes, and drops the original (WireGuard could not route it). Everything else passes.
func (f *Forwarder) FromOS(packet []byte, inject tunhook.Injector) tunhook.Verdict {
	// Fast path: one length check and two byte compares for an ordinary unicast packet.
	if len(packet) < ipMinHeader || packet[ipVersionIHL]>>4 != 4 {
		return tunhook.Pass
	}
	s := f.state.Load()
	dst := [4]byte(packet[ipDst : ipDst+4])
	// Every packet of the tunnel passes here: unicast below 224.0.0.0 leaves after two compares.
	if !s.self.IsValid() || (dst[0] < 224 && dst != s.bcast4) {
		return tunhook.Pass
	}
	kind := Classify(netip.AddrFrom4(dst), s.subnetBcast)
	if !kind.forwardable() {
		return tunhook.Pass
	}
	// From here on the packet is discovery: WireGuard would drop it, so the original never
	// goes on whatever happens to the copies.
	if !s.enabled {
		f.counts.droppedDisabled.Add(1)
		return tunhook.Drop
	}
	v, ok := parseUDP4(packet)
	if !ok || !carriable(packet, v) {
		// Not UDP (IGMP, ICMP), a fragment, lengths that lie, a bad checksum: the peer would
		// refuse it, so it is not worth the uplink.
		f.counts.droppedMalformed.Add(1)
		return tunhook.Drop
	}
	switch {
	case v.src == s.self:
	case s.subnet.Contains(v.src) || v.src.IsUnspecified():
		// Another member's address: a packet we delivered, looping back. Never again.
		f.counts.droppedForeignSource.Add(1)
		return tunhook.Drop
	default:
		// The OS duplicated a home-network broadcast into the interface (discoveryos): its source
		// is the home address, which peers could not answer. Ours they can.
		RewriteSource(packet, s.self)
		f.counts.sourceRewritten.Add(1)
	}
	if len(packet) > f.maxInner {
		f.counts.droppedOversize.Add(1)
		return tunhook.Drop
	}
	f.fanOut(s, packet, inject)
	return tunhook.Drop
}

// fanOut sends one envelope per peer whose outgoing bucket has a token.
func (f *Forwarder) fanOut(s *snapshot, packet []byte, inject tunhook.Injector) {
	innerSum := sum16(0, packet)
	now := f.now()
	sent := false
	for _, t := range s.targets {
		p := t.p
		if !p.out.take(now, f.rate, f.burst) {
			p.counters.limitedOut.Add(1)
			continue
		}
		n := encodeEnvelope(f.scratch, packet, innerSum, s.self4, t.vip4)
		if !inject.Inject(f.scratch[:n]) {
			f.counts.injectDropped.Add(1)
			continue
		}
		p.counters.forwarded.Add(1)
		p.counters.forwardedBytes.Add(uint64(n))
		sent = true
	}
	if sent {
		f.counts.forwarded.Add(1)
	}
}

// ToOS unwraps an envelope from a peer into the broadcast/multicast packet it carries; any other
// packet passes unchanged. It never injects: a delivered packet cannot be forwarded again.
func (f *Forwarder) ToOS(packet []byte) []byte {
	// Fast path: envelopes are UDP to EnvelopePort; every other packet leaves after three reads.
	if len(packet) < EnvelopeOverhead+ipMinHeader+udpHeader || packet[ipProtocol] != protoUDP {
		return packet
	}
	if ihl := int(packet[ipVersionIHL]&0x0f) * 4; ihl+udpHeader > len(packet) ||
		binary.BigEndian.Uint16(packet[ihl+udpDstPort:]) != EnvelopePort {
		return packet
	}
	s := f.state.Load()
	if !s.self.IsValid() {
		return packet
	}
	res, inner, from, kind := decodeEnvelope(packet, s.self, s.subnetBcast)
	switch res {
	case notEnvelope:
		return packet
	case badEnvelope:
		f.counts.droppedMalformed.Add(1)
		return nil
	}
	p := s.byVIP[from]
	if p == nil {
		f.counts.droppedUnknownPeer.Add(1)
		return nil
	}
	if !s.enabled {
		f.counts.droppedDisabled.Add(1)
		return nil
	}
	if !p.in.take(f.now(), f.rate, f.burst) {
		p.counters.limitedIn.Add(1)
		return nil
	}
	if kind == SubnetBroadcast && f.subnetAsLBC {
		RewriteDestination(inner, limitedBroadcast)
	}
	p.counters.received.Add(1)
	p.counters.receivedBytes.Add(uint64(len(inner)))
	return inner
}
