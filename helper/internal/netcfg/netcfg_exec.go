//go:build !linux

package netcfg

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// commandTimeout: these tools answer in milliseconds; a hung one must not hang a request.
const commandTimeout = 10 * time.Second

// run runs a system tool (macOS's ifconfig/route, Windows's netsh); Linux uses ioctls instead.
func run(ctx context.Context, name string, args ...string) error {
	ctx, cancel := context.WithTimeout(ctx, commandTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}
