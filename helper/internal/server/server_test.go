package server

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/lanrage/lanrage/helper/internal/proto"
	"github.com/lanrage/lanrage/helper/internal/tunnel"
)

// The protocol as the core sees it, through real pipes; no tunnel is opened (opening one needs
// root: helper/e2e covers it), so the opener here refuses, as a failed open does.

type session struct {
	t     *testing.T
	in    *io.PipeWriter
	out   *proto.Reader
	exit  chan Exit
	opens int
}

func start(t *testing.T) *session {
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	s := &session{t: t, in: inW, out: proto.NewReader(outR), exit: make(chan Exit, 1)}
	opener := func(proto.OpenArgs, tunnel.Deps) (Tunnel, error) {
		s.opens++
		return nil, proto.Errorf(proto.CodeOS, "creating TUN: operation not permitted")
	}
	w := NewWriter(outW)
	srv := New(inR, w, slog.New(slog.NewTextHandler(io.Discard, nil)), opener, tunnel.Deps{})
	go func() {
		s.exit <- srv.Run(context.Background())
		w.Close()
		outW.Close()
	}()
	t.Cleanup(func() { inW.Close() })
	return s
}

func (s *session) write(frame []byte) {
	s.t.Helper()
	if _, err := s.in.Write(frame); err != nil {
		s.t.Fatal(err)
	}
}

func (s *session) request(body string) {
	s.write(proto.AppendFrame(nil, proto.FrameRequest, []byte(body)))
}

// next reads the next frame and returns its type and JSON body as a string.
func (s *session) next() (byte, string) {
	s.t.Helper()
	type frame struct {
		typ  byte
		body string
		err  error
	}
	got := make(chan frame, 1)
	go func() {
		typ, body, err := s.out.Next()
		got <- frame{typ, string(body), err}
	}()
	select {
	case f := <-got:
		if f.err != nil {
			s.t.Fatal(f.err)
		}
		return f.typ, f.body
	case <-time.After(2 * time.Second):
		s.t.Fatal("no frame from the helper")
	}
	return 0, ""
}

func (s *session) expect(typ byte, want string) {
	s.t.Helper()
	gotType, got := s.next()
	if gotType != typ || got != want {
		s.t.Fatalf("got %d %s\nwant %d %s", gotType, got, typ, want)
	}
}

func (s *session) exitCode() Exit {
	s.t.Helper()
	select {
	case e := <-s.exit:
		return e
	case <-time.After(2 * time.Second):
		s.t.Fatal("the helper did not stop")
	}
	return -1
}

func hello(s *session) {
	s.request(`{"id":1,"op":"hello","version":2}`)
	_, body := s.next()
	var r struct {
		ID     int               `json:"id"`
		OK     bool              `json:"ok"`
		Result proto.HelloResult `json:"result"`
	}
	if err := json.Unmarshal([]byte(body), &r); err != nil || !r.OK || r.Result.Version != 2 || r.Result.Helper != HelperVersion || r.Result.PID == 0 {
		s.t.Fatalf("hello: %s", body)
	}
}

func TestEveryRequestBeforeHelloIsRefused(t *testing.T) {
	s := start(t)
	s.request(`{"id":5,"op":"stats"}`)
	s.expect(proto.FrameResponse, `{"id":5,"ok":false,"error":{"code":"not-hello","message":"the first request must be hello"}}`)
	// A core of protocol version 1 (before IPv6, probe sockets and discovery), and one from the future.
	s.request(`{"id":6,"op":"hello","version":1}`)
	s.expect(proto.FrameResponse, `{"id":6,"ok":false,"error":{"code":"version","message":"this helper speaks protocol version 2; the core speaks version 1 (use the helper built with the same LANrage)"}}`)
	s.request(`{"id":7,"op":"hello","version":3}`)
	s.expect(proto.FrameResponse, `{"id":7,"ok":false,"error":{"code":"version","message":"this helper speaks protocol version 2; the core speaks version 3 (use the helper built with the same LANrage)"}}`)
	hello(s)
}

func TestOpsThatNeedTheTunnelAreRefusedBeforeOpen(t *testing.T) {
	s := start(t)
	hello(s)
	s.request(`{"id":2,"op":"set-path","peer":"AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=","path":{"kind":"none"}}`)
	s.expect(proto.FrameResponse, `{"id":2,"ok":false,"error":{"code":"not-open","message":"set-path before open"}}`)
	s.write(proto.AppendFrame(nil, proto.FrameSend, append([]byte{4, 0, 9, 127, 0, 0, 1}, make([]byte, 13)...)))
	s.expect(proto.FrameEvent, `{"event":"error","code":"bad-send","message":"payload is 0 bytes; must be 1-65507"}`)
	s.write(proto.AppendFrame(nil, proto.FrameSend, append(append([]byte{4, 0, 9, 127, 0, 0, 1}, make([]byte, 13)...), 'x')))
	s.expect(proto.FrameEvent, `{"event":"error","code":"not-open","message":"send before open"}`)
}

func TestAFailedOpenIsAnErrorAndLeavesTheHelperUnopened(t *testing.T) {
	s := start(t)
	hello(s)
	s.request(`{"id":2,"op":"open","interface":"lanrage0","privateKey":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=","listenPort":0}`)
	s.expect(proto.FrameResponse, `{"id":2,"ok":false,"error":{"code":"os","message":"creating TUN: operation not permitted"}}`)
	s.request(`{"id":3,"op":"stats"}`)
	s.expect(proto.FrameResponse, `{"id":3,"ok":false,"error":{"code":"not-open","message":"stats before open"}}`)
}

func TestMalformedFramesAreRefusedAndTheStreamGoesOn(t *testing.T) {
	s := start(t)
	hello(s)
	s.write([]byte{0, 0, 0, 1, 9})
	s.expect(proto.FrameEvent, `{"event":"error","code":"bad-frame","message":"frame type 9 is not one the core may send"}`)
	s.request(`{id:1}`)
	s.expect(proto.FrameResponse, `{"id":0,"ok":false,"error":{"code":"bad-json","message":"request is not a JSON object"}}`)
	s.request(`{"id":9,"op":"open","interface":"../etc","privateKey":"x","listenPort":0}`)
	s.expect(proto.FrameResponse, `{"id":9,"ok":false,"error":{"code":"bad-args","message":"interface must be 1-15 characters of A-Z a-z 0-9 _ . - (not . or ..)"}}`)
	if s.opens != 0 {
		t.Fatal("a refused open reached the opener")
	}
	s.request(`{"id":10,"op":"close"}`)
	s.expect(proto.FrameResponse, `{"id":10,"ok":true,"result":{}}`)
	if e := s.exitCode(); e != ExitClean {
		t.Fatalf("exit %d", e)
	}
}

func TestAnImpossibleFrameLengthEndsTheHelperWithAProtocolError(t *testing.T) {
	s := start(t)
	s.write([]byte{0xff, 0xff, 0xff, 0xff})
	s.expect(proto.FrameEvent, `{"event":"error","code":"bad-frame","message":"frame length outside 1..65536"}`)
	if e := s.exitCode(); e != ExitProtocol {
		t.Fatalf("exit %d", e)
	}
}

func TestEOFEndsTheHelperCleanly(t *testing.T) {
	s := start(t)
	hello(s)
	s.in.Close()
	if e := s.exitCode(); e != ExitClean {
		t.Fatalf("exit %d", e)
	}
}
