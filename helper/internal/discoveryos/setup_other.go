//go:build !linux

package discoveryos

import (
	"context"
	"errors"
)

// RunNft exists on every OS so callers compile; only Linux uses it.
type RunNft func(ctx context.Context, script string) error

// Setup is not implemented outside Linux yet: docs/game-discovery.md has the design for
// Windows (route metrics + re-emission to the home interface) and macOS (pf dup-to).
type Setup struct{}

// ErrUnsupported says discovery's OS side is Linux-only for now.
var ErrUnsupported = errors.New("discovery: bringing broadcasts into the interface is implemented on Linux only (see docs/game-discovery.md)")

// Apply reports ErrUnsupported after checking the config.
func Apply(ctx context.Context, cfg Config, nft RunNft) (*Setup, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	return nil, ErrUnsupported
}

// Close does nothing.
func (s *Setup) Close(ctx context.Context) error { return nil }
