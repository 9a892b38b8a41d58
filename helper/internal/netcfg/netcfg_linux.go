package netcfg

import (
	"context"
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
// its queue at tunQueueLength); the kernel adds the route of the prefix with the address.
func (osConfigurator) SetAddress(ctx context.Context, iface string, prefix netip.Prefix) error {
	ip := ipCommand()
	if err := run(ctx, ip, "-4", "address", "flush", "dev", iface); err != nil {
		return err
	}
	if err := run(ctx, ip, "-4", "address", "add", prefix.String(), "dev", iface); err != nil {
		return err
	}
	return run(ctx, ip, "link", "set", "dev", iface, "txqueuelen", tunQueueLength, "up")
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
