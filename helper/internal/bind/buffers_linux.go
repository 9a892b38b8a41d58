package bind

import (
	"net"

	"golang.org/x/sys/unix"
)

// sizeBuffersForced uses SO_RCVBUFFORCE / SO_SNDBUFFORCE, which pass net.core.rmem_max and
// wmem_max (212,992 bytes on most systems, too small: see SocketBufferBytes); they need
// CAP_NET_ADMIN, which the helper has. False when either is refused.
func sizeBuffersForced(c *net.UDPConn) bool {
	raw, err := c.SyscallConn()
	if err != nil {
		return false
	}
	ok := false
	_ = raw.Control(func(fd uintptr) {
		rcv := unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, SocketBufferBytes)
		snd := unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_SNDBUFFORCE, SocketBufferBytes)
		ok = rcv == nil && snd == nil
	})
	return ok
}
