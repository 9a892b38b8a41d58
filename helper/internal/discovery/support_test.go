package discovery

import (
	"encoding/binary"
	"encoding/hex"
	"net/netip"
	"testing"
	"time"
)

// Literal packets, built by an independent implementation (Python's struct + RFC 1071) and
// written out here, never by the code under test.
const (
	// 10.66.0.1:50000 → 255.255.255.255:27015, Source's A2S_INFO "\xff\xff\xff\xffTSource Engine Query\0".
	hexA2SFromA = "450000351234000040115e420a420001ffffffffc3506987002109d8ffffffff54536f7572636520456e67696e6520517565727900"
	// The same from the home-network address 192.168.1.2 (duplicated into the interface by nftables).
	hexA2SFromHome = "45000035123400004011a6dac0a80102ffffffffc350698700215270ffffffff54536f7572636520456e67696e6520517565727900"
	// The envelope carrying hexA2SFromA from 10.66.0.1 to 10.66.0.2.
	hexEnvelopeAToB = "4500005500004000401126120a4200010a4200021d2a1d2a00416dc24c440100" + hexA2SFromA
	// 10.66.0.1:40000 → 224.0.2.60:4445 TTL 1, "[MOTD]A world[/MOTD][AD]25565[/AD]" (Minecraft).
	hexMinecraftFromA = "4500003e123400000111bafc0a420001e000023c9c40115d002a74245b4d4f54445d4120776f726c645b2f4d4f54445d5b41445d32353536355b2f41445d"
	// 10.66.0.1:50000 → 10.66.255.255:27015, A2S_INFO.
	hexSubnetBcastFromA = "4500003512340000401154000a4200010a42ffffc35069870021ff95ffffffff54536f7572636520456e67696e6520517565727900"
)

var (
	addrA  = netip.MustParseAddr("10.66.0.1")
	addrB  = netip.MustParseAddr("10.66.0.2")
	addrC  = netip.MustParseAddr("10.66.0.3")
	subnet = netip.MustParsePrefix("10.66.0.0/16")
	keyA   = "A-key"
	keyB   = "B-key"
	keyC   = "C-key"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fakeClock is a settable clock for the token buckets.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

// collector is an Injector that keeps copies, as the helper's queue does.
type collector struct {
	packets [][]byte
	full    bool
}

func (c *collector) Inject(p []byte) bool {
	if c.full {
		return false
	}
	c.packets = append(c.packets, append([]byte(nil), p...))
	return true
}

// member builds a Forwarder for self with the other members as peers.
func member(t testing.TB, clock *fakeClock, self netip.Addr, peers map[string]netip.Addr) *Forwarder {
	t.Helper()
	f := New(Options{Now: clock.now})
	if err := f.SetAddress(self, subnet); err != nil {
		t.Fatal(err)
	}
	for id, vip := range peers {
		f.SetPeer(id, []netip.Prefix{netip.PrefixFrom(vip, 32)})
	}
	return f
}

// rfc1071 is the test's own checksum: the one's-complement of the one's-complement sum.
func rfc1071(b []byte) uint16 {
	var s uint32
	for i := 0; i+1 < len(b); i += 2 {
		s += uint32(b[i])<<8 | uint32(b[i+1])
	}
	if len(b)%2 == 1 {
		s += uint32(b[len(b)-1]) << 8
	}
	for s>>16 != 0 {
		s = s&0xffff + s>>16
	}
	return ^uint16(s)
}

// checksumsValid checks an IPv4/UDP packet's checksums the test's own way.
func checksumsValid(p []byte) bool {
	if len(p) < 28 {
		return false
	}
	ihl := int(p[0]&0x0f) * 4
	if len(p) < ihl+8 || rfc1071(p[:ihl]) != 0 {
		return false
	}
	seg := p[ihl:]
	if binary.BigEndian.Uint16(seg[6:]) == 0 {
		return true
	}
	pseudo := append(append(append([]byte{}, p[12:20]...), 0, 17), byte(len(seg)>>8), byte(len(seg)))
	return rfc1071(append(pseudo, seg...)) == 0
}

func hexDecode(s string) ([]byte, error) { return hex.DecodeString(s) }
