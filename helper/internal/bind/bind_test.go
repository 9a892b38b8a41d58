package bind

import (
	"bytes"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"golang.zx2c4.com/wireguard/conn"

	"github.com/lanrage/lanrage/helper/internal/proto"
	"github.com/lanrage/lanrage/helper/internal/wire"
)

// Real UDP sockets on loopback: the Bind's socket, and sockets playing a peer and a relay.

type upstreamRecorder struct {
	mu   sync.Mutex
	got  []delivered
	full bool
}

type delivered struct {
	from netip.AddrPort
	data []byte
	// socket is the probe socket it came in on; 0 for the public socket.
	socket uint16
}

func (u *upstreamRecorder) DeliverProbe(socket uint16, from netip.AddrPort, d []byte) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.full {
		return false
	}
	u.got = append(u.got, delivered{from, append([]byte(nil), d...), socket})
	return true
}

func (u *upstreamRecorder) Deliver(from netip.AddrPort, d []byte) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.full {
		return false
	}
	u.got = append(u.got, delivered{from, append([]byte(nil), d...), 0})
	return true
}

func (u *upstreamRecorder) all() []delivered {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]delivered(nil), u.got...)
}

type fixture struct {
	b    *Bind
	up   *upstreamRecorder
	recv conn.ReceiveFunc
	// probeRecv is the receive function of WireGuard arriving on probe sockets.
	probeRecv conn.ReceiveFunc
	addr      netip.AddrPort
	now       time.Time
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	c := listen(t)
	f := &fixture{up: &upstreamRecorder{}, now: time.Unix(1_700_000_000, 0)}
	f.b = New(c, f.up, Options{Now: func() time.Time { return f.now }})
	fns, port, err := f.b.Open(0)
	if err != nil || len(fns) != 2 || port != uint16(c.LocalAddr().(*net.UDPAddr).Port) {
		t.Fatalf("open: %v %d", err, port)
	}
	f.recv, f.probeRecv = fns[0], fns[1]
	f.addr = netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), port)
	t.Cleanup(func() { f.b.Close(); c.Close() })
	return f
}

func listen(t testing.TB) *net.UDPConn {
	t.Helper()
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func addrOf(c *net.UDPConn) netip.AddrPort {
	return c.LocalAddr().(*net.UDPAddr).AddrPort()
}

// receive sends datagrams from `from` to the Bind and returns what the device would get.
func (f *fixture) receive(t *testing.T, from *net.UDPConn, datagrams ...[]byte) ([][]byte, []conn.Endpoint) {
	t.Helper()
	for _, d := range datagrams {
		if _, err := from.WriteToUDPAddrPort(d, f.addr); err != nil {
			t.Fatal(err)
		}
	}
	var out [][]byte
	var eps []conn.Endpoint
	seen := 0
	for seen < len(datagrams) {
		bufs := make([][]byte, 8)
		for i := range bufs {
			bufs[i] = make([]byte, 2048)
		}
		sizes := make([]int, 8)
		epsBuf := make([]conn.Endpoint, 8)
		n, err := f.recv(bufs, sizes, epsBuf)
		if err != nil {
			t.Fatal(err)
		}
		seen += n
		for i := 0; i < n; i++ {
			if sizes[i] > 0 {
				out = append(out, bufs[i][:sizes[i]])
				eps = append(eps, epsBuf[i])
			}
		}
	}
	return out, eps
}

func read(t *testing.T, c *net.UDPConn) ([]byte, netip.AddrPort) {
	t.Helper()
	buf := make([]byte, 2048)
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	n, from, err := c.ReadFromUDPAddrPort(buf)
	if err != nil {
		t.Fatal(err)
	}
	return buf[:n], from
}

func expectNothing(t *testing.T, c *net.UDPConn) {
	t.Helper()
	buf := make([]byte, 2048)
	c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	if n, _, err := c.ReadFromUDPAddrPort(buf); err == nil {
		t.Fatalf("unexpected datagram %x", buf[:n])
	}
}

var (
	keyA = proto.Key{1}
	keyB = proto.Key{2}
	// Literal WireGuard-looking messages (the Bind only reads their first four bytes).
	transport  = []byte{4, 0, 0, 0, 0xaa, 0xbb, 0xcc, 0xdd}
	stun       = []byte{0, 1, 0, 0, 0x21, 0x12, 0xa4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
	probe      = []byte{0xff, 'L', 'R', 'P', 1, 1, 9, 9}
	bindAck    = []byte{0xff, 'L', 'R', 'R', 1, 2, 0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77}
	routeX     = wire.RouteID{0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77}
	routeXData = []byte{0xff, 'L', 'R', 'R', 1, 3, 0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77}
)

// A batch as the device sends it: equal-sized transport messages, the last one shorter.
func batch(n, size int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		l := size
		if i == n-1 {
			l = size / 2
		}
		out[i] = make([]byte, l)
		copy(out[i], []byte{4, 0, 0, 0})
		out[i][4] = byte(i)
	}
	return out
}

func initiation(marker byte) []byte {
	m := make([]byte, 148)
	m[0], m[4] = 1, marker
	return m
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func TestWireGuardFromTheLivePathGoesToTheDeviceAsItsPeer(t *testing.T) {
	f := newFixture(t)
	peer := listen(t)
	f.b.AddPeer(keyA)
	f.b.SetPath(keyA, proto.Path{Kind: proto.PathDirect, To: addrOf(peer)})
	got, eps := f.receive(t, peer, transport)
	if len(got) != 1 || !bytes.Equal(got[0], transport) || eps[0].(*Endpoint).peer.key != keyA {
		t.Fatalf("device got %x", got)
	}
	if s := f.b.SocketStats(); s.WireGuardIn != 1 || s.UpToCore != 0 {
		t.Fatalf("%+v", s)
	}
}

func TestEverythingButWireGuardGoesUpToTheCoreWithItsSource(t *testing.T) {
	f := newFixture(t)
	other := listen(t)
	unknownMagic := []byte{0xff, 'L', 'R', 'X', 0}
	probeViaRelay := cat(routeXData, probe)
	got, _ := f.receive(t, other, stun, probe, bindAck, probeViaRelay, unknownMagic, []byte("hi"))
	if len(got) != 0 {
		t.Fatalf("device got %x", got)
	}
	up := f.up.all()
	want := [][]byte{stun, probe, bindAck, probeViaRelay, unknownMagic, []byte("hi")}
	if len(up) != len(want) {
		t.Fatalf("%d went up", len(up))
	}
	for i, d := range up {
		if !bytes.Equal(d.data, want[i]) || d.from != addrOf(other) {
			t.Fatalf("up[%d] = %x from %s", i, d.data, d.from)
		}
	}
	if s := f.b.SocketStats(); s.UpToCore != 6 {
		t.Fatalf("%+v", s)
	}
}

func TestWireGuardFromAnUnknownAddressOrRouteIsDroppedAndCounted(t *testing.T) {
	f := newFixture(t)
	stranger := listen(t)
	f.b.AddPeer(keyA)
	got, _ := f.receive(t, stranger, transport, cat(routeXData, transport))
	if len(got) != 0 || len(f.up.all()) != 0 {
		t.Fatalf("device %x up %v", got, f.up.all())
	}
	if s := f.b.SocketStats(); s.DroppedUnknownSource != 2 {
		t.Fatalf("%+v", s)
	}
}

func TestRelayDataOfAnotherVersionOrTooShortIsDroppedAndCounted(t *testing.T) {
	f := newFixture(t)
	relay := listen(t)
	got, _ := f.receive(t, relay, []byte{0xff, 'L', 'R', 'R', 2, 3, 0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 4, 0, 0, 0},
		[]byte{0xff, 'L', 'R', 'R', 1, 3, 0, 1})
	if len(got) != 0 || len(f.up.all()) != 0 || f.b.SocketStats().DroppedUnknownKind != 2 {
		t.Fatalf("device %x up %v stats %+v", got, f.up.all(), f.b.SocketStats())
	}
}

func TestRelayedWireGuardLosesItsHeaderOnTheWayIn(t *testing.T) {
	f := newFixture(t)
	relay := listen(t)
	f.b.AddPeer(keyA)
	f.b.SetPath(keyA, proto.Path{Kind: proto.PathRelay, To: addrOf(relay), Route: routeX})
	got, eps := f.receive(t, relay, cat(routeXData, transport))
	if len(got) != 1 || !bytes.Equal(got[0], transport) || eps[0].(*Endpoint).peer.key != keyA {
		t.Fatalf("device got %x", got)
	}
}

func TestSendFollowsThePathAndAPathChangeNeedsNothingFromTheDevice(t *testing.T) {
	f := newFixture(t)
	peer, relay := listen(t), listen(t)
	f.b.AddPeer(keyA)
	ep, err := f.b.ParseEndpoint(EndpointString(keyA))
	if err != nil {
		t.Fatal(err)
	}
	f.b.SetPath(keyA, proto.Path{Kind: proto.PathDirect, To: addrOf(peer)})
	if err := f.b.Send([][]byte{transport, transport}, ep); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if got, from := read(t, peer); !bytes.Equal(got, transport) || from != f.addr {
			t.Fatalf("direct: %x from %s", got, from)
		}
	}
	// Same endpoint object, new path: the device is not told anything.
	f.b.SetPath(keyA, proto.Path{Kind: proto.PathRelay, To: addrOf(relay), Route: routeX})
	if err := f.b.Send([][]byte{transport}, ep); err != nil {
		t.Fatal(err)
	}
	if got, _ := read(t, relay); !bytes.Equal(got, cat(routeXData, transport)) {
		t.Fatalf("relay got %x", got)
	}
	expectNothing(t, peer)
	// The old direct address is no longer accepted once the path moved to the relay.
	if got, _ := f.receive(t, peer, transport); len(got) != 0 {
		t.Fatal("old direct address still accepted")
	}
	if s := f.b.SocketStats(); s.WireGuardOut != 3 {
		t.Fatalf("%+v", s)
	}
}

func TestAcceptedAddressesAndRoutesReachTheDeviceBeforeTheyAreThePath(t *testing.T) {
	f := newFixture(t)
	candidate, relay := listen(t), listen(t)
	f.b.AddPeer(keyA)
	f.b.AcceptDirect(keyA, addrOf(candidate), 0)
	f.b.AcceptRoute(keyA, routeX)
	if got, _ := f.receive(t, candidate, transport); len(got) != 1 {
		t.Fatal("accepted address refused")
	}
	if got, _ := f.receive(t, relay, cat(routeXData, transport)); len(got) != 1 {
		t.Fatal("accepted route refused")
	}
}

func TestWithoutAPathTheAnswerGoesBackTheWayThePeerCame(t *testing.T) {
	f := newFixture(t)
	relay := listen(t)
	f.b.AddPeer(keyA)
	ep, _ := f.b.ParseEndpoint(EndpointString(keyA))
	// No path and no way back yet: dropped and counted.
	f.b.Send([][]byte{transport}, ep)
	if f.b.SocketStats().DroppedNoPath != 1 {
		t.Fatal("not counted")
	}
	f.b.AcceptRoute(keyA, routeX)
	f.receive(t, relay, cat(routeXData, initiation(7)))
	f.b.Send([][]byte{transport}, ep)
	if got, _ := read(t, relay); !bytes.Equal(got, cat(routeXData, transport)) {
		t.Fatalf("reply went %x", got)
	}
}

func TestAPendingHandshakeIsResentOnceAlongANewlyProvenPath(t *testing.T) {
	f := newFixture(t)
	peer := listen(t)
	f.b.AddPeer(keyA)
	ep, _ := f.b.ParseEndpoint(EndpointString(keyA))
	f.b.Send([][]byte{initiation(1)}, ep) // lost: no path yet
	f.b.Send([][]byte{initiation(2)}, ep) // WireGuard's latest
	f.now = f.now.Add(4 * time.Second)
	f.b.SetPath(keyA, proto.Path{Kind: proto.PathLAN, To: addrOf(peer)})
	if resent, err := f.b.ResendHandshake(keyA); !resent || err != nil {
		t.Fatalf("resent %v %v", resent, err)
	}
	if got, _ := read(t, peer); !bytes.Equal(got, initiation(2)) {
		t.Fatalf("resent %x", got[:8])
	}
	if resent, _ := f.b.ResendHandshake(keyA); resent {
		t.Fatal("resent twice")
	}
	expectNothing(t, peer)
}

func TestAHandshakeOlderThanWireGuardsRetryIsNotResent(t *testing.T) {
	f := newFixture(t)
	peer := listen(t)
	f.b.AddPeer(keyA)
	ep, _ := f.b.ParseEndpoint(EndpointString(keyA))
	f.b.Send([][]byte{initiation(1)}, ep)
	f.now = f.now.Add(5*time.Second + time.Millisecond)
	f.b.SetPath(keyA, proto.Path{Kind: proto.PathDirect, To: addrOf(peer)})
	if resent, _ := f.b.ResendHandshake(keyA); resent {
		t.Fatal("stale handshake resent")
	}
	expectNothing(t, peer)
}

func TestPeersAreIndependentAndUnknownPeersAreRefused(t *testing.T) {
	f := newFixture(t)
	pa, pb := listen(t), listen(t)
	f.b.AddPeer(keyA)
	f.b.AddPeer(keyB)
	f.b.SetPath(keyA, proto.Path{Kind: proto.PathDirect, To: addrOf(pa)})
	f.b.SetPath(keyB, proto.Path{Kind: proto.PathDirect, To: addrOf(pb)})
	_, eps := f.receive(t, pb, transport)
	if eps[0].(*Endpoint).peer.key != keyB {
		t.Fatal("packet of B attributed to A")
	}
	f.b.RemovePeer(keyB)
	if got, _ := f.receive(t, pb, transport); len(got) != 0 {
		t.Fatal("removed peer still accepted")
	}
	for _, err := range []error{
		f.b.SetPath(keyB, proto.Path{Kind: proto.PathNone}), f.b.AcceptDirect(keyB, addrOf(pb), 0),
		f.b.AcceptRoute(keyB, routeX), f.b.RemovePeer(keyB),
	} {
		if pe, ok := err.(*proto.Error); !ok || pe.Code != proto.CodeUnknownPeer {
			t.Fatalf("err %v", err)
		}
	}
	if _, err := f.b.ParseEndpoint(EndpointString(keyB)); err == nil {
		t.Fatal("endpoint of a removed peer parsed")
	}
}

func TestAcceptedListsForgetTheOldestBeyondTheirLimit(t *testing.T) {
	var list []int
	for i := 0; i < 20; i++ {
		list = appendBounded(list, i)
	}
	if len(list) != 16 || list[0] != 4 || list[15] != 19 {
		t.Fatalf("%v", list)
	}
	list = appendBounded(list, 4) // refreshed: now the newest
	if len(list) != 16 || list[0] != 5 || list[15] != 4 {
		t.Fatalf("%v", list)
	}
}

func TestAFullUpstreamDropsAndCounts(t *testing.T) {
	f := newFixture(t)
	f.up.full = true
	f.receive(t, listen(t), stun)
	if s := f.b.SocketStats(); s.UpDropped != 1 || s.UpToCore != 0 {
		t.Fatalf("%+v", s)
	}
}

func TestCloseEndsTheReceiveFunctionAndOpenResumes(t *testing.T) {
	f := newFixture(t)
	done := make(chan error, 1)
	go func() {
		_, err := f.recv(make([][]byte, 1), make([]int, 1), make([]conn.Endpoint, 1))
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	f.b.Close()
	select {
	case err := <-done:
		if err != net.ErrClosed {
			t.Fatalf("err %v", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("receive still blocked after Close")
	}
	fns, _, err := f.b.Open(0)
	if err != nil {
		t.Fatal(err)
	}
	f.recv = fns[0]
	if _, _, err := f.b.Open(0); err != conn.ErrBindAlreadyOpen {
		t.Fatalf("second open: %v", err)
	}
	f.b.AddPeer(keyA)
	peer := listen(t)
	f.b.SetPath(keyA, proto.Path{Kind: proto.PathDirect, To: addrOf(peer)})
	if got, _ := f.receive(t, peer, transport); len(got) != 1 {
		t.Fatal("nothing after reopen")
	}
}

func TestSendToCarriesTheCoresDatagramsWithAndWithoutTTL(t *testing.T) {
	f := newFixture(t)
	peer := listen(t)
	if err := f.b.SendTo(addrOf(peer), 0, stun); err != nil {
		t.Fatal(err)
	}
	if got, from := read(t, peer); !bytes.Equal(got, stun) || from != f.addr {
		t.Fatalf("%x from %s", got, from)
	}
	if err := f.b.SendTo(addrOf(peer), 3, probe); err != nil {
		t.Fatal(err)
	}
	if got, _ := read(t, peer); !bytes.Equal(got, probe) {
		t.Fatalf("%x", got)
	}
}

func TestTheReceivePathDoesNotAllocatePerWireGuardPacketBeyondTheSocketLayer(t *testing.T) {
	f := newFixture(t)
	f.b.AddPeer(keyA)
	from := netip.MustParseAddrPort("127.0.0.1:9")
	f.b.SetPath(keyA, proto.Path{Kind: proto.PathRelay, To: from, Route: routeX})
	tbl := f.b.table.Load()
	pkt := cat(routeXData, transport)
	buf := make([]byte, len(pkt))
	var ep conn.Endpoint
	allocs := testing.AllocsPerRun(200, func() {
		copy(buf, pkt)
		if f.b.demux(tbl, buf, from, &ep) != len(transport) {
			t.Fatal("not delivered")
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per relayed packet", allocs)
	}
}
