package bind

import (
	"errors"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"

	"golang.org/x/net/ipv4"
	"golang.org/x/sys/unix"
)

type linuxIO struct {
	pc    *ipv4.PacketConn
	batch int
	// gso/gro: the kernel offloads (offload_linux.go); gso is switched off for good when a
	// send with it fails the way an unsupporting device makes it fail.
	gso atomic.Bool
	gro bool
	// writers recycles send batches: the device calls Send from several goroutines.
	writers sync.Pool
}

func newBatchIO(c *net.UDPConn, batch int) batchIO {
	l := &linuxIO{pc: ipv4.NewPacketConn(c), batch: batch}
	gso, gro := offloadSupport(c)
	l.gso.Store(gso)
	l.gro = gro
	l.writers.New = func() any { return newWriteBatch(batch) }
	return l
}

type linuxReader struct {
	pc   *ipv4.PacketConn
	gro  bool
	msgs []ipv4.Message
	iov  [][1][]byte
	oob  [][oobSpace]byte
	// src[i] is the source of packet i of the last read (segments share their datagram's).
	src []netip.AddrPort
}

func (l *linuxIO) newReader() batchReader {
	r := &linuxReader{
		pc: l.pc, gro: l.gro, msgs: make([]ipv4.Message, l.batch), iov: make([][1][]byte, l.batch),
		oob: make([][oobSpace]byte, l.batch), src: make([]netip.AddrPort, l.batch),
	}
	for i := range r.msgs {
		r.msgs[i].Buffers = r.iov[i][:]
		if l.gro {
			r.msgs[i].OOB = r.oob[i][:]
		}
	}
	return r
}

func (r *linuxReader) read(packets [][]byte, sizes []int) (int, error) {
	count := min(len(packets), len(r.msgs))
	// With GRO one datagram may hold up to maxSegments packets: read few datagrams into the
	// last buffers and split them into the first ones (each device buffer holds 64 KiB).
	readAt := 0
	if r.gro {
		readAt = count - max(1, count/maxSegments)
	}
	msgs := r.msgs[readAt:count]
	for i := range msgs {
		r.iov[readAt+i][0] = packets[readAt+i]
		if r.gro {
			msgs[i].OOB = r.oob[readAt+i][:]
		}
	}
	n, err := r.pc.ReadBatch(msgs, 0)
	if err != nil {
		return 0, err
	}
	if !r.gro {
		for i := 0; i < n; i++ {
			sizes[i] = msgs[i].N
			r.src[i] = sourceOf(msgs[i].Addr)
		}
		return n, nil
	}
	return r.split(packets, sizes, readAt, n), nil
}

// split moves the segments of the n datagrams read at packets[readAt:] to packets[0:], in
// order. A segment never lands in a buffer not yet split (out ≤ the datagram's own index), so
// nothing is overwritten before it is moved.
func (r *linuxReader) split(packets [][]byte, sizes []int, readAt, n int) int {
	out := 0
	for i := 0; i < n; i++ {
		m := &r.msgs[readAt+i]
		own := readAt + i
		data := packets[own][:m.N]
		src := sourceOf(m.Addr)
		seg := groSize(m.OOB[:m.NN])
		if seg <= 0 || seg >= len(data) {
			seg = len(data)
		}
		for off := 0; off < len(data) && out <= own; off += seg {
			end := min(off+seg, len(data))
			sizes[out] = copy(packets[out], data[off:end])
			r.src[out] = src
			out++
		}
	}
	return out
}

func sourceOf(a net.Addr) netip.AddrPort {
	if u, ok := a.(*net.UDPAddr); ok {
		ap := u.AddrPort()
		return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	}
	return netip.AddrPort{}
}

func (r *linuxReader) from(i int) netip.AddrPort { return r.src[i] }

type writeBatch struct {
	msgs []ipv4.Message
	iov  [][2][]byte
	// scratch holds coalesced GSO datagrams; oob their UDP_SEGMENT control messages.
	scratch []byte
	oob     [][]byte
}

func newWriteBatch(n int) *writeBatch {
	return &writeBatch{
		msgs: make([]ipv4.Message, n), iov: make([][2][]byte, n),
		scratch: make([]byte, 0, n*(maxCoalesced/maxSegments+64)), oob: make([][]byte, n),
	}
}

func (l *linuxIO) write(bufs [][]byte, p *path) error {
	w := l.writers.Get().(*writeBatch)
	defer l.writers.Put(w)
	if len(bufs) > len(w.msgs) {
		bufs = bufs[:len(w.msgs)] // the device never passes more than BatchSize
	}
	if len(bufs) > 1 && l.gso.Load() {
		err := l.send(w, w.coalesce(bufs, p))
		if err == nil || !gsoRefused(err) {
			return err
		}
		l.gso.Store(false) // this path's device cannot segment: send one by one from now on
	}
	for i, buf := range bufs {
		m := &w.msgs[i]
		m.Addr, m.OOB = p.udp, nil
		if p.header != nil {
			w.iov[i][0], w.iov[i][1] = p.header, buf
			m.Buffers = w.iov[i][:2]
		} else {
			w.iov[i][0] = buf
			m.Buffers = w.iov[i][:1]
		}
	}
	return l.send(w, len(bufs))
}

// coalesce packs runs of equal-sized packets (header included; the last of a run may be
// shorter) into single GSO datagrams in w.scratch, and returns how many messages it made.
func (w *writeBatch) coalesce(bufs [][]byte, p *path) int {
	w.scratch = w.scratch[:0]
	n := 0
	for i := 0; i < len(bufs); {
		seg := len(p.header) + len(bufs[i])
		start := len(w.scratch)
		count := 0
		for i < len(bufs) && count < maxSegments {
			size := len(p.header) + len(bufs[i])
			if size > seg || len(w.scratch)-start+size > maxCoalesced {
				break
			}
			w.scratch = append(append(w.scratch, p.header...), bufs[i]...)
			count++
			i++
			if size < seg {
				break // a shorter packet can only end a run
			}
		}
		m := &w.msgs[n]
		m.Addr = p.udp
		w.iov[n][0] = w.scratch[start:]
		m.Buffers = w.iov[n][:1]
		m.OOB = nil
		if count > 1 {
			w.oob[n] = appendSegmentCmsg(w.oob[n][:0], uint16(seg))
			m.OOB = w.oob[n]
		}
		n++
	}
	return n
}

func (l *linuxIO) send(w *writeBatch, n int) error {
	msgs := w.msgs[:n]
	for len(msgs) > 0 {
		sent, err := l.pc.WriteBatch(msgs, 0)
		if err != nil {
			return err
		}
		msgs = msgs[sent:]
	}
	return nil
}

// gsoRefused: the kernel answers EIO when the route's device cannot do UDP segmentation.
func gsoRefused(err error) bool {
	return errors.Is(err, unix.EIO)
}
