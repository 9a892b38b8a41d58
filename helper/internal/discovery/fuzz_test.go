package discovery

import (
	"bytes"
	"net/netip"
	"testing"
	"time"
)

// FuzzToOS feeds arbitrary decrypted packets to the receive path: it must never panic, pass
// non-envelopes unchanged, and deliver only a whole, checksum-valid UDP broadcast/multicast
// packet from the peer that sent the envelope.
func FuzzToOS(f *testing.F) {
	for _, h := range []string{hexEnvelopeAToB, hexA2SFromA, hexMinecraftFromA} {
		b, _ := hexDecode(h)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		clock := &fakeClock{t: time.Unix(1000, 0)}
		b := member(t, clock, addrB, map[string]netip.Addr{keyA: addrA})
		before := append([]byte(nil), p...)
		out := b.ToOS(p)
		switch {
		case out == nil:
		case bytes.Equal(out, before) && len(out) == len(p) && (len(p) == 0 || &out[0] == &p[0]):
			// passed unchanged
		default:
			v, ok := parseUDP4(out)
			if !ok || !checksumsValid(out) || v.src != addrA || !Classify(v.dst, netip.MustParseAddr("10.66.255.255")).forwardable() {
				t.Fatalf("delivered %x from %x", out, before)
			}
		}
	})
}

// FuzzFromOSRoundTrip sends arbitrary packets from A: every envelope must be checksum-valid, fit
// the MTU, and come out at the peer as exactly the packet A's OS sent (with A's address as its
// source); the peer's own FromOS must never forward what it delivered.
func FuzzFromOSRoundTrip(f *testing.F) {
	for _, h := range []string{hexA2SFromA, hexA2SFromHome, hexMinecraftFromA, hexSubnetBcastFromA} {
		b, _ := hexDecode(h)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		clock := &fakeClock{t: time.Unix(1000, 0)}
		a := member(t, clock, addrA, map[string]netip.Addr{keyB: addrB})
		b := member(t, clock, addrB, map[string]netip.Addr{keyA: addrA})
		inj := &collector{}
		a.FromOS(p, inj) // may rewrite p's source in place
		for _, e := range inj.packets {
			if len(e) > DefaultMTU || !checksumsValid(e) {
				t.Fatalf("bad envelope %x", e)
			}
			out := b.ToOS(append([]byte(nil), e...))
			if !bytes.Equal(out, p) {
				t.Fatalf("delivered %x, sent %x", out, p)
			}
			again := &collector{}
			b.FromOS(out, again)
			if len(again.packets) != 0 {
				t.Fatalf("re-forwarded %x", out)
			}
		}
	})
}

// FuzzRewriteSource: a rewritten packet has valid checksums whenever the original had.
func FuzzRewriteSource(f *testing.F) {
	b, _ := hexDecode(hexA2SFromHome)
	f.Add(b, uint32(0x0a420001))
	f.Fuzz(func(t *testing.T, p []byte, src uint32) {
		valid := checksumsValid(p)
		addr := netip.AddrFrom4([4]byte{byte(src >> 24), byte(src >> 16), byte(src >> 8), byte(src)})
		if RewriteSource(p, addr) && valid && !checksumsValid(p) {
			t.Fatalf("checksums broken: %x", p)
		}
	})
}
