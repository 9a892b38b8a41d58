package discovery

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"testing"
	"time"

	"github.com/lanrage/lanrage/helper/internal/tunhook"
)

func TestClassifySaysWhatEachDestinationIs(t *testing.T) {
	bcast := netip.MustParseAddr("10.66.255.255")
	cases := []struct {
		dst  string
		want Kind
	}{
		{"255.255.255.255", LimitedBroadcast},
		{"10.66.255.255", SubnetBroadcast},
		{"224.0.2.60", Multicast},
		{"239.255.255.250", Multicast},
		{"239.255.255.255", Multicast},
		{"224.0.1.0", Multicast},
		{"224.0.0.251", LinkLocalMulticast},
		{"224.0.0.252", LinkLocalMulticast},
		{"224.0.0.22", LinkLocalMulticast},
		{"10.66.0.2", Unicast},
		{"10.66.255.254", Unicast},
		{"192.168.1.255", Unicast},
		{"240.0.0.1", Unicast},
		{"8.8.8.8", Unicast},
	}
	for _, c := range cases {
		if got := Classify(netip.MustParseAddr(c.dst), bcast); got != c.want {
			t.Errorf("Classify(%s) = %v, want %v", c.dst, got, c.want)
		}
	}
}

func TestSubnetBroadcastOfIsTheAllOnesHost(t *testing.T) {
	cases := []struct{ prefix, want string }{
		{"10.66.0.0/16", "10.66.255.255"},
		{"10.66.7.9/16", "10.66.255.255"},
		{"10.66.3.0/24", "10.66.3.255"},
		{"192.168.1.0/30", "192.168.1.3"},
		{"10.0.0.0/8", "10.255.255.255"},
	}
	for _, c := range cases {
		if got := SubnetBroadcastOf(netip.MustParsePrefix(c.prefix)); got.String() != c.want {
			t.Errorf("SubnetBroadcastOf(%s) = %v, want %s", c.prefix, got, c.want)
		}
	}
	for _, p := range []string{"10.66.0.0/31", "10.66.0.1/32", "fd00::/64"} {
		if got := SubnetBroadcastOf(netip.MustParsePrefix(p)); got.IsValid() {
			t.Errorf("SubnetBroadcastOf(%s) = %v, want none", p, got)
		}
	}
}

func TestRewriteSourceRecomputesBothChecksums(t *testing.T) {
	p := unhex(t, hexA2SFromHome)
	if !RewriteSource(p, addrA) {
		t.Fatal("RewriteSource refused a well-formed packet")
	}
	if want := unhex(t, hexA2SFromA); !bytes.Equal(p, want) {
		t.Fatalf("rewritten\n got %x\nwant %x", p, want)
	}
}

func TestRewriteDestinationTurnsTheSubnetBroadcastIntoTheLimitedOne(t *testing.T) {
	p := unhex(t, hexSubnetBcastFromA)
	if !RewriteDestination(p, netip.MustParseAddr("255.255.255.255")) {
		t.Fatal("RewriteDestination refused a well-formed packet")
	}
	if want := unhex(t, hexA2SFromA); !bytes.Equal(p, want) {
		t.Fatalf("rewritten\n got %x\nwant %x", p, want)
	}
}

func TestRewriteLeavesAnAbsentUDPChecksumAbsent(t *testing.T) {
	p := unhex(t, hexA2SFromHome)
	p[26], p[27] = 0, 0 // UDP checksum "none"
	RewriteSource(p, addrA)
	if p[26] != 0 || p[27] != 0 || !checksumsValid(p) {
		t.Fatalf("got %x", p)
	}
}

func TestRewriteRefusesWhatIsNotWholeIPv4UDP(t *testing.T) {
	good := unhex(t, hexA2SFromA)
	bad := map[string][]byte{
		"empty":           {},
		"short":           good[:27],
		"truncated":       good[:len(good)-1],
		"ipv6 version":    append([]byte{0x65}, good[1:]...),
		"tcp":             withByte(good, ipProtocol, 6),
		"fragment":        withByte(good, ipFlagsFrag, 0x20),
		"udp length lies": withByte(good, 25, 0x22),
	}
	for name, p := range bad {
		before := append([]byte(nil), p...)
		if RewriteSource(p, addrB) {
			t.Errorf("%s: rewritten", name)
		}
		if !bytes.Equal(p, before) {
			t.Errorf("%s: changed although refused", name)
		}
	}
}

func withByte(p []byte, i int, v byte) []byte {
	q := append([]byte(nil), p...)
	q[i] = v
	return q
}

func TestABroadcastFromUsBecomesOneEnvelopePerPeer(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1000, 0)}
	a := member(t, clock, addrA, map[string]netip.Addr{keyB: addrB})
	inj := &collector{}
	if v := a.FromOS(unhex(t, hexA2SFromA), inj); v != tunhook.Drop {
		t.Fatalf("verdict %v, want Drop (WireGuard cannot route the original)", v)
	}
	if len(inj.packets) != 1 {
		t.Fatalf("%d envelopes, want 1", len(inj.packets))
	}
	if want := unhex(t, hexEnvelopeAToB); !bytes.Equal(inj.packets[0], want) {
		t.Fatalf("envelope\n got %x\nwant %x", inj.packets[0], want)
	}
}

func TestFromOSForwardsOnlyDiscoveryFromThisMember(t *testing.T) {
	icmpBcast := withByte(unhex(t, hexA2SFromA), ipProtocol, 1)
	fragment := withByte(unhex(t, hexA2SFromA), ipFlagsFrag, 0x20)
	fromB := unhex(t, hexA2SFromA)
	RewriteSource(fromB, addrB)
	mdns := unhex(t, hexMinecraftFromA)
	RewriteDestination(mdns, netip.MustParseAddr("224.0.0.251"))
	unicast := unhex(t, hexA2SFromA)
	RewriteDestination(unicast, addrC)
	big := bigBroadcast(t, 1389) // one byte over 1,420 − 32

	cases := []struct {
		name      string
		packet    []byte
		disabled  bool
		verdict   tunhook.Verdict
		envelopes int
		counter   func(Stats) uint64
	}{
		{"limited broadcast", unhex(t, hexA2SFromA), false, tunhook.Drop, 2, func(s Stats) uint64 { return s.Forwarded }},
		{"subnet broadcast", unhex(t, hexSubnetBcastFromA), false, tunhook.Drop, 2, func(s Stats) uint64 { return s.Forwarded }},
		{"Minecraft multicast", unhex(t, hexMinecraftFromA), false, tunhook.Drop, 2, func(s Stats) uint64 { return s.Forwarded }},
		{"home-network source", unhex(t, hexA2SFromHome), false, tunhook.Drop, 2, func(s Stats) uint64 { return s.SourceRewritten }},
		{"largest that fits", bigBroadcast(t, 1388), false, tunhook.Drop, 2, func(s Stats) uint64 { return s.Forwarded }},
		{"unicast to a peer", unicast, false, tunhook.Pass, 0, nil},
		{"mDNS (link-local)", mdns, false, tunhook.Pass, 0, nil},
		{"not IPv4", []byte{0x60, 0, 0, 0}, false, tunhook.Pass, 0, nil},
		{"another member's broadcast coming back", fromB, false, tunhook.Drop, 0, func(s Stats) uint64 { return s.DroppedForeignSource }},
		{"too big for one envelope", big, false, tunhook.Drop, 0, func(s Stats) uint64 { return s.DroppedOversize }},
		{"ICMP broadcast", icmpBcast, false, tunhook.Drop, 0, func(s Stats) uint64 { return s.DroppedMalformed }},
		{"fragment", fragment, false, tunhook.Drop, 0, func(s Stats) uint64 { return s.DroppedMalformed }},
		{"discovery turned off", unhex(t, hexA2SFromA), true, tunhook.Drop, 0, func(s Stats) uint64 { return s.DroppedDisabled }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clock := &fakeClock{t: time.Unix(1000, 0)}
			a := member(t, clock, addrA, map[string]netip.Addr{keyB: addrB, keyC: addrC})
			a.SetEnabled(!c.disabled)
			inj := &collector{}
			if v := a.FromOS(c.packet, inj); v != c.verdict {
				t.Errorf("verdict %v, want %v", v, c.verdict)
			}
			if len(inj.packets) != c.envelopes {
				t.Errorf("%d envelopes, want %d", len(inj.packets), c.envelopes)
			}
			for _, e := range inj.packets {
				if !checksumsValid(e) || !checksumsValid(e[EnvelopeOverhead:]) || len(e) > DefaultMTU {
					t.Errorf("bad envelope %x", e)
				}
			}
			if c.counter != nil && c.counter(a.Stats()) != 1 {
				t.Errorf("counter is %d, want 1: %+v", c.counter(a.Stats()), a.Stats())
			}
		})
	}
}

// bigBroadcast is a limited broadcast from A whose whole IPv4 packet is size bytes.
func bigBroadcast(t testing.TB, size int) []byte {
	p := make([]byte, size)
	copy(p, unhex(t, hexA2SFromA)[:28])
	binary.BigEndian.PutUint16(p[ipTotalLength:], uint16(size))
	binary.BigEndian.PutUint16(p[20+udpLength:], uint16(size-20))
	p[26], p[27] = 0, 0
	binary.BigEndian.PutUint16(p[ipChecksum:], 0)
	binary.BigEndian.PutUint16(p[ipChecksum:], rfc1071(p[:20]))
	return p
}

func TestAnEnvelopeFromAPeerComesOutAsTheOriginalBroadcast(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1000, 0)}
	b := member(t, clock, addrB, map[string]netip.Addr{keyA: addrA})
	out := b.ToOS(unhex(t, hexEnvelopeAToB))
	if want := unhex(t, hexA2SFromA); !bytes.Equal(out, want) {
		t.Fatalf("delivered\n got %x\nwant %x", out, want)
	}
	st := b.Stats()
	if st.Peers[0].Received != 1 || st.Peers[0].ReceivedBytes != 53 || st.Forwarded != 0 {
		t.Fatalf("stats %+v", st)
	}
}

func TestToOSRefusesEnvelopesThatFailAnyCheck(t *testing.T) {
	env := func(mutate func(p []byte)) []byte {
		p := unhex(t, hexEnvelopeAToB)
		mutate(p)
		return p
	}
	// An inner packet claiming another source is re-wrapped with valid checksums, so only the
	// source check can refuse it.
	spoofed := func() []byte {
		inner := unhex(t, hexA2SFromA)
		RewriteSource(inner, addrC)
		out := make([]byte, EnvelopeOverhead+len(inner))
		n := encodeEnvelope(out, inner, sum16(0, inner), addrA.As4(), addrB.As4())
		return out[:n]
	}
	innerUnicast := func() []byte {
		inner := unhex(t, hexA2SFromA)
		RewriteDestination(inner, addrB)
		out := make([]byte, EnvelopeOverhead+len(inner))
		n := encodeEnvelope(out, inner, sum16(0, inner), addrA.As4(), addrB.As4())
		return out[:n]
	}
	cases := map[string][]byte{
		"outer checksum wrong": env(func(p []byte) { p[10] ^= 1 }),
		"udp checksum wrong":   env(func(p []byte) { p[len(p)-1] ^= 1 }),
		"version 2":            env(func(p []byte) { p[30] = 2 }),
		"flags set":            env(func(p []byte) { p[31] = 1 }),
		"inner source spoofed": spoofed(),
		"inner unicast":        innerUnicast(),
	}
	for name, p := range cases {
		clock := &fakeClock{t: time.Unix(1000, 0)}
		b := member(t, clock, addrB, map[string]netip.Addr{keyA: addrA})
		if out := b.ToOS(p); out != nil {
			t.Errorf("%s: delivered %x", name, out)
		}
		if got := b.Stats().DroppedMalformed; got != 1 {
			t.Errorf("%s: droppedMalformed %d, want 1", name, got)
		}
	}
}

func TestToOSPassesWhatIsNotAnEnvelope(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1000, 0)}
	b := member(t, clock, addrB, map[string]netip.Addr{keyA: addrA})
	noMagic := unhex(t, hexEnvelopeAToB)
	noMagic[28] = 'X'
	RewriteSource(noMagic, addrA) // fix the checksum after the edit
	toOtherPort := unhex(t, hexA2SFromA)
	RewriteDestination(toOtherPort, addrB)
	for name, p := range map[string][]byte{"no magic": noMagic, "game unicast": toOtherPort, "short": {0x45, 0}} {
		before := append([]byte(nil), p...)
		if out := b.ToOS(p); !bytes.Equal(out, before) {
			t.Errorf("%s: got %x, want it unchanged", name, out)
		}
	}
}

func TestToOSDropsEnvelopesFromStrangersAndWhenTurnedOff(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1000, 0)}
	b := member(t, clock, addrB, map[string]netip.Addr{keyC: addrC})
	if out := b.ToOS(unhex(t, hexEnvelopeAToB)); out != nil || b.Stats().DroppedUnknownPeer != 1 {
		t.Fatalf("from a non-peer: %x %+v", out, b.Stats())
	}
	b.SetPeer(keyA, []netip.Prefix{netip.MustParsePrefix("10.66.0.1/32")})
	b.SetEnabled(false)
	if out := b.ToOS(unhex(t, hexEnvelopeAToB)); out != nil || b.Stats().DroppedDisabled != 1 {
		t.Fatalf("turned off: %x %+v", out, b.Stats())
	}
}

func TestMacOSDeliversTheSubnetBroadcastAsTheLimitedOne(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1000, 0)}
	a := member(t, clock, addrA, map[string]netip.Addr{keyB: addrB})
	b := New(Options{Now: clock.now, DeliverSubnetBroadcastAsLimited: true})
	_ = b.SetAddress(addrB, subnet)
	b.SetPeer(keyA, []netip.Prefix{netip.PrefixFrom(addrA, 32)})
	inj := &collector{}
	a.FromOS(unhex(t, hexSubnetBcastFromA), inj)
	if out := b.ToOS(inj.packets[0]); !bytes.Equal(out, unhex(t, hexA2SFromA)) {
		t.Fatalf("got %x", out)
	}
}

func TestAStormIsCutToTheBurstThenTheRate(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1000, 0)}
	a := member(t, clock, addrA, map[string]netip.Addr{keyB: addrB})
	inj := &collector{}
	for range 100 {
		a.FromOS(unhex(t, hexA2SFromA), inj)
	}
	if len(inj.packets) != 40 || a.Stats().Peers[0].LimitedOut != 60 {
		t.Fatalf("after 100 at once: %d sent, %+v; want 40 sent, 60 limited", len(inj.packets), a.Stats().Peers[0])
	}
	clock.advance(time.Second)
	for range 100 {
		a.FromOS(unhex(t, hexA2SFromA), inj)
	}
	if len(inj.packets) != 60 {
		t.Fatalf("a second later: %d sent in all, want 60 (20 per second)", len(inj.packets))
	}
}

func TestAPeerThatSkipsItsOwnLimitIsCutAtTheReceiver(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1000, 0)}
	b := member(t, clock, addrB, map[string]netip.Addr{keyA: addrA})
	delivered := 0
	for range 100 {
		if b.ToOS(unhex(t, hexEnvelopeAToB)) != nil {
			delivered++
		}
	}
	if delivered != 40 || b.Stats().Peers[0].LimitedIn != 60 {
		t.Fatalf("delivered %d, %+v; want 40 delivered, 60 limited", delivered, b.Stats().Peers[0])
	}
}

func TestADeliveredBroadcastIsNeverForwardedAgain(t *testing.T) {
	// A → B and C; B's OS then sends what it received back into the interface (as a host that
	// re-broadcasts would): B must not forward it, so the party sees each broadcast once.
	clock := &fakeClock{t: time.Unix(1000, 0)}
	a := member(t, clock, addrA, map[string]netip.Addr{keyB: addrB, keyC: addrC})
	b := member(t, clock, addrB, map[string]netip.Addr{keyA: addrA, keyC: addrC})
	fromA := &collector{}
	a.FromOS(unhex(t, hexA2SFromA), fromA)
	var atB []byte
	for _, e := range fromA.packets {
		if bytes.Equal(e[ipDst:ipDst+4], []byte{10, 66, 0, 2}) {
			atB = b.ToOS(e)
		}
	}
	if atB == nil {
		t.Fatal("B got nothing")
	}
	fromB := &collector{}
	if v := b.FromOS(append([]byte(nil), atB...), fromB); v != tunhook.Drop || len(fromB.packets) != 0 {
		t.Fatalf("B re-forwarded: verdict %v, %d envelopes", v, len(fromB.packets))
	}
	if st := b.Stats(); st.DroppedForeignSource != 1 || st.Forwarded != 0 {
		t.Fatalf("B stats %+v", st)
	}
}

func TestAFullInjectQueueIsCountedNotBlocked(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1000, 0)}
	a := member(t, clock, addrA, map[string]netip.Addr{keyB: addrB, keyC: addrC})
	a.FromOS(unhex(t, hexA2SFromA), &collector{full: true})
	if st := a.Stats(); st.InjectDropped != 2 || st.Forwarded != 0 {
		t.Fatalf("stats %+v", st)
	}
}

func TestPeersWithoutAVirtualIPInTheSubnetGetNothing(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1000, 0)}
	a := New(Options{Now: clock.now})
	a.SetPeer(keyB, []netip.Prefix{netip.MustParsePrefix("10.66.0.2/32")}) // before SetAddress
	a.SetPeer(keyC, []netip.Prefix{netip.MustParsePrefix("192.168.5.0/24")})
	inj := &collector{}
	if v := a.FromOS(unhex(t, hexA2SFromA), inj); v != tunhook.Pass || len(inj.packets) != 0 {
		t.Fatalf("without an address: %v %d", v, len(inj.packets))
	}
	_ = a.SetAddress(addrA, subnet)
	a.FromOS(unhex(t, hexA2SFromA), inj)
	if len(inj.packets) != 1 || !bytes.Equal(inj.packets[0][ipDst:ipDst+4], []byte{10, 66, 0, 2}) {
		t.Fatalf("%d envelopes", len(inj.packets))
	}
	a.RemovePeer(keyB)
	a.FromOS(unhex(t, hexA2SFromA), inj)
	if len(inj.packets) != 1 || len(a.Stats().Peers) != 1 {
		t.Fatalf("after remove: %d envelopes, %+v", len(inj.packets), a.Stats())
	}
}

func TestSetAddressRefusesWhatIsNotAnIPv4Subnet(t *testing.T) {
	f := New(Options{})
	for _, c := range []struct{ addr, prefix string }{
		{"10.67.0.1", "10.66.0.0/16"},
		{"fd00::1", "fd00::/64"},
		{"10.66.0.1", "10.66.0.1/32"},
	} {
		if err := f.SetAddress(netip.MustParseAddr(c.addr), netip.MustParsePrefix(c.prefix)); err == nil {
			t.Errorf("%s in %s accepted", c.addr, c.prefix)
		}
	}
}
