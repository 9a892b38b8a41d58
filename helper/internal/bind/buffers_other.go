//go:build !linux

package bind

import "net"

// sizeBuffersForced: only Linux has a privileged way past the system maximum.
func sizeBuffersForced(*net.UDPConn) bool { return false }
