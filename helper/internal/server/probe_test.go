package server

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/lanrage/lanrage/helper/internal/bind"
	"github.com/lanrage/lanrage/helper/internal/proto"
	"github.com/lanrage/lanrage/helper/internal/tunnel"
)

// bindTunnel is fakeTunnel with a real Bind over a loopback socket: the probe ops and frames
// run end to end through the server without root.
type bindTunnel struct {
	fakeTunnel
	b *bind.Bind
}

func (t bindTunnel) Bind() *bind.Bind { return t.b }

func TestProbeSocketsOpenSendReceiveAndCloseThroughTheProtocol(t *testing.T) {
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	s := &session{t: t, in: inW, out: proto.NewReader(outR), exit: make(chan Exit, 1)}
	public, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { public.Close() })
	var b *bind.Bind
	opener := func(_ proto.OpenArgs, d tunnel.Deps) (Tunnel, error) {
		b = bind.New(public, d.Upstream, bind.Options{})
		return bindTunnel{b: b}, nil
	}
	w := NewWriter(outW)
	srv := New(inR, w, slog.New(slog.NewTextHandler(io.Discard, nil)), opener, tunnel.Deps{})
	go func() {
		s.exit <- srv.Run(context.Background())
		w.Close()
		outW.Close()
	}()
	t.Cleanup(func() { inW.Close(); b.CloseAllProbes() })
	hello(s)
	s.request(`{"id":2,"op":"open","interface":"lr-test0","privateKey":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=","listenPort":0}`)
	s.next()

	s.request(`{"id":3,"op":"probe-open","count":2}`)
	_, body := s.next()
	var opened struct {
		OK     bool                  `json:"ok"`
		Result proto.ProbeOpenResult `json:"result"`
	}
	if json.Unmarshal([]byte(body), &opened) != nil || !opened.OK || len(opened.Result.Sockets) != 2 ||
		opened.Result.Sockets[0].Socket != 1 || opened.Result.Sockets[1].Socket != 2 {
		t.Fatalf("probe-open: %s", body)
	}
	peer, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	peerAddr := peer.LocalAddr().(*net.UDPAddr).AddrPort()

	// probe-send from socket 1 leaves from socket 1's port.
	s.write(proto.AppendProbeSend(nil, 1, proto.Send{To: peerAddr, Payload: []byte("probe")}))
	buf := make([]byte, 64)
	peer.SetReadDeadline(time.Now().Add(2 * time.Second))
	n, from, err := peer.ReadFromUDPAddrPort(buf)
	if err != nil || string(buf[:n]) != "probe" || from.Port() != opened.Result.Sockets[0].Port {
		t.Fatalf("peer got %q from %v (%v), want it from port %d", buf[:n], from, err, opened.Result.Sockets[0].Port)
	}

	// What arrives on socket 2 comes up as a probe-datagram naming socket 2 and its source.
	to := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), opened.Result.Sockets[1].Port)
	if _, err := peer.WriteToUDPAddrPort([]byte("pong"), to); err != nil {
		t.Fatal(err)
	}
	typ, raw := s.next()
	want := string(proto.AppendProbeDatagram(nil, 2, peerAddr, []byte("pong"))[5:])
	if typ != proto.FrameProbeDatagram || raw != want {
		t.Fatalf("got type %d %x, want a probe-datagram %x", typ, raw, want)
	}
	if binary.BigEndian.Uint16([]byte(raw)) != 2 {
		t.Fatal("socket index")
	}

	// A probe-send on a socket that is not open is refused as a bad send.
	s.write(proto.AppendProbeSend(nil, 9, proto.Send{To: peerAddr, Payload: []byte("x")}))
	s.expect(proto.FrameEvent, fmt.Sprintf(`{"event":"error","code":"bad-send","message":"probe-send on socket 9 to %s: probe socket 9 is not open"}`, peerAddr))

	s.request(`{"id":4,"op":"probe-close","sockets":[1,2,3]}`)
	s.expect(proto.FrameResponse, `{"id":4,"ok":true,"result":{"closed":2}}`)
	s.request(`{"id":5,"op":"probe-open","count":257}`)
	s.expect(proto.FrameResponse, `{"id":5,"ok":false,"error":{"code":"bad-args","message":"count must be 1-256"}}`)
}
