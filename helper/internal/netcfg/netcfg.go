// Package netcfg gives the helper's TUN interface its address (and so the route of its
// prefix: 10.66.0.0/16 for LANrage) and brings it up, and takes both away again. One file per
// OS: netcfg_linux.go (ioctls), netcfg_darwin.go (`ifconfig`), netcfg_windows.go (`netsh`).
package netcfg

import (
	"context"
	"net/netip"
)

// Configurator sets the interface's only address, or clears it.
type Configurator interface {
	SetAddress(ctx context.Context, iface string, prefix netip.Prefix) error
	// ClearAddress removes the address set last (prefix) and takes the link down: leaving a
	// party leaves nothing routed into the interface.
	ClearAddress(ctx context.Context, iface string, prefix netip.Prefix) error
}

// New returns this OS's Configurator.
func New() Configurator { return osConfigurator{} }
