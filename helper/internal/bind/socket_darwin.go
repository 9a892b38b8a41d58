package bind

import "net"

// prepareSocket: nothing to do on macOS (unconnected UDP sockets get no ICMP errors).
func prepareSocket(*net.UDPConn) {}
