//go:build !linux

package bind

import (
	"net"
	"net/netip"
	"sync"
)

// One datagram per system call: Windows and macOS have no recvmmsg/sendmmsg.
type singleIO struct {
	c       *net.UDPConn
	scratch sync.Pool // header + payload, joined for relay paths
}

func newBatchIO(c *net.UDPConn, _ int) batchIO {
	prepareSocket(c)
	s := &singleIO{c: c}
	s.scratch.New = func() any { b := make([]byte, 0, 65536); return &b }
	return s
}

type singleReader struct {
	c    *net.UDPConn
	last netip.AddrPort
}

func (s *singleIO) newReader() batchReader { return &singleReader{c: s.c} }

func (r *singleReader) read(packets [][]byte, sizes []int) (int, error) {
	n, from, err := r.c.ReadFromUDPAddrPort(packets[0])
	if err != nil {
		return 0, err
	}
	sizes[0] = n
	r.last = netip.AddrPortFrom(from.Addr().Unmap(), from.Port())
	return 1, nil
}

func (r *singleReader) from(int) netip.AddrPort { return r.last }

func (s *singleIO) write(bufs [][]byte, p *path) error {
	for _, buf := range bufs {
		out := buf
		if p.header != nil {
			sp := s.scratch.Get().(*[]byte)
			out = append(append((*sp)[:0], p.header...), buf...)
			*sp = out
			defer s.scratch.Put(sp)
		}
		if _, err := s.c.WriteToUDPAddrPort(out, p.to); err != nil {
			return err
		}
	}
	return nil
}
