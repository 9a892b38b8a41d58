package bind

import (
	"net"
	"net/netip"
	"sync"

	"golang.org/x/net/ipv4"
)

type linuxIO struct {
	pc    *ipv4.PacketConn
	batch int
	// writers recycles send batches: the device calls Send from several goroutines.
	writers sync.Pool
}

func newBatchIO(c *net.UDPConn, batch int) batchIO {
	l := &linuxIO{pc: ipv4.NewPacketConn(c), batch: batch}
	l.writers.New = func() any { return newWriteBatch(batch) }
	return l
}

type linuxReader struct {
	pc   *ipv4.PacketConn
	msgs []ipv4.Message
	iov  [][1][]byte
}

func (l *linuxIO) newReader() batchReader {
	r := &linuxReader{pc: l.pc, msgs: make([]ipv4.Message, l.batch), iov: make([][1][]byte, l.batch)}
	for i := range r.msgs {
		r.msgs[i].Buffers = r.iov[i][:]
	}
	return r
}

func (r *linuxReader) read(packets [][]byte, sizes []int) (int, error) {
	count := min(len(packets), len(r.msgs))
	for i := 0; i < count; i++ {
		r.iov[i][0] = packets[i]
	}
	n, err := r.pc.ReadBatch(r.msgs[:count], 0)
	if err != nil {
		return 0, err
	}
	for i := 0; i < n; i++ {
		sizes[i] = r.msgs[i].N
	}
	return n, nil
}

func (r *linuxReader) from(i int) netip.AddrPort {
	if a, ok := r.msgs[i].Addr.(*net.UDPAddr); ok {
		ap := a.AddrPort()
		return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	}
	return netip.AddrPort{}
}

type writeBatch struct {
	msgs []ipv4.Message
	iov  [][2][]byte
}

func newWriteBatch(n int) *writeBatch {
	return &writeBatch{msgs: make([]ipv4.Message, n), iov: make([][2][]byte, n)}
}

func (l *linuxIO) write(bufs [][]byte, p *path) error {
	w := l.writers.Get().(*writeBatch)
	defer l.writers.Put(w)
	if len(bufs) > len(w.msgs) {
		bufs = bufs[:len(w.msgs)] // the device never passes more than BatchSize
	}
	for i, buf := range bufs {
		m := &w.msgs[i]
		m.Addr = p.udp
		if p.header != nil {
			w.iov[i][0], w.iov[i][1] = p.header, buf
			m.Buffers = w.iov[i][:2]
		} else {
			w.iov[i][0] = buf
			m.Buffers = w.iov[i][:1]
		}
	}
	msgs := w.msgs[:len(bufs)]
	for len(msgs) > 0 {
		n, err := l.pc.WriteBatch(msgs, 0)
		if err != nil {
			return err
		}
		msgs = msgs[n:]
	}
	return nil
}
