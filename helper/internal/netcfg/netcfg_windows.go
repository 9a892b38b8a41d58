package netcfg

import (
	"context"
	"net"
	"net/netip"
	"path/filepath"

	"golang.org/x/sys/windows"
)

type osConfigurator struct{}

// SetAddress sets the wintun adapter's static address; Windows adds the prefix's on-link
// route with it. Not run in CI (cross-compiled only).
func (osConfigurator) SetAddress(ctx context.Context, iface string, prefix netip.Prefix) error {
	mask := net.IP(net.CIDRMask(prefix.Bits(), 32)).String()
	// netsh from System32 by its full path: never one found through PATH.
	system, err := windows.GetSystemDirectory()
	if err != nil {
		return err
	}
	netsh := filepath.Join(system, "netsh.exe")
	return run(ctx, netsh, "interface", "ipv4", "set", "address",
		"name="+iface, "source=static", "address="+prefix.Addr().String(), "mask="+mask)
}

// ClearAddress removes the adapter's static address (and Windows its on-link route). Not run in
// CI (cross-compiled only).
func (osConfigurator) ClearAddress(ctx context.Context, iface string, prefix netip.Prefix) error {
	if !prefix.IsValid() {
		return nil
	}
	system, err := windows.GetSystemDirectory()
	if err != nil {
		return err
	}
	netsh := filepath.Join(system, "netsh.exe")
	return run(ctx, netsh, "interface", "ipv4", "delete", "address",
		"name="+iface, "address="+prefix.Addr().String())
}
