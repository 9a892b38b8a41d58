package discovery

import (
	"net/netip"
	"testing"
)

// ringInjector copies each packet into a fixed ring, as the helper's inject queue does, without
// allocating: the benchmark measures the fan-out, not the garbage collector.
type ringInjector struct {
	slots [64][DefaultMTU]byte
	next  int
	bytes uint64
}

func (r *ringInjector) Inject(p []byte) bool {
	copy(r.slots[r.next%len(r.slots)][:], p)
	r.next++
	r.bytes += uint64(len(p))
	return true
}

const benchPeers = 31 // a full 32-member party: everyone but us

// benchMember is A with 31 peers and buckets too deep to limit the benchmark.
func benchMember(b *testing.B) *Forwarder {
	f := New(Options{RatePerSecond: 1e15, Burst: 1e15})
	if err := f.SetAddress(addrA, subnet); err != nil {
		b.Fatal(err)
	}
	for i := range benchPeers {
		vip := netip.AddrFrom4([4]byte{10, 66, 1, byte(i + 1)})
		f.SetPeer(vip.String(), []netip.Prefix{netip.PrefixFrom(vip, 32)})
	}
	return f
}

// BenchmarkUnicastBaseline is the plain unicast send through the same hook: FromOS passes the
// packet and it is copied once into the queue (what the helper does for every packet).
func BenchmarkUnicastBaseline(b *testing.B) {
	f := benchMember(b)
	p := unhex(b, hexA2SFromA)
	RewriteDestination(p, netip.MustParseAddr("10.66.1.1"))
	inj := &ringInjector{}
	b.SetBytes(int64(len(p)))
	b.ResetTimer()
	for b.Loop() {
		if f.FromOS(p, inj) == 0 {
			inj.Inject(p)
		}
	}
	b.ReportMetric(float64(inj.bytes)/float64(b.N), "wire-bytes/op")
}

// BenchmarkBroadcastFanOut32 is one 53-byte A2S_INFO broadcast to a 32-member party.
func BenchmarkBroadcastFanOut32(b *testing.B) { benchFanOut(b, unhex(b, hexA2SFromA)) }

// BenchmarkBroadcastFanOut32Large is a 1,388-byte broadcast, the largest carried.
func BenchmarkBroadcastFanOut32Large(b *testing.B) { benchFanOut(b, bigBroadcast(b, 1388)) }

func benchFanOut(b *testing.B, p []byte) {
	f := benchMember(b)
	inj := &ringInjector{}
	b.SetBytes(int64(len(p)))
	b.ResetTimer()
	for b.Loop() {
		f.FromOS(p, inj)
	}
	b.StopTimer()
	if inj.next != b.N*benchPeers {
		b.Fatalf("%d envelopes for %d broadcasts", inj.next, b.N)
	}
	perOp := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	b.ReportMetric(perOp/benchPeers, "ns/peer")
	b.ReportMetric(float64(inj.bytes)/float64(b.N)/benchPeers, "wire-bytes/peer")
}

// BenchmarkEnvelopeDelivery is the receive side: one envelope unwrapped for the OS.
func BenchmarkEnvelopeDelivery(b *testing.B) {
	f := New(Options{RatePerSecond: 1e15, Burst: 1e15})
	_ = f.SetAddress(addrB, subnet)
	f.SetPeer(keyA, []netip.Prefix{netip.PrefixFrom(addrA, 32)})
	env := unhex(b, hexEnvelopeAToB)
	b.SetBytes(int64(len(env)))
	for b.Loop() {
		if f.ToOS(env) == nil {
			b.Fatal("dropped")
		}
	}
}
