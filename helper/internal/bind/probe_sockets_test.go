package bind

import (
	"bytes"
	"net"
	"net/netip"
	"testing"
	"time"

	"golang.zx2c4.com/wireguard/conn"

	"github.com/lanrage/lanrage/helper/internal/proto"
)

// Port probing's sockets, on loopback: each probe socket is a real UDP socket of its own port.

func probeAddr(f *fixture, s proto.ProbeSocketJSON) netip.AddrPort {
	return netip.AddrPortFrom(f.addr.Addr(), s.Port)
}

func TestProbeSocketsSendFromTheirOwnPortsAndReportWhatArrivesWithTheirIndex(t *testing.T) {
	f := newFixture(t)
	peer := listen(t)
	sockets, err := f.b.OpenProbes(3)
	if err != nil || len(sockets) != 3 {
		t.Fatalf("open: %v %v", sockets, err)
	}
	if sockets[0].Socket != 1 || sockets[1].Socket != 2 || sockets[2].Socket != 3 {
		t.Fatalf("indices %+v, want 1, 2, 3", sockets)
	}
	ports := map[uint16]bool{f.addr.Port(): true}
	for _, s := range sockets {
		if ports[s.Port] {
			t.Fatalf("port %d used twice", s.Port)
		}
		ports[s.Port] = true
	}
	if err := f.b.SendFromProbe(2, addrOf(peer), 0, probe); err != nil {
		t.Fatal(err)
	}
	got, from := read(t, peer)
	if !bytes.Equal(got, probe) || from != probeAddr(f, sockets[1]) {
		t.Fatalf("peer got %x from %v, want the probe from socket 2's port %d", got, from, sockets[1].Port)
	}
	if _, err := peer.WriteToUDPAddrPort(stun, probeAddr(f, sockets[1])); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return len(f.up.all()) == 1 })
	up := f.up.all()[0]
	if up.socket != 2 || up.from != addrOf(peer) || !bytes.Equal(up.data, stun) {
		t.Fatalf("went up %+v", up)
	}
}

func TestAPeerOnAProbeSocketSendsAndReceivesItsWireGuardThere(t *testing.T) {
	f := newFixture(t)
	peer := listen(t)
	sockets, _ := f.b.OpenProbes(2)
	f.b.AddPeer(keyA)
	if err := f.b.SetPath(keyA, proto.Path{Kind: proto.PathDirect, To: addrOf(peer), Socket: 2}); err != nil {
		t.Fatal(err)
	}
	if err := f.b.Send([][]byte{transport}, f.b.peers[keyA].ep); err != nil {
		t.Fatal(err)
	}
	got, from := read(t, peer)
	if !bytes.Equal(got, transport) || from != probeAddr(f, sockets[1]) {
		t.Fatalf("peer got %x from %v, want WireGuard from socket 2", got, from)
	}
	// The same WireGuard on the public socket or on the other probe socket is not the path.
	peer.WriteToUDPAddrPort(transport, probeAddr(f, sockets[0]))
	peer.WriteToUDPAddrPort(transport, probeAddr(f, sockets[1]))
	bufs, sizes, eps := [][]byte{make([]byte, 2048)}, []int{0}, make([]conn0, 1)
	n, err := f.probeRecv(bufs, sizes, eps)
	if err != nil || n != 1 || !bytes.Equal(bufs[0][:sizes[0]], transport) || eps[0].(*Endpoint).peer.key != keyA {
		t.Fatalf("device got %d %v", n, err)
	}
	waitFor(t, func() bool { return f.b.SocketStats().DroppedUnknownSource == 1 })
	if st := f.b.PeerStats()[0]; st.Path.Socket != 2 || st.WireGuardIn != 1 || st.WireGuardOut != 1 {
		t.Fatalf("%+v", st)
	}
}

func TestAProbeSocketCarryingAPathIsNotClosedUntilThePeerMoves(t *testing.T) {
	f := newFixture(t)
	peer := listen(t)
	f.b.OpenProbes(3)
	f.b.AddPeer(keyA)
	f.b.SetPath(keyA, proto.Path{Kind: proto.PathDirect, To: addrOf(peer), Socket: 3})
	if n, err := f.b.CloseProbes([]uint16{1, 3}); err == nil || n != 0 || f.b.ProbeSocketCount() != 3 {
		t.Fatalf("closed %d (%v); want a refusal that closes nothing", n, err)
	}
	if n, err := f.b.CloseProbes([]uint16{1, 2, 99}); err != nil || n != 2 || f.b.ProbeSocketCount() != 1 {
		t.Fatalf("closed %d (%v), want 2 of 3 listed", n, err)
	}
	f.b.SetPath(keyA, proto.Path{Kind: proto.PathDirect, To: addrOf(peer)})
	if n, err := f.b.CloseProbes([]uint16{3}); err != nil || n != 1 || f.b.ProbeSocketCount() != 0 {
		t.Fatalf("closed %d (%v)", n, err)
	}
	if err := f.b.SetPath(keyA, proto.Path{Kind: proto.PathDirect, To: addrOf(peer), Socket: 3}); err == nil {
		t.Fatal("a path on a closed probe socket was accepted")
	}
	if err := f.b.SendFromProbe(3, addrOf(peer), 0, probe); err == nil {
		t.Fatal("a send from a closed probe socket was accepted")
	}
}

func TestProbeSocketsAreBoundedAndIndicesAreNotReusedAtOnce(t *testing.T) {
	f := newFixture(t)
	if _, err := f.b.OpenProbes(256); err != nil {
		t.Fatal(err)
	}
	if _, err := f.b.OpenProbes(32); err != nil {
		t.Fatal(err)
	}
	if _, err := f.b.OpenProbes(1); err == nil || err.(*proto.Error).Code != proto.CodeTooMany {
		t.Fatalf("289th socket: %v", err)
	}
	f.b.CloseProbes([]uint16{1})
	again, err := f.b.OpenProbes(1)
	if err != nil || again[0].Socket != 289 {
		t.Fatalf("got %+v %v, want index 289", again, err)
	}
	f.b.CloseAllProbes()
	if f.b.ProbeSocketCount() != 0 {
		t.Fatal("sockets left open")
	}
}

func TestWireGuardAcceptedOnAProbeSocketReachesTheDeviceBeforeItIsThePath(t *testing.T) {
	f := newFixture(t)
	peer := listen(t)
	sockets, _ := f.b.OpenProbes(1)
	f.b.AddPeer(keyA)
	if err := f.b.AcceptDirect(keyA, addrOf(peer), 1); err != nil {
		t.Fatal(err)
	}
	peer.WriteToUDPAddrPort(transport, probeAddr(f, sockets[0]))
	bufs, sizes, eps := [][]byte{make([]byte, 2048)}, []int{0}, make([]conn0, 1)
	if n, err := f.probeRecv(bufs, sizes, eps); err != nil || n != 1 || eps[0].(*Endpoint).peer.key != keyA {
		t.Fatalf("device got %d %v", n, err)
	}
	f.b.CloseProbes([]uint16{1})
	if err := f.b.AcceptDirect(keyA, addrOf(peer), 1); err == nil {
		t.Fatal("accepted on a closed probe socket")
	}
}

func TestTheProbeReceiveFunctionEndsWhenTheBindCloses(t *testing.T) {
	f := newFixture(t)
	done := make(chan error, 1)
	go func() {
		_, err := f.probeRecv([][]byte{make([]byte, 64)}, []int{0}, make([]conn0, 1))
		done <- err
	}()
	f.b.Close()
	if err := <-done; err != net.ErrClosed {
		t.Fatalf("err %v, want net.ErrClosed", err)
	}
}

type conn0 = conn.Endpoint

// waitFor polls cond for up to 2 s (datagrams cross loopback asynchronously).
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 2 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
