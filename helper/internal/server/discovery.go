package server

import (
	"context"
	"net/netip"
	"runtime"

	"github.com/lanrage/lanrage/helper/internal/discovery"
	"github.com/lanrage/lanrage/helper/internal/discoveryos"
	"github.com/lanrage/lanrage/helper/internal/proto"
)

// gameDiscovery is the server's part of game discovery (PROTOCOL.md, "Game discovery"): the
// Forwarder on the TUN hook, told about the address and the peers as the tunnel is, and the OS
// setup that set-discovery applies. Off until set-discovery turns it on.
type gameDiscovery struct {
	fwd   *discovery.Forwarder
	setup *discoveryos.Setup
	// apply is the server's applyDiscovery (discoveryos.Apply outside tests).
	apply func(ctx context.Context, cfg discoveryos.Config, nft discoveryos.RunNft) (*discoveryos.Setup, error)
}

// newGameDiscovery makes the Forwarder for a tunnel of this MTU, forwarding nothing yet.
func newGameDiscovery(mtu int) *gameDiscovery {
	// macOS's utun has no broadcast address: deliver the party's subnet broadcast as 255.255.255.255.
	f := discovery.New(discovery.Options{MTU: mtu, DeliverSubnetBroadcastAsLimited: runtime.GOOS == "darwin"})
	f.SetEnabled(false)
	return &gameDiscovery{fwd: f}
}

func (g *gameDiscovery) setAddress(prefix netip.Prefix) {
	// A prefix narrower than /30 has no broadcast address: discovery then forwards nothing.
	_ = g.fwd.SetAddress(prefix.Addr(), prefix)
}

func (g *gameDiscovery) setPeer(a proto.SetPeerArgs) { g.fwd.SetPeer(a.Peer.String(), a.AllowedIPs) }

func (g *gameDiscovery) removePeer(k proto.Key) { g.fwd.RemovePeer(k.String()) }

// set applies set-discovery. The OS step failing is not the op failing: forwarding still
// carries what enters the interface by itself, and the result says why home copies are off.
func (g *gameDiscovery) set(ctx context.Context, iface string, a proto.SetDiscoveryArgs) proto.SetDiscoveryResult {
	g.close(ctx)
	g.fwd.SetEnabled(a.Enabled)
	if !a.Enabled {
		return proto.SetDiscoveryResult{HomeCopies: false, Reason: "discovery is off"}
	}
	setup, err := g.apply(ctx, discoveryos.Config{Interface: iface, Groups: a.Groups}, nil)
	if err != nil {
		return proto.SetDiscoveryResult{HomeCopies: false, Reason: err.Error()}
	}
	g.setup = setup
	return proto.SetDiscoveryResult{HomeCopies: true, Reason: ""}
}

func (g *gameDiscovery) stats() *proto.DiscoveryStats {
	st := g.fwd.Stats()
	return &st
}

// close removes the OS setup (the nftables table, the group memberships).
func (g *gameDiscovery) close(ctx context.Context) {
	if g.setup != nil {
		_ = g.setup.Close(ctx)
		g.setup = nil
	}
}
