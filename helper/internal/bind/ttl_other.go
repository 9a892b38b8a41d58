//go:build !linux

package bind

import (
	"net"
	"net/netip"

	"github.com/lanrage/lanrage/helper/internal/proto"
)

// sendWithTTL: a per-datagram TTL needs IP_TTL as a control message, which only Linux is known
// to honour for UDP; changing the socket's TTL around one send would race with WireGuard's own
// sends on the same socket, so other OSes refuse it.
func sendWithTTL(*net.UDPConn, netip.AddrPort, uint8, []byte) error {
	return proto.Errorf(proto.CodeUnsupported, "a per-datagram TTL is only supported on Linux")
}
