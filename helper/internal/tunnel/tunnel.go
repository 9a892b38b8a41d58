// Package tunnel is the helper's one tunnel: the TUN interface, the WireGuard device running on
// it in-process, and the public UDP socket under the device's custom Bind. It turns validated
// protocol arguments into device and Bind changes; it decides nothing.
package tunnel

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strings"

	"golang.org/x/crypto/curve25519"
	"golang.zx2c4.com/wireguard/device"
	"golang.zx2c4.com/wireguard/tun"

	"github.com/lanrage/lanrage/helper/internal/bind"
	"github.com/lanrage/lanrage/helper/internal/netcfg"
	"github.com/lanrage/lanrage/helper/internal/proto"
	"github.com/lanrage/lanrage/helper/internal/tunhook"
)

// Deps are the tunnel's collaborators.
type Deps struct {
	Log      *slog.Logger
	Upstream bind.Upstream
	// Hook sees packets between the OS and WireGuard (game discovery); nil for none.
	Hook tunhook.Hook
	// Net configures the interface's address; netcfg.New() when nil.
	Net netcfg.Configurator
}

// Tunnel owns the interface, the device and the socket until Close.
type Tunnel struct {
	name      string
	publicKey proto.Key
	conn      *net.UDPConn
	tun       tun.Device
	dev       *device.Device
	bind      *bind.Bind
	net       netcfg.Configurator
	log       *slog.Logger
	// address is the prefix SetAddress gave the interface (invalid while it has none).
	address netip.Prefix
}

// Open creates the TUN interface, binds the socket and starts the device. On error nothing is
// left behind.
func Open(a proto.OpenArgs, d Deps) (t *Tunnel, err error) {
	if d.Net == nil {
		d.Net = netcfg.New()
	}
	conn, err := bind.Listen(a.ListenHost, a.ListenPort, d.Log)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			conn.Close()
		}
	}()
	tdev, err := tun.CreateTUN(a.Interface, a.MTU)
	if err != nil {
		return nil, fmt.Errorf("creating TUN %s: %w", a.Interface, err)
	}
	name, err := tdev.Name()
	if err != nil {
		tdev.Close()
		return nil, fmt.Errorf("reading the TUN's name: %w", err)
	}
	b := bind.New(conn, d.Upstream, bind.Options{})
	dev := device.NewDevice(tunhook.Wrap(tdev, d.Hook), b, deviceLogger(d.Log))
	// From here dev owns tdev and the Bind: dev.Close() releases both.
	if err = dev.IpcSet("private_key=" + hex.EncodeToString(a.PrivateKey[:]) + "\n"); err != nil {
		dev.Close()
		return nil, fmt.Errorf("setting the private key: %w", err)
	}
	if err = dev.Up(); err != nil {
		dev.Close()
		return nil, fmt.Errorf("starting the WireGuard device: %w", err)
	}
	pub, err := curve25519.X25519(a.PrivateKey[:], curve25519.Basepoint)
	if err != nil {
		dev.Close()
		return nil, fmt.Errorf("deriving the public key: %w", err)
	}
	return &Tunnel{
		name: name, publicKey: proto.Key(pub), conn: conn, tun: tdev, dev: dev, bind: b,
		net: d.Net, log: d.Log,
	}, nil
}

// deviceLogger sends wireguard-go's own log to ours (stderr): its default logger writes to
// stdout, which is the protocol stream.
func deviceLogger(log *slog.Logger) *device.Logger {
	return &device.Logger{
		Verbosef: func(format string, args ...any) { log.Debug(fmt.Sprintf(format, args...)) },
		Errorf:   func(format string, args ...any) { log.Warn(fmt.Sprintf(format, args...)) },
	}
}

// Result is the open op's answer.
func (t *Tunnel) Result() proto.OpenResult {
	return proto.OpenResult{
		Interface: t.name, ListenPort: t.bind.LocalPort(), PublicKey: t.publicKey.String(),
		IPv6: t.bind.IPv6(),
	}
}

// Bind is the tunnel's socket layer (paths, accepts, sends).
func (t *Tunnel) Bind() *bind.Bind { return t.bind }

// SetAddress gives the interface its only address and brings it up.
func (t *Tunnel) SetAddress(ctx context.Context, prefix netip.Prefix) error {
	if err := t.net.SetAddress(ctx, t.name, prefix); err != nil {
		return err
	}
	t.address = prefix
	return nil
}

// ClearAddress takes the interface down without its address (leaving a party); the interface
// itself, the WireGuard device and the public socket stay for the next SetAddress. Clearing an
// interface that has no address only takes it down.
func (t *Tunnel) ClearAddress(ctx context.Context) error {
	if err := t.net.ClearAddress(ctx, t.name, t.address); err != nil {
		return err
	}
	t.address = netip.Prefix{}
	return nil
}

// SetPeer adds or updates a WireGuard peer; its path and session are left alone.
func (t *Tunnel) SetPeer(a proto.SetPeerArgs) error {
	existed := t.bind.HasPeer(a.Peer)
	if err := t.bind.AddPeer(a.Peer); err != nil {
		return err
	}
	var cfg strings.Builder
	fmt.Fprintf(&cfg, "public_key=%s\n", hex.EncodeToString(a.Peer[:]))
	if a.PresharedKey != nil {
		fmt.Fprintf(&cfg, "preshared_key=%s\n", hex.EncodeToString(a.PresharedKey[:]))
	}
	if !existed {
		fmt.Fprintf(&cfg, "endpoint=%s\n", bind.EndpointString(a.Peer))
	}
	fmt.Fprintf(&cfg, "persistent_keepalive_interval=%d\nreplace_allowed_ips=true\n", a.PersistentKeepalive)
	for _, p := range a.AllowedIPs {
		fmt.Fprintf(&cfg, "allowed_ip=%s\n", p)
	}
	if err := t.dev.IpcSet(cfg.String()); err != nil {
		if !existed {
			_ = t.bind.RemovePeer(a.Peer)
		}
		return proto.Errorf(proto.CodeOS, "configuring the WireGuard peer: %v", err)
	}
	return nil
}

// RemovePeer removes the peer from the device and the Bind.
func (t *Tunnel) RemovePeer(k proto.Key) error {
	if !t.bind.HasPeer(k) {
		return proto.Errorf(proto.CodeUnknownPeer, "no peer with that key")
	}
	if err := t.dev.IpcSet("public_key=" + hex.EncodeToString(k[:]) + "\nremove=true\n"); err != nil {
		return proto.Errorf(proto.CodeOS, "removing the WireGuard peer: %v", err)
	}
	return t.bind.RemovePeer(k)
}

// Stats merges the Bind's counters with WireGuard's own per-peer figures.
func (t *Tunnel) Stats() (proto.StatsResult, error) {
	wg, err := t.dev.IpcGet()
	if err != nil {
		return proto.StatsResult{}, proto.Errorf(proto.CodeOS, "reading the device: %v", err)
	}
	figures := parseDeviceDump(wg)
	out := proto.StatsResult{Socket: t.bind.SocketStats(), Peers: []proto.PeerStats{}}
	out.Socket.ProbeSockets = t.bind.ProbeSocketCount()
	for _, p := range t.bind.PeerStats() {
		f := figures[hex.EncodeToString(p.Key[:])]
		out.Peers = append(out.Peers, proto.PeerStats{
			Peer: p.Key.String(), Path: p.Path, WireGuardIn: p.WireGuardIn, WireGuardOut: p.WireGuardOut,
			LastHandshakeMs: f.lastHandshakeMs, RxBytes: f.rx, TxBytes: f.tx,
		})
	}
	return out, nil
}

// Close stops the device (which closes the TUN: the OS removes the interface) and the socket.
func (t *Tunnel) Close() error {
	t.dev.Close()
	t.bind.CloseAllProbes()
	return errors.Join(t.conn.Close())
}
