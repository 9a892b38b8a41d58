package bind

import (
	"net"
	"unsafe"

	"golang.org/x/sys/windows"
)

// prepareSocket: Windows reports an ICMP port-unreachable for an earlier send as an error on the
// next receive (WSAECONNRESET). One dead peer would then make wireguard-go's receive loop give
// up; SIO_UDP_CONNRESET off makes the socket ignore those reports, as a UDP socket should.
func prepareSocket(c *net.UDPConn) {
	raw, err := c.SyscallConn()
	if err != nil {
		return
	}
	_ = raw.Control(func(fd uintptr) {
		off := uint32(0)
		var returned uint32
		_ = windows.WSAIoctl(windows.Handle(fd), windows.SIO_UDP_CONNRESET,
			(*byte)(unsafe.Pointer(&off)), uint32(unsafe.Sizeof(off)), nil, 0, &returned, nil, 0)
	})
}
