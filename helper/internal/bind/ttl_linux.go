package bind

import (
	"net"
	"net/netip"

	"golang.org/x/sys/unix"
)

// sendWithTTL sends one datagram with an IP_TTL (IPv6: IPV6_HOPLIMIT) control message: the
// TTL applies to this datagram only, so WireGuard traffic on the same socket keeps the default.
// An IPv4 destination on the dual-stack socket goes as an AF_INET address with IP_TTL, which
// Linux hands to its IPv4 path (udpv6_sendmsg → udp_sendmsg) as for an IPv4 socket.
func sendWithTTL(c *net.UDPConn, to netip.AddrPort, ttl uint8, payload []byte) error {
	raw, err := c.SyscallConn()
	if err != nil {
		return err
	}
	oob := make([]byte, unix.CmsgSpace(4))
	h := (*unix.Cmsghdr)(unsafePointer(&oob[0]))
	h.SetLen(unix.CmsgLen(4))
	putNativeInt32(oob[unix.CmsgLen(0):], int32(ttl))
	var sa unix.Sockaddr
	if ip := to.Addr().Unmap(); ip.Is4() {
		h.Level, h.Type = unix.IPPROTO_IP, unix.IP_TTL
		sa = &unix.SockaddrInet4{Port: int(to.Port()), Addr: ip.As4()}
	} else {
		h.Level, h.Type = unix.IPPROTO_IPV6, unix.IPV6_HOPLIMIT
		sa = &unix.SockaddrInet6{Port: int(to.Port()), Addr: ip.As16()}
	}
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
