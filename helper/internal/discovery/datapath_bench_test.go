package discovery

import (
	"net/netip"
	"os"
	"testing"

	"golang.zx2c4.com/wireguard/tun"

	"github.com/lanrage/lanrage/helper/internal/tunhook"
)

// What the discovery hook costs every ordinary packet of the tunnel: a batch of 128 full-size
// UDP game packets (unicast, to a peer) through the TUN wrapper with the Forwarder, against the
// bare TUN device, both ways. The device below is a no-op, so the figure is the hook's alone.

type nullTUN struct{ batch [][]byte }

func (n *nullTUN) File() *os.File           { return nil }
func (n *nullTUN) MTU() (int, error)        { return DefaultMTU, nil }
func (n *nullTUN) Name() (string, error)    { return "null0", nil }
func (n *nullTUN) Events() <-chan tun.Event { return nil }
func (n *nullTUN) Close() error             { return nil }
func (n *nullTUN) BatchSize() int           { return len(n.batch) }
func (n *nullTUN) Read(bufs [][]byte, sizes []int, offset int) (int, error) {
	for i := range bufs {
		sizes[i] = copy(bufs[i][offset:], n.batch[i])
	}
	return len(bufs), nil
}
func (n *nullTUN) Write(bufs [][]byte, offset int) (int, error) { return len(bufs), nil }

const datapathBatch = 128

func datapathDevices(b *testing.B) (bare, hooked tun.Device, bufs [][]byte) {
	game := bigBroadcast(b, DefaultMTU)
	RewriteDestination(game, addrB) // unicast to a peer: what a game's traffic is
	batch := make([][]byte, datapathBatch)
	bufs = make([][]byte, datapathBatch)
	for i := range batch {
		batch[i] = game
		bufs[i] = make([]byte, 16+DefaultMTU)
	}
	f := New(Options{})
	_ = f.SetAddress(addrA, subnet)
	f.SetPeer(keyB, []netip.Prefix{netip.PrefixFrom(addrB, 32)})
	bare = &nullTUN{batch: batch}
	return bare, tunhook.Wrap(&nullTUN{batch: batch}, f), bufs
}

func benchRead(b *testing.B, dev tun.Device, bufs [][]byte) {
	sizes := make([]int, len(bufs))
	b.SetBytes(int64(len(bufs) * DefaultMTU))
	for b.Loop() {
		if n, _ := dev.Read(bufs, sizes, 16); n != len(bufs) {
			b.Fatal(n)
		}
	}
}

func benchWrite(b *testing.B, dev tun.Device, bufs [][]byte) {
	game := bigBroadcast(b, DefaultMTU)
	RewriteDestination(game, addrA)
	for _, buf := range bufs {
		copy(buf[16:], game)
	}
	b.SetBytes(int64(len(bufs) * DefaultMTU))
	for b.Loop() {
		if n, _ := dev.Write(bufs, 16); n != len(bufs) {
			b.Fatal(n)
		}
	}
}

func BenchmarkDatapathReadBare(b *testing.B) {
	bare, _, bufs := datapathDevices(b)
	benchRead(b, bare, bufs)
}

func BenchmarkDatapathReadHooked(b *testing.B) {
	_, hooked, bufs := datapathDevices(b)
	benchRead(b, hooked, bufs)
}

func BenchmarkDatapathWriteBare(b *testing.B) {
	bare, _, bufs := datapathDevices(b)
	benchWrite(b, bare, bufs)
}

func BenchmarkDatapathWriteHooked(b *testing.B) {
	_, hooked, bufs := datapathDevices(b)
	benchWrite(b, hooked, bufs)
}
