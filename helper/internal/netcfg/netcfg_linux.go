package netcfg

import (
	"context"
	"net/netip"
	"os"
)

type osConfigurator struct{}

// SetAddress replaces the interface's IPv4 addresses with prefix and brings the link up; the
// kernel adds the route of the prefix with the address.
func (osConfigurator) SetAddress(ctx context.Context, iface string, prefix netip.Prefix) error {
	ip := ipCommand()
	if err := run(ctx, ip, "-4", "address", "flush", "dev", iface); err != nil {
		return err
	}
	if err := run(ctx, ip, "-4", "address", "add", prefix.String(), "dev", iface); err != nil {
		return err
	}
	return run(ctx, ip, "link", "set", "dev", iface, "up")
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
