package bind

import (
	"net"
	"net/netip"

	"golang.org/x/sys/unix"
)

// sendWithTTL sends one datagram with an IP_TTL control message: the TTL applies to this
// datagram only, so WireGuard traffic on the same socket keeps the default.
func sendWithTTL(c *net.UDPConn, to netip.AddrPort, ttl uint8, payload []byte) error {
	raw, err := c.SyscallConn()
	if err != nil {
		return err
	}
	oob := make([]byte, unix.CmsgSpace(4))
	h := (*unix.Cmsghdr)(unsafePointer(&oob[0]))
	h.Level, h.Type = unix.IPPROTO_IP, unix.IP_TTL
	h.SetLen(unix.CmsgLen(4))
	putNativeInt32(oob[unix.CmsgLen(0):], int32(ttl))
	sa := &unix.SockaddrInet4{Port: int(to.Port()), Addr: to.Addr().Unmap().As4()}
	var sendErr error
	err = raw.Write(func(fd uintptr) bool {
		sendErr = unix.Sendmsg(int(fd), payload, oob, sa, 0)
		return sendErr != unix.EAGAIN
	})
	if err != nil {
		return err
	}
	return sendErr
}
