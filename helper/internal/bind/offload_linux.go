package bind

import (
	"encoding/binary"
	"net"

	"golang.org/x/sys/unix"
)

// UDP segmentation offload (GSO, send) and receive coalescing (GRO): the kernel carries a run
// of equal-sized datagrams to or from one address through its stack as one, which is most of
// wireguard-go's own Bind's lead in throughput and CPU per byte.
const (
	// maxSegments is UDP_MAX_SEGMENTS of the kernels we target (64 before Linux 6.9).
	maxSegments = 64
	// maxCoalesced: a GSO send or GRO receive is one UDP datagram as far as sizes go.
	maxCoalesced = 65507
	// oobSpace holds the UDP_GRO control message (an int) with room to spare.
	oobSpace = 64
)

// offloadSupport probes the socket: GSO when the kernel knows UDP_SEGMENT, GRO when it
// accepts UDP_GRO (which this also turns on).
func offloadSupport(c *net.UDPConn) (gso, gro bool) {
	raw, err := c.SyscallConn()
	if err != nil {
		return false, false
	}
	_ = raw.Control(func(fd uintptr) {
		_, err := unix.GetsockoptInt(int(fd), unix.IPPROTO_UDP, unix.UDP_SEGMENT)
		gso = err == nil
		gro = unix.SetsockoptInt(int(fd), unix.IPPROTO_UDP, unix.UDP_GRO, 1) == nil
	})
	return gso, gro
}

// appendSegmentCmsg appends the UDP_SEGMENT control message that tells the kernel to cut the
// datagram into segments of size bytes.
func appendSegmentCmsg(oob []byte, size uint16) []byte {
	start := len(oob)
	oob = append(oob, make([]byte, unix.CmsgSpace(2))...)
	h := (*unix.Cmsghdr)(unsafePointer(&oob[start]))
	h.Level, h.Type = unix.IPPROTO_UDP, unix.UDP_SEGMENT
	h.SetLen(unix.CmsgLen(2))
	binary.NativeEndian.PutUint16(oob[start+unix.CmsgLen(0):], size)
	return oob
}

// groSize reads the segment size of a coalesced receive from its control messages; 0 when the
// datagram was not coalesced. No allocation: this runs per received batch.
func groSize(oob []byte) int {
	for len(oob) >= unix.SizeofCmsghdr {
		h := (*unix.Cmsghdr)(unsafePointer(&oob[0]))
		l := int(h.Len)
		if l < unix.SizeofCmsghdr || l > len(oob) {
			return 0
		}
		if h.Level == unix.IPPROTO_UDP && h.Type == unix.UDP_GRO {
			data := oob[unix.CmsgLen(0):l]
			switch {
			case len(data) >= 4:
				return int(binary.NativeEndian.Uint32(data))
			case len(data) >= 2:
				return int(binary.NativeEndian.Uint16(data))
			}
			return 0
		}
		step := unix.CmsgSpace(l - unix.CmsgLen(0))
		if step > len(oob) {
			return 0
		}
		oob = oob[step:]
	}
	return 0
}
