package netcfg

import (
	"context"
	"net"
	"net/netip"
)

type osConfigurator struct{}

// SetAddress sets the wintun adapter's static address; Windows adds the prefix's on-link
// route with it. Not run in CI (cross-compiled only).
func (osConfigurator) SetAddress(ctx context.Context, iface string, prefix netip.Prefix) error {
	mask := net.IP(net.CIDRMask(prefix.Bits(), 32)).String()
	return run(ctx, "netsh", "interface", "ipv4", "set", "address",
		"name="+iface, "source=static", "address="+prefix.Addr().String(), "mask="+mask)
}
