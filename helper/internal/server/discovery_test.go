package server

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/netip"
	"testing"

	"github.com/lanrage/lanrage/helper/internal/bind"
	"github.com/lanrage/lanrage/helper/internal/discoveryos"
	"github.com/lanrage/lanrage/helper/internal/proto"
	"github.com/lanrage/lanrage/helper/internal/tunnel"
)

// fakeTunnel opens without root; discovery needs only its name and its stats.
type fakeTunnel struct{}

func (fakeTunnel) Result() proto.OpenResult {
	return proto.OpenResult{Interface: "lr-test0", ListenPort: 40000, PublicKey: "x"}
}
func (fakeTunnel) Bind() *bind.Bind                               { return nil }
func (fakeTunnel) SetAddress(context.Context, netip.Prefix) error { return nil }
func (fakeTunnel) ClearAddress(context.Context) error             { return nil }
func (fakeTunnel) SetPeer(proto.SetPeerArgs) error                { return nil }
func (fakeTunnel) RemovePeer(proto.Key) error                     { return nil }
func (fakeTunnel) Close() error                                   { return nil }
func (fakeTunnel) Stats() (proto.StatsResult, error) {
	return proto.StatsResult{Peers: []proto.PeerStats{}}, nil
}

// startOpen is start() with an opener that succeeds and an OS step that records its configs.
func startOpen(t *testing.T, osErr error) (*session, *[]discoveryos.Config, *tunnel.Deps) {
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	s := &session{t: t, in: inW, out: proto.NewReader(outR), exit: make(chan Exit, 1)}
	var applied []discoveryos.Config
	var deps tunnel.Deps
	opener := func(_ proto.OpenArgs, d tunnel.Deps) (Tunnel, error) { deps = d; return fakeTunnel{}, nil }
	w := NewWriter(outW)
	srv := New(inR, w, slog.New(slog.NewTextHandler(io.Discard, nil)), opener, tunnel.Deps{})
	srv.applyDiscovery = func(_ context.Context, c discoveryos.Config, _ discoveryos.RunNft) (*discoveryos.Setup, error) {
		applied = append(applied, c)
		return nil, osErr
	}
	go func() {
		s.exit <- srv.Run(context.Background())
		w.Close()
		outW.Close()
	}()
	t.Cleanup(func() { inW.Close() })
	hello(s)
	s.request(`{"id":2,"op":"open","interface":"lr-test0","privateKey":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=","listenPort":0}`)
	s.expect(proto.FrameResponse, `{"id":2,"ok":true,"result":{"interface":"lr-test0","listenPort":40000,"publicKey":"x","ipv6":false}}`)
	return s, &applied, &deps
}

func TestDiscoveryIsOffUntilSetDiscoveryAndReportsItsCounters(t *testing.T) {
	s, applied, deps := startOpen(t, nil)
	if deps.Hook == nil {
		t.Fatal("the tunnel was opened without the discovery hook")
	}
	s.request(`{"id":3,"op":"set-address","address":"10.66.0.1","prefixLength":16}`)
	s.expect(proto.FrameResponse, `{"id":3,"ok":true,"result":{}}`)
	s.request(`{"id":4,"op":"set-peer","peer":"AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=","allowedIps":["10.66.0.2/32"],"persistentKeepalive":25}`)
	s.expect(proto.FrameResponse, `{"id":4,"ok":true,"result":{}}`)
	s.request(`{"id":5,"op":"stats"}`)
	s.expect(proto.FrameResponse, `{"id":5,"ok":true,"result":{"socket":{"wireguardIn":0,"wireguardOut":0,"upToCore":0,"upDropped":0,"droppedUnknownSource":0,"droppedUnknownKind":0,"droppedNoPath":0,"sendErrors":0,"probeSockets":0},"peers":[],"discovery":{"enabled":false,"forwarded":0,"sourceRewritten":0,"droppedForeignSource":0,"droppedOversize":0,"droppedMalformed":0,"droppedDisabled":0,"droppedUnknownPeer":0,"injectDropped":0,"peers":[{"peer":"AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=","forwarded":0,"forwardedBytes":0,"received":0,"receivedBytes":0,"limitedOut":0,"limitedIn":0}]}}}`)
	s.request(`{"id":6,"op":"set-discovery","enabled":true,"multicastGroups":["224.0.2.60"]}`)
	s.expect(proto.FrameResponse, `{"id":6,"ok":true,"result":{"homeCopies":true,"reason":""}}`)
	if len(*applied) != 1 || (*applied)[0].Interface != "lr-test0" || (*applied)[0].Groups[0] != netip.MustParseAddr("224.0.2.60") {
		t.Fatalf("OS step got %+v", *applied)
	}
	s.request(`{"id":7,"op":"set-discovery","enabled":false,"multicastGroups":[]}`)
	s.expect(proto.FrameResponse, `{"id":7,"ok":true,"result":{"homeCopies":false,"reason":"discovery is off"}}`)
	if len(*applied) != 1 {
		t.Fatalf("turning discovery off applied the OS step again: %+v", *applied)
	}
}

func TestAFailedOSStepStillTurnsForwardingOnAndSaysWhy(t *testing.T) {
	s, _, _ := startOpen(t, errors.New("nft: executable file not found in $PATH"))
	s.request(`{"id":3,"op":"set-discovery","enabled":true,"multicastGroups":[]}`)
	s.expect(proto.FrameResponse, `{"id":3,"ok":true,"result":{"homeCopies":false,"reason":"nft: executable file not found in $PATH"}}`)
}

func TestSetDiscoveryBeforeOpenIsRefused(t *testing.T) {
	s := start(t)
	hello(s)
	s.request(`{"id":2,"op":"set-discovery","enabled":true,"multicastGroups":[]}`)
	s.expect(proto.FrameResponse, `{"id":2,"ok":false,"error":{"code":"not-open","message":"set-discovery before open"}}`)
}
