// Package netcfg gives the helper's TUN interface its address (and so the route of its
// prefix: 10.66.0.0/16 for LANrage) and brings it up. One file per OS: netcfg_linux.go (`ip`
// from iproute2), netcfg_darwin.go (`ifconfig`), netcfg_windows.go (`netsh`).
package netcfg

import (
	"context"
	"fmt"
	"net/netip"
	"os/exec"
	"strings"
	"time"
)

// commandTimeout: these tools answer in milliseconds; a hung one must not hang a request.
const commandTimeout = 10 * time.Second

// Configurator sets the interface's only address.
type Configurator interface {
	SetAddress(ctx context.Context, iface string, prefix netip.Prefix) error
}

// New returns this OS's Configurator.
func New() Configurator { return osConfigurator{} }

func run(ctx context.Context, name string, args ...string) error {
	return runWithInput(ctx, "", name, args...)
}

// runWithInput runs the command with input on its stdin.
func runWithInput(ctx context.Context, input string, name string, args ...string) error {
	ctx, cancel := context.WithTimeout(ctx, commandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdin = strings.NewReader(input)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}
