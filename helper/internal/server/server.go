// Package server speaks the helper protocol (helper/PROTOCOL.md) with the core: it reads frames
// from stdin, validates them (package proto), applies them to the one tunnel, and answers on
// stdout. Requests are handled one at a time, in order.
package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"os"

	"github.com/lanrage/lanrage/helper/internal/bind"
	"github.com/lanrage/lanrage/helper/internal/discoveryos"
	"github.com/lanrage/lanrage/helper/internal/proto"
	"github.com/lanrage/lanrage/helper/internal/tunnel"
)

// HelperVersion is reported by hello.
const HelperVersion = "lanrage-helper 0.1.0"

// Tunnel is what the server drives; *tunnel.Tunnel in the helper.
type Tunnel interface {
	Result() proto.OpenResult
	Bind() *bind.Bind
	SetAddress(ctx context.Context, prefix netip.Prefix) error
	ClearAddress(ctx context.Context) error
	SetPeer(a proto.SetPeerArgs) error
	RemovePeer(k proto.Key) error
	Stats() (proto.StatsResult, error)
	Close() error
}

// Opener creates the tunnel for the open op.
type Opener func(a proto.OpenArgs, d tunnel.Deps) (Tunnel, error)

// RealOpener opens a real TUN + WireGuard device + socket.
func RealOpener(a proto.OpenArgs, d tunnel.Deps) (Tunnel, error) { return tunnel.Open(a, d) }

// Exit is why Run returned, and the process's exit status (PROTOCOL.md, "Lifetime").
type Exit int

const (
	ExitClean    Exit = 0 // close, EOF or a signal
	ExitFailure  Exit = 1 // a read error or a fatal device error
	ExitProtocol Exit = 2 // a frame that made the stream untrustworthy
)

// Server holds the protocol state: whether hello happened, and the tunnel once open.
type Server struct {
	in      *proto.Reader
	out     *Writer
	log     *slog.Logger
	open    Opener
	deps    tunnel.Deps
	helloed bool
	tunnel  Tunnel
	disco   *gameDiscovery // game discovery on the tunnel's hook, made by open
	// applyDiscovery is discoveryos.Apply; the server's tests replace it (they run without root).
	applyDiscovery func(ctx context.Context, cfg discoveryos.Config, nft discoveryos.RunNft) (*discoveryos.Setup, error)
}

// New serves the core on in/out. deps.Upstream is set to the server's writer.
func New(in io.Reader, out *Writer, log *slog.Logger, open Opener, deps tunnel.Deps) *Server {
	deps.Upstream = out
	deps.Log = log
	return &Server{
		in: proto.NewReader(in), out: out, log: log, open: open, deps: deps,
		applyDiscovery: discoveryos.Apply,
	}
}

// Run serves until close, EOF, a fatal frame or ctx's end, then closes the tunnel (removing
// the interface).
func (s *Server) Run(ctx context.Context) Exit {
	frames := make(chan frameOrErr)
	go s.readLoop(ctx, frames)
	exit := s.serve(ctx, frames)
	if s.disco != nil {
		s.disco.close(context.WithoutCancel(ctx))
	}
	if s.tunnel != nil {
		if err := s.tunnel.Close(); err != nil {
			s.log.Warn("closing the tunnel", "err", err)
		}
		s.log.Info("interface removed", "interface", s.tunnel.Result().Interface)
	}
	return exit
}

type frameOrErr struct {
	typ  byte
	body []byte
	err  error
	// done is closed by the server when it has finished with body (the reader reuses it).
	done chan struct{}
}

func (s *Server) readLoop(ctx context.Context, frames chan<- frameOrErr) {
	for {
		typ, body, err := s.in.Next()
		f := frameOrErr{typ: typ, body: body, err: err, done: make(chan struct{})}
		select {
		case frames <- f:
		case <-ctx.Done():
			return
		}
		if err != nil {
			return
		}
		select {
		case <-f.done:
		case <-ctx.Done():
			return
		}
	}
}

func (s *Server) serve(ctx context.Context, frames <-chan frameOrErr) Exit {
	for {
		var f frameOrErr
		select {
		case <-ctx.Done():
			s.log.Info("stopping on signal")
			return ExitClean
		case f = <-frames:
		}
		if f.err != nil {
			switch {
			case errors.Is(f.err, io.EOF):
				s.log.Info("the core closed the protocol stream")
				return ExitClean
			case errors.Is(f.err, proto.ErrFatalFrame):
				s.out.Control(proto.ErrorEventFrame(proto.Errorf(proto.CodeBadFrame, "%v", f.err)))
				s.log.Error("protocol stream is corrupt", "err", f.err)
				return ExitProtocol
			default:
				s.log.Error("reading the protocol stream", "err", f.err)
				return ExitFailure
			}
		}
		stop := s.handleFrame(ctx, f.typ, f.body)
		close(f.done)
		if stop {
			return ExitClean
		}
	}
}

// handleFrame applies one frame; it reports whether the helper must stop (close).
func (s *Server) handleFrame(ctx context.Context, typ byte, body []byte) bool {
	switch typ {
	case proto.FrameRequest:
		req, perr := proto.ParseRequest(body)
		if perr != nil {
			s.out.Control(proto.ResponseFrame(req.ID, nil, perr))
			return false
		}
		result, err := s.handle(ctx, req)
		s.out.Control(proto.ResponseFrame(req.ID, result, asProtoError(err)))
		return err == nil && req.Op == "close"
	case proto.FrameSend:
		s.handleSend(body)
		return false
	case proto.FrameProbeSend:
		s.handleProbeSend(body)
		return false
	default:
		s.out.Control(proto.ErrorEventFrame(proto.Errorf(proto.CodeBadFrame, "frame type %d is not one the core may send", typ)))
		return false
	}
}

func (s *Server) handleSend(body []byte) {
	send, perr := proto.ParseSend(body)
	if perr == nil && s.tunnel == nil {
		perr = proto.Errorf(proto.CodeNotOpen, "send before open")
	}
	if perr != nil {
		s.out.Control(proto.ErrorEventFrame(perr))
		return
	}
	if err := s.tunnel.Bind().SendTo(send.To, send.TTL, send.Payload); err != nil {
		e := asProtoError(err)
		e.Message = fmt.Sprintf("send to %s: %s", send.To, e.Message)
		s.out.Control(proto.ErrorEventFrame(e))
	}
}

func (s *Server) handleProbeSend(body []byte) {
	send, perr := proto.ParseProbeSend(body)
	if perr == nil && s.tunnel == nil {
		perr = proto.Errorf(proto.CodeNotOpen, "probe-send before open")
	}
	if perr != nil {
		s.out.Control(proto.ErrorEventFrame(perr))
		return
	}
	if err := s.tunnel.Bind().SendFromProbe(send.Socket, send.To, send.TTL, send.Payload); err != nil {
		e := asProtoError(err)
		if e.Code == proto.CodeBadArgs {
			e.Code = proto.CodeBadSend // a socket that is not open: the frame was wrong
		}
		e.Message = fmt.Sprintf("probe-send on socket %d to %s: %s", send.Socket, send.To, e.Message)
		s.out.Control(proto.ErrorEventFrame(e))
	}
}

func (s *Server) handle(ctx context.Context, req proto.Request) (any, error) {
	if !s.helloed && req.Op != "hello" {
		return nil, proto.Errorf(proto.CodeNotHello, "the first request must be hello")
	}
	switch a := req.Args.(type) {
	case proto.HelloArgs:
		if a.Version != proto.Version {
			return nil, proto.Errorf(proto.CodeVersion, "this helper speaks protocol version %d; the core speaks version %d (use the helper built with the same LANrage)", proto.Version, a.Version)
		}
		s.helloed = true
		return proto.HelloResult{Version: proto.Version, Helper: HelperVersion, PID: os.Getpid()}, nil
	case proto.OpenArgs:
		if s.tunnel != nil {
			return nil, proto.Errorf(proto.CodeAlreadyOpen, "this helper already serves %s", s.tunnel.Result().Interface)
		}
		deps := s.deps
		disco := newGameDiscovery(a.MTU)
		disco.apply = s.applyDiscovery
		if deps.Hook == nil {
			deps.Hook = disco.fwd
		}
		t, err := s.open(a, deps)
		if err != nil {
			return nil, err
		}
		s.tunnel, s.disco = t, disco
		s.log.Info("interface open", "interface", t.Result().Interface, "listenPort", t.Result().ListenPort)
		return t.Result(), nil
	case proto.NoArgs:
		if req.Op == "close" {
			return nil, nil
		}
	}
	if s.tunnel == nil {
		return nil, proto.Errorf(proto.CodeNotOpen, "%s before open", req.Op)
	}
	return s.handleOpen(ctx, req)
}

func (s *Server) handleOpen(ctx context.Context, req proto.Request) (any, error) {
	b := s.tunnel.Bind()
	switch a := req.Args.(type) {
	case proto.SetAddressArgs:
		if err := s.tunnel.SetAddress(ctx, a.Prefix); err != nil {
			return nil, err
		}
		s.disco.setAddress(a.Prefix)
		return nil, nil
	case proto.SetPeerArgs:
		if err := s.tunnel.SetPeer(a); err != nil {
			return nil, err
		}
		s.disco.setPeer(a)
		return nil, nil
	case proto.PeerArgs:
		if req.Op == "remove-peer" {
			if err := s.tunnel.RemovePeer(a.Peer); err != nil {
				return nil, err
			}
			s.disco.removePeer(a.Peer)
			return nil, nil
		}
		resent, err := b.ResendHandshake(a.Peer)
		return proto.ResendResult{Resent: resent}, err
	case proto.SetPathArgs:
		return nil, b.SetPath(a.Peer, a.Path)
	case proto.AcceptDirectArgs:
		return nil, b.AcceptDirect(a.Peer, a.From, a.Socket)
	case proto.ProbeOpenArgs:
		sockets, err := b.OpenProbes(a.Count)
		if err != nil {
			return nil, err
		}
		s.log.Info("probe sockets opened", "count", len(sockets), "open", b.ProbeSocketCount())
		return proto.ProbeOpenResult{Sockets: sockets}, nil
	case proto.ProbeCloseArgs:
		closed, err := b.CloseProbes(a.Sockets)
		if err != nil {
			return nil, err
		}
		s.log.Info("probe sockets closed", "count", closed, "open", b.ProbeSocketCount())
		return proto.ProbeCloseResult{Closed: closed}, nil
	case proto.AcceptRouteArgs:
		return nil, b.AcceptRoute(a.Peer, a.Route)
	case proto.SetDiscoveryArgs:
		return s.disco.set(ctx, s.tunnel.Result().Interface, a), nil
	case proto.NoArgs:
		if req.Op == "clear-address" {
			return nil, s.tunnel.ClearAddress(ctx)
		}
		st, err := s.tunnel.Stats()
		if err != nil {
			return nil, err
		}
		st.Discovery = s.disco.stats()
		return st, nil
	}
	return nil, proto.Errorf(proto.CodeUnknownOp, "op %s has no handler", req.Op)
}

func asProtoError(err error) *proto.Error {
	if err == nil {
		return nil
	}
	var pe *proto.Error
	if errors.As(err, &pe) {
		return pe
	}
	return proto.Errorf(proto.CodeOS, "%v", err)
}
