package bind

import "net/netip"

// batchIO moves packets between the socket and the device, in batches where the OS can
// (recvmmsg/sendmmsg on Linux), one at a time elsewhere. Files: batchio_linux.go,
// batchio_other.go.
type batchIO interface {
	// newReader returns a reader for one receive goroutine (its buffers are its own).
	newReader() batchReader
	// write sends every buf along p (with p's relay header in front, gathered, not copied).
	write(bufs [][]byte, p *path) error
}

type batchReader interface {
	// read fills packets[i][:sizes[i]] for i < n.
	read(packets [][]byte, sizes []int) (n int, err error)
	// from is the source of packet i of the last read.
	from(i int) netip.AddrPort
}
