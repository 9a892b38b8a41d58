package netcfg

import (
	"context"
	"net/netip"
)

type osConfigurator struct{}

// SetAddress replaces the interface's IPv4 addresses with prefix and brings the link up; the
// kernel adds the route of the prefix with the address.
func (osConfigurator) SetAddress(ctx context.Context, iface string, prefix netip.Prefix) error {
	if err := run(ctx, "ip", "-4", "address", "flush", "dev", iface); err != nil {
		return err
	}
	if err := run(ctx, "ip", "-4", "address", "add", prefix.String(), "dev", iface); err != nil {
		return err
	}
	return run(ctx, "ip", "link", "set", "dev", iface, "up")
}
