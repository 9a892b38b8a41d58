package netcfg

import (
	"context"
	"fmt"
	"net/netip"
	"os"
)

type osConfigurator struct{}

// tunQueueLength is the TUN's packet queue toward the helper (its txqueuelen; the TUN driver's
// default is 500): with no qdisc in front, a full queue drops what games send. 500 packets is
// 50 ms of a 10,000 packets/s stream, less than a helper on a busy machine may wait to be
// scheduled; 5,000 matches the half second or more the public socket's buffer holds the other
// way (bind.SocketBufferBytes). Only packets actually waiting take memory.
const tunQueueLength = "5000"

// SetAddress replaces the interface's IPv4 addresses with prefix and brings the link up (with
// its queue at tunQueueLength); the kernel adds the route of the prefix with the address. One
// `ip -batch` does all three: this is on the path of a join's first ping, and each `ip` started
// cost 5-40 ms on a busy machine. The batch stops at the first command that fails. The interface
// name was checked by package proto (letters, digits, _ . -), so it cannot break a batch line.
func (osConfigurator) SetAddress(ctx context.Context, iface string, prefix netip.Prefix) error {
	batch := fmt.Sprintf("address flush dev %[1]s\naddress add %[2]s dev %[1]s\nlink set dev %[1]s txqueuelen %[3]s up\n",
		iface, prefix, tunQueueLength)
	return runWithInput(ctx, batch, ipCommand(), "-4", "-batch", "-")
}

// ipCommand is iproute2's `ip` from the system directories: the helper runs as root, so it does
// not take the binary from a PATH its unprivileged parent may have chosen.
func ipCommand() string {
	for _, p := range []string{"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"} {
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p
		}
	}
	return "ip"
}
