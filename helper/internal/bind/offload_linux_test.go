package bind

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"golang.zx2c4.com/wireguard/conn"

	"github.com/lanrage/lanrage/helper/internal/proto"
)

func TestABatchLeavesAsSeparateDatagramsInOrderOnEveryPath(t *testing.T) {
	for _, relayed := range []bool{false, true} {
		t.Run(fmt.Sprintf("relayed %v", relayed), func(t *testing.T) {
			f := newFixture(t)
			peer := listen(t)
			f.b.AddPeer(keyA)
			ep, _ := f.b.ParseEndpoint(EndpointString(keyA))
			path := proto.Path{Kind: proto.PathDirect, To: addrOf(peer)}
			var header []byte
			if relayed {
				path = proto.Path{Kind: proto.PathRelay, To: addrOf(peer), Route: routeX}
				header = routeXData
			}
			f.b.SetPath(keyA, path)
			bufs := batch(100, 1200)
			if err := f.b.Send(bufs, ep); err != nil {
				t.Fatal(err)
			}
			for i, want := range bufs {
				got, _ := read(t, peer)
				if !bytes.Equal(got, cat(header, want)) {
					t.Fatalf("datagram %d: %d bytes, first %x", i, len(got), got[:min(20, len(got))])
				}
			}
			expectNothing(t, peer)
		})
	}
}

func TestABatchBetweenTwoBindsArrivesWhole(t *testing.T) {
	for _, relayed := range []bool{false, true} {
		t.Run(fmt.Sprintf("relayed %v", relayed), func(t *testing.T) {
			sender, receiver := newFixture(t), newFixture(t)
			sender.b.AddPeer(keyB)
			receiver.b.AddPeer(keyA)
			path := proto.Path{Kind: proto.PathDirect, To: receiver.addr}
			back := proto.Path{Kind: proto.PathDirect, To: sender.addr}
			if relayed {
				path.Kind, path.Route = proto.PathRelay, routeX
				back.Kind, back.Route = proto.PathRelay, routeX
			}
			sender.b.SetPath(keyB, path)
			receiver.b.SetPath(keyA, back)
			ep, _ := sender.b.ParseEndpoint(EndpointString(keyB))
			bufs := batch(128, 1400)
			if err := sender.b.Send(bufs, ep); err != nil {
				t.Fatal(err)
			}
			var got [][]byte
			deadline := time.Now().Add(3 * time.Second)
			for len(got) < len(bufs) && time.Now().Before(deadline) {
				packets := make([][]byte, conn.IdealBatchSize)
				for i := range packets {
					packets[i] = make([]byte, 65535)
				}
				sizes := make([]int, len(packets))
				eps := make([]conn.Endpoint, len(packets))
				n, err := receiver.recv(packets, sizes, eps)
				if err != nil {
					t.Fatal(err)
				}
				for i := 0; i < n; i++ {
					if sizes[i] > 0 {
						got = append(got, append([]byte(nil), packets[i][:sizes[i]]...))
					}
				}
			}
			if len(got) != len(bufs) {
				t.Fatalf("%d of %d packets arrived", len(got), len(bufs))
			}
			for i := range bufs {
				if !bytes.Equal(got[i], bufs[i]) {
					t.Fatalf("packet %d differs: %d bytes, marker %d", i, len(got[i]), got[i][4])
				}
			}
			if s := receiver.b.SocketStats(); s.WireGuardIn != uint64(len(bufs)) {
				t.Fatalf("%+v", s)
			}
		})
	}
}

func TestGROSizeIsReadFromItsControlMessageOnly(t *testing.T) {
	oob := appendSegmentCmsg(nil, 1234)
	if groSize(oob) != 0 {
		t.Fatal("a UDP_SEGMENT message read as GRO")
	}
	if groSize(nil) != 0 || groSize([]byte{1, 2, 3}) != 0 {
		t.Fatal("garbage read as a size")
	}
}

func TestOffloadProbeDoesNotBreakASocket(t *testing.T) {
	c := listen(t)
	offloadSupport(c)
	peer := listen(t)
	if _, err := c.WriteToUDPAddrPort([]byte("x"), addrOf(peer)); err != nil {
		t.Fatal(err)
	}
	if got, _ := read(t, peer); string(got) != "x" {
		t.Fatal(got)
	}
}
