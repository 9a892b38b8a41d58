package netcfg

import (
	"context"
	"net/netip"
)

type osConfigurator struct{}

// SetAddress: a utun is point-to-point, so the address is given as both ends, and the
// prefix's route is added to the interface explicitly. Not run in CI (cross-compiled only).
func (osConfigurator) SetAddress(ctx context.Context, iface string, prefix netip.Prefix) error {
	addr := prefix.Addr().String()
	if err := run(ctx, "/sbin/ifconfig", iface, "inet", addr, addr, "up"); err != nil {
		return err
	}
	_ = run(ctx, "/sbin/route", "-q", "-n", "delete", "-inet", prefix.Masked().String(), "-interface", iface)
	return run(ctx, "/sbin/route", "-q", "-n", "add", "-inet", prefix.Masked().String(), "-interface", iface)
}

// ClearAddress removes the address and the prefix's route and takes the utun down. Not run in
// CI (cross-compiled only).
func (osConfigurator) ClearAddress(ctx context.Context, iface string, prefix netip.Prefix) error {
	if !prefix.IsValid() {
		return run(ctx, "/sbin/ifconfig", iface, "down")
	}
	_ = run(ctx, "/sbin/route", "-q", "-n", "delete", "-inet", prefix.Masked().String(), "-interface", iface)
	if err := run(ctx, "/sbin/ifconfig", iface, "inet", prefix.Addr().String(), "delete"); err != nil {
		return err
	}
	return run(ctx, "/sbin/ifconfig", iface, "down")
}
