package tunhook

import (
	"bytes"
	"os"
	"testing"

	"golang.zx2c4.com/wireguard/tun"
)

// memTUN stands in for the OS side of a TUN (the seam this package wraps).
type memTUN struct {
	toRead  [][]byte
	written [][]byte
}

func (m *memTUN) File() *os.File           { return nil }
func (m *memTUN) MTU() (int, error)        { return 1420, nil }
func (m *memTUN) Name() (string, error)    { return "mem0", nil }
func (m *memTUN) Events() <-chan tun.Event { return nil }
func (m *memTUN) Close() error             { return nil }
func (m *memTUN) BatchSize() int           { return 4 }
func (m *memTUN) Read(bufs [][]byte, sizes []int, offset int) (int, error) {
	n := 0
	for n < len(bufs) && len(m.toRead) > 0 {
		sizes[n] = copy(bufs[n][offset:], m.toRead[0])
		m.toRead = m.toRead[1:]
		n++
	}
	return n, nil
}
func (m *memTUN) Write(bufs [][]byte, offset int) (int, error) {
	for _, b := range bufs {
		m.written = append(m.written, append([]byte(nil), b[offset:]...))
	}
	return len(bufs), nil
}

// copyBroadcasts drops packets starting with 0xbb and injects two copies of them, 0xc1 and
// 0xc2; on the way to the OS it strips a one-byte 0xee prefix and drops 0xdd.
type copyBroadcasts struct{}

func (copyBroadcasts) FromOS(p []byte, inj Injector) Verdict {
	if p[0] != 0xbb {
		return Pass
	}
	inj.Inject(append([]byte{0xc1}, p[1:]...))
	inj.Inject(append([]byte{0xc2}, p[1:]...))
	return Drop
}

func (copyBroadcasts) ToOS(p []byte) []byte {
	switch p[0] {
	case 0xdd:
		return nil
	case 0xee:
		return p[1:]
	}
	return p
}

func buffers(n int) ([][]byte, []int) {
	bufs := make([][]byte, n)
	for i := range bufs {
		bufs[i] = make([]byte, 64)
	}
	return bufs, make([]int, n)
}

func TestANilHookIsTheDeviceItself(t *testing.T) {
	m := &memTUN{}
	if Wrap(m, nil) != tun.Device(m) {
		t.Fatal("wrapped without a hook")
	}
}

func TestTheHookDropsRewritesAndInjectsOnTheWayToWireGuard(t *testing.T) {
	m := &memTUN{toRead: [][]byte{{0x45, 1}, {0xbb, 2}}}
	w := Wrap(m, copyBroadcasts{})
	bufs, sizes := buffers(4)
	n, err := w.Read(bufs, sizes, 16)
	if err != nil {
		t.Fatal(err)
	}
	var got [][]byte
	for i := 0; i < n; i++ {
		if sizes[i] > 0 {
			got = append(got, bufs[i][16:16+sizes[i]])
		}
	}
	want := [][]byte{{0x45, 1}, {0xc1, 2}, {0xc2, 2}}
	if len(got) != len(want) {
		t.Fatalf("got %x", got)
	}
	for i := range want {
		if !bytes.Equal(got[i], want[i]) {
			t.Fatalf("got %x, want %x", got, want)
		}
	}
}

func TestInjectedPacketsThatDidNotFitComeFirstNextTime(t *testing.T) {
	m := &memTUN{toRead: [][]byte{{0xbb, 3}}}
	w := Wrap(m, copyBroadcasts{})
	bufs, sizes := buffers(2)
	if n, _ := w.Read(bufs[:1], sizes, 0); n != 1 || sizes[0] != 0 {
		t.Fatalf("first read: n %d size %d", n, sizes[0])
	}
	if n, _ := w.Read(bufs, sizes, 0); n != 2 || bufs[0][0] != 0xc1 || bufs[1][0] != 0xc2 {
		t.Fatalf("second read: n %d %x %x", n, bufs[0][:2], bufs[1][:2])
	}
}

func TestTheHookDropsAndUnwrapsOnTheWayToTheOS(t *testing.T) {
	m := &memTUN{}
	w := Wrap(m, copyBroadcasts{})
	pkts := [][]byte{
		append(make([]byte, 8), 0x45, 1), append(make([]byte, 8), 0xdd, 2), append(make([]byte, 8), 0xee, 0x45, 3),
	}
	if n, err := w.Write(pkts, 8); n != 3 || err != nil {
		t.Fatalf("n %d err %v", n, err)
	}
	if len(m.written) != 2 || !bytes.Equal(m.written[0], []byte{0x45, 1}) || !bytes.Equal(m.written[1], []byte{0x45, 3}) {
		t.Fatalf("OS got %x", m.written)
	}
}
