package bind

import (
	"fmt"
	"log/slog"
	"net"
	"net/netip"
)

// Listen opens the public socket. On the wildcard address it is one dual-stack socket
// ([::]:port with IPV6_V6ONLY off): IPv4 and IPv6 share the port number, as the candidates the
// core offers say, and one receive loop, one batch reader and one table serve both (IPv4
// arrives as ::ffff:a.b.c.d and is unmapped on the way in). A machine without IPv6 (the
// kernel refuses AF_INET6) gets the IPv4 socket alone; so does a specific IPv4 listen host.
func Listen(host netip.Addr, port uint16, log *slog.Logger) (*net.UDPConn, error) {
	if host.IsUnspecified() {
		c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv6unspecified, Port: int(port)})
		if err == nil && isDualStack(c) {
			return c, nil
		}
		if err == nil {
			c.Close() // Go fell back to IPv4 by itself: reopen it explicitly below
		} else if log != nil {
			log.Info("no IPv6 on the public port; IPv4 only", "error", err.Error())
		}
	}
	c, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(host, port)))
	if err != nil {
		return nil, fmt.Errorf("binding UDP %s:%d: %w", host, port, err)
	}
	return c, nil
}

// isDualStack: Go opens "udp" on [::] as an AF_INET6 socket with IPV6_V6ONLY off when the
// kernel can map IPv4 into it, else as AF_INET; the bound address tells which it did.
func isDualStack(c *net.UDPConn) bool {
	a, ok := c.LocalAddr().(*net.UDPAddr)
	return ok && a.IP.To4() == nil
}
