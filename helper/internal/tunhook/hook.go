// Package tunhook is the seam between the OS side of the TUN interface and the WireGuard device.
//
// Game discovery (issue 11, package helper/internal/discovery) plugs in here: it sees every
// packet the OS sends into the interface before WireGuard routes it (WireGuard, being layer 3,
// would drop broadcast and multicast: no peer's allowed IPs match 255.255.255.255), may hand
// extra packets to WireGuard (e.g. a copy per peer), and sees every decrypted packet before it is
// written to the OS.
//
//	OS ──write──▶ TUN ──Read──▶ Hook.FromOS ──pass──▶ WireGuard device ──▶ peers
//	                                 └── Injector.Inject(copy) ──▶ WireGuard device
//	OS ◀──read─── TUN ◀─Write── Hook.ToOS ◀─────────── WireGuard device ◀── peers
//
// The helper wraps its TUN device with Wrap(dev, hook); a nil hook costs one branch per batch.
package tunhook

// Verdict is what a Hook decides for one packet.
type Verdict uint8

const (
	// Pass lets the packet continue unchanged (or as the hook rewrote it in place).
	Pass Verdict = iota
	// Drop removes the packet: WireGuard (FromOS) or the OS (ToOS) never sees it.
	Drop
)

// Injector queues packets for the WireGuard device as if the OS had written them into the TUN:
// WireGuard routes each by its destination address (allowed IPs) and encrypts it for that peer.
// Inject copies the packet, so the caller may reuse its buffer; it never blocks: when the queue
// is full the packet is dropped and Inject returns false.
type Injector interface {
	Inject(packet []byte) bool
}

// Hook sees the packets between the OS and the WireGuard device. Both methods run on the data
// path (one goroutine each), so they must not block and should not allocate per packet.
type Hook interface {
	// FromOS is called for each IP packet the OS sent into the interface, before WireGuard
	// routes it. The hook may rewrite the packet in place (same length), inject extra packets,
	// and drop the original.
	FromOS(packet []byte, inject Injector) Verdict
	// ToOS is called for each decrypted IP packet before it is written to the OS. It returns
	// the packet to write: packet itself (possibly rewritten in place), a sub-slice of it (e.g.
	// with an outer header removed), or nil to drop it.
	ToOS(packet []byte) []byte
}
