package bind

import (
	"bytes"
	"errors"
	"net"
	"net/netip"
	"testing"
	"time"

	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"

	"github.com/lanrage/lanrage/helper/internal/proto"
)

// The public socket of a machine with IPv6 is one dual-stack socket (listen.go): these tests run
// the Bind's paths over both families on the same port, with real loopback sockets.

var families = []struct {
	name     string
	loopback netip.Addr
	network  string
}{
	{"IPv4", netip.MustParseAddr("127.0.0.1"), "udp4"},
	{"IPv6", netip.MustParseAddr("::1"), "udp6"},
}

// newDualFixture is newFixture over Listen's wildcard socket; addr is the Bind on loopback of
// the family under test (the same port for both).
func newDualFixture(t testing.TB, loopback netip.Addr) *fixture {
	t.Helper()
	c, err := Listen(netip.IPv4Unspecified(), 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{up: &upstreamRecorder{}, now: time.Unix(1_700_000_000, 0)}
	f.b = New(c, f.up, Options{Now: func() time.Time { return f.now }})
	if !f.b.IPv6() {
		t.Fatal("the wildcard socket is not dual-stack on a machine with IPv6 loopback")
	}
	fns, port, err := f.b.Open(0)
	if err != nil {
		t.Fatal(err)
	}
	f.recv = fns[0]
	f.addr = netip.AddrPortFrom(loopback, port)
	t.Cleanup(func() { f.b.Close(); c.Close() })
	return f
}

func listenOn(t *testing.T, network string, ip netip.Addr) *net.UDPConn {
	t.Helper()
	c, err := net.ListenUDP(network, net.UDPAddrFromAddrPort(netip.AddrPortFrom(ip, 0)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestOneDualStackPortTakesWireGuardAndCoreTrafficOfBothFamilies(t *testing.T) {
	for _, fam := range families {
		t.Run(fam.name, func(t *testing.T) {
			f := newDualFixture(t, fam.loopback)
			peer, other := listenOn(t, fam.network, fam.loopback), listenOn(t, fam.network, fam.loopback)
			f.b.AddPeer(keyA)
			if err := f.b.SetPath(keyA, proto.Path{Kind: proto.PathDirect, To: addrOf(peer)}); err != nil {
				t.Fatal(err)
			}
			got, eps := f.receive(t, peer, transport)
			if len(got) != 1 || !bytes.Equal(got[0], transport) || eps[0].(*Endpoint).peer.key != keyA {
				t.Fatalf("device got %x", got)
			}
			f.receive(t, other, stun, transport)
			up := f.up.all()
			// The source goes up as the family's own address: IPv4 unmapped, never ::ffff:127.0.0.1.
			if len(up) != 1 || !bytes.Equal(up[0].data, stun) || up[0].from != addrOf(other) {
				t.Fatalf("up: %+v (want STUN from %s)", up, addrOf(other))
			}
			if s := f.b.SocketStats(); s.WireGuardIn != 1 || s.DroppedUnknownSource != 1 {
				t.Fatalf("%+v", s)
			}
		})
	}
}

func TestTheDeviceSendsAlongADirectPathOfEitherFamilyInBatches(t *testing.T) {
	for _, fam := range families {
		t.Run(fam.name, func(t *testing.T) {
			f := newDualFixture(t, fam.loopback)
			peer := listenOn(t, fam.network, fam.loopback)
			f.b.AddPeer(keyA)
			ep, _ := f.b.ParseEndpoint(EndpointString(keyA))
			f.b.SetPath(keyA, proto.Path{Kind: proto.PathDirect, To: addrOf(peer)})
			// Five equal-sized packets and a short one: coalesced with GSO where the kernel can.
			sent := batch(6, 1200)
			if err := f.b.Send(sent, ep); err != nil {
				t.Fatal(err)
			}
			for i, want := range sent {
				if got, from := read(t, peer); !bytes.Equal(got, want) || from != f.addr {
					t.Fatalf("packet %d: %d bytes from %s (want %d from %s)", i, len(got), from, len(want), f.addr)
				}
			}
		})
	}
}

func TestAnIPv6PeerCanBeRelayedThroughAnIPv4RelayAndMovedBackWithoutTheDevice(t *testing.T) {
	f := newDualFixture(t, netip.MustParseAddr("::1"))
	peer6 := listenOn(t, "udp6", netip.MustParseAddr("::1"))
	relay4 := listenOn(t, "udp4", netip.MustParseAddr("127.0.0.1"))
	f.b.AddPeer(keyA)
	ep, _ := f.b.ParseEndpoint(EndpointString(keyA))
	f.b.SetPath(keyA, proto.Path{Kind: proto.PathRelay, To: addrOf(relay4), Route: routeX})
	f.b.Send([][]byte{transport}, ep)
	if got, _ := read(t, relay4); !bytes.Equal(got, cat(routeXData, transport)) {
		t.Fatalf("relay got %x", got)
	}
	f.b.SetPath(keyA, proto.Path{Kind: proto.PathDirect, To: addrOf(peer6)})
	f.b.Send([][]byte{transport}, ep)
	if got, from := read(t, peer6); !bytes.Equal(got, transport) || from != f.addr {
		t.Fatalf("direct over IPv6: %x from %s", got, from)
	}
	expectNothing(t, relay4)
}

func TestSendToSetsTheTTLOrHopLimitOfThatOneDatagram(t *testing.T) {
	for _, fam := range families {
		t.Run(fam.name, func(t *testing.T) {
			f := newDualFixture(t, fam.loopback)
			peer := listenOn(t, fam.network, fam.loopback)
			readHops := hopReader(t, fam.network, peer)
			if err := f.b.SendTo(addrOf(peer), 3, probe); err != nil {
				t.Fatal(err)
			}
			if err := f.b.SendTo(addrOf(peer), 0, stun); err != nil {
				t.Fatal(err)
			}
			if got, hops := readHops(); !bytes.Equal(got, probe) || hops != 3 {
				t.Fatalf("%x with %d hops, want the probe with 3", got, hops)
			}
			// The next datagram has the socket's default again (64 on Linux), not 3.
			if got, hops := readHops(); !bytes.Equal(got, stun) || hops != 64 {
				t.Fatalf("%x with %d hops, want STUN with 64", got, hops)
			}
		})
	}
}

// hopReader reads one datagram from c with the TTL (IPv4) or hop limit (IPv6) it arrived with.
func hopReader(t *testing.T, network string, c *net.UDPConn) func() ([]byte, int) {
	t.Helper()
	buf := make([]byte, 2048)
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	if network == "udp4" {
		pc := ipv4.NewPacketConn(c)
		if err := pc.SetControlMessage(ipv4.FlagTTL, true); err != nil {
			t.Fatal(err)
		}
		return func() ([]byte, int) {
			n, cm, _, err := pc.ReadFrom(buf)
			if err != nil || cm == nil {
				t.Fatalf("read: %v", err)
			}
			return buf[:n], cm.TTL
		}
	}
	pc := ipv6.NewPacketConn(c)
	if err := pc.SetControlMessage(ipv6.FlagHopLimit, true); err != nil {
		t.Fatal(err)
	}
	return func() ([]byte, int) {
		n, cm, _, err := pc.ReadFrom(buf)
		if err != nil || cm == nil {
			t.Fatalf("read: %v", err)
		}
		return buf[:n], cm.HopLimit
	}
}

func TestAnIPv4OnlySocketRefusesIPv6PathsAndSendsAndChangesNothing(t *testing.T) {
	f := newFixture(t) // a plain IPv4 socket, as on a machine without IPv6
	if f.b.IPv6() {
		t.Fatal("an IPv4 socket claims IPv6")
	}
	f.b.AddPeer(keyA)
	to := netip.MustParseAddrPort("[2001:db8::2]:7777")
	var perr *proto.Error
	for name, err := range map[string]error{
		"set-path":      f.b.SetPath(keyA, proto.Path{Kind: proto.PathDirect, To: to}),
		"accept-direct": f.b.AcceptDirect(keyA, to, 0),
		"send":          f.b.SendTo(to, 0, probe),
	} {
		if !errors.As(err, &perr) || perr.Code != proto.CodeUnsupported {
			t.Fatalf("%s: %v, want unsupported", name, err)
		}
	}
	if p := f.b.PeerStats(); p[0].Path.Kind != proto.PathNone {
		t.Fatalf("path changed: %+v", p[0].Path)
	}
	if s := f.b.SocketStats(); s.SendErrors != 1 {
		t.Fatalf("%+v", s)
	}
}

func TestListenOnASpecificIPv4HostIsIPv4Only(t *testing.T) {
	c, err := Listen(netip.MustParseAddr("127.0.0.1"), 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if isDualStack(c) {
		t.Fatal("a socket bound to 127.0.0.1 cannot take IPv6")
	}
}
