package bind

import (
	"net/netip"
	"testing"

	"golang.zx2c4.com/wireguard/conn"

	"github.com/lanrage/lanrage/helper/internal/proto"
)

// Allocations and cost of the data path on loopback, Bind to Bind (go test -bench . -benchmem).
func benchmarkRoundTrip(b *testing.B, kind proto.PathKind) {
	benchmarkBetween(b, kind, newFixture(b), newFixture(b))
}

func benchmarkBetween(b *testing.B, kind proto.PathKind, sender, receiver *fixture) {
	sender.b.AddPeer(keyB)
	receiver.b.AddPeer(keyA)
	sender.b.SetPath(keyB, proto.Path{Kind: kind, To: receiver.addr, Route: routeX})
	receiver.b.SetPath(keyA, proto.Path{Kind: kind, To: sender.addr, Route: routeX})
	ep, _ := sender.b.ParseEndpoint(EndpointString(keyB))
	bufs := batch(64, 1400)
	bufs[63] = bufs[0]
	packets := make([][]byte, conn.IdealBatchSize)
	for i := range packets {
		packets[i] = make([]byte, 65535)
	}
	sizes := make([]int, len(packets))
	eps := make([]conn.Endpoint, len(packets))
	b.SetBytes(64 * 1400)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := sender.b.Send(bufs, ep); err != nil {
			b.Fatal(err)
		}
		for got := 0; got < len(bufs); {
			n, err := receiver.recv(packets, sizes, eps)
			if err != nil {
				b.Fatal(err)
			}
			got += n
		}
	}
}

func BenchmarkBatchOf64Direct(b *testing.B) { benchmarkRoundTrip(b, proto.PathDirect) }
func BenchmarkBatchOf64Relay(b *testing.B)  { benchmarkRoundTrip(b, proto.PathRelay) }

// The same over the dual-stack socket (listen.go), IPv4 and IPv6: the cost of one socket for both
// families against the IPv4-only socket above, measured in the same run.
func BenchmarkBatchOf64DirectDualStackIPv4(b *testing.B) {
	lo := netip.MustParseAddr("127.0.0.1")
	benchmarkBetween(b, proto.PathDirect, newDualFixture(b, lo), newDualFixture(b, lo))
}

func BenchmarkBatchOf64DirectDualStackIPv6(b *testing.B) {
	lo := netip.MustParseAddr("::1")
	benchmarkBetween(b, proto.PathDirect, newDualFixture(b, lo), newDualFixture(b, lo))
}
