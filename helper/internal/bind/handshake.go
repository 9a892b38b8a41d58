package bind

import (
	"time"

	"github.com/lanrage/lanrage/helper/internal/proto"
)

// WireGuard sends a handshake initiation at once when a peer is configured, then waits its
// REKEY_TIMEOUT (5 s) before trying again. The first one usually leaves before any path is
// proven (no path yet, or a relay whose other side has not bound) and is lost: every new peer
// would wait 5 s for its tunnel. So the Bind keeps the latest initiation and the core asks for
// it to be sent again the moment a path is proven. A duplicate that did arrive is harmless:
// WireGuard drops an initiation whose timestamp it has already seen.
const (
	// HandshakeResendWindow: an initiation older than WireGuard's REKEY_TIMEOUT has been
	// replaced by WireGuard's own retry; resending it would only be dropped as a replay.
	HandshakeResendWindow     = 5 * time.Second
	handshakeInitiationType   = 1
	handshakeInitiationLength = 148
)

func (p *Peer) noteInitiation(buf []byte, now func() time.Time) {
	if len(buf) != handshakeInitiationLength || buf[0] != handshakeInitiationType {
		return
	}
	p.hs.mu.Lock()
	copy(p.hs.msg[:], buf)
	p.hs.at = now()
	p.hs.pending = true
	p.hs.mu.Unlock()
}

// ResendHandshake sends the peer's pending handshake initiation along its path again, once, if
// it is at most HandshakeResendWindow old. It reports whether it sent one.
func (b *Bind) ResendHandshake(k proto.Key) (bool, error) {
	b.mu.Lock()
	p := b.peers[k]
	b.mu.Unlock()
	if p == nil {
		return false, unknownPeer()
	}
	var msg [handshakeInitiationLength]byte
	p.hs.mu.Lock()
	fresh := p.hs.pending && b.now().Sub(p.hs.at) <= HandshakeResendWindow
	p.hs.pending = false
	msg = p.hs.msg
	p.hs.mu.Unlock()
	if !fresh {
		return false, nil
	}
	if err := b.sendAlong(p, [][]byte{msg[:]}); err != nil {
		return false, proto.Errorf(proto.CodeOS, "resend: %v", err)
	}
	return p.path.Load().kind != proto.PathNone || p.reply.Load() != nil, nil
}
