package proto

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/netip"
	"os"
	"testing"
)

// helper/testdata/protocol-vectors.json: literal frames, also checked by the TypeScript driver.
type vectorFile struct {
	Version int `json:"version"`
	Frames  []struct {
		Name       string          `json:"name"`
		Type       string          `json:"type"`
		Hex        string          `json:"hex"`
		JSON       json.RawMessage `json:"json"`
		Address    *vectorAddress  `json:"address"`
		TTL        uint8           `json:"ttl"`
		PayloadHex string          `json:"payloadHex"`
		Socket     uint16          `json:"socket"`
	} `json:"frames"`
	BadFrames []struct {
		Name  string `json:"name"`
		Hex   string `json:"hex"`
		Error string `json:"error"`
		Fatal bool   `json:"fatal"`
	} `json:"badFrames"`
	Requests []struct {
		Name  string          `json:"name"`
		JSON  json.RawMessage `json:"json"`
		Valid bool            `json:"valid"`
		Error string          `json:"error"`
	} `json:"requests"`
}

type vectorAddress struct {
	Family int    `json:"family"`
	Host   string `json:"host"`
	Port   uint16 `json:"port"`
}

func load(t *testing.T) vectorFile {
	t.Helper()
	raw, err := os.ReadFile("../../testdata/protocol-vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var v vectorFile
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	if v.Version != Version || len(v.Frames) == 0 || len(v.BadFrames) == 0 || len(v.Requests) == 0 {
		t.Fatalf("vector file is for version %d or has an empty section", v.Version)
	}
	return v
}

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var frameTypes = map[string]byte{
	"request": FrameRequest, "response": FrameResponse, "event": FrameEvent,
	"datagram": FrameDatagram, "send": FrameSend,
	"probe-send": FrameProbeSend, "probe-datagram": FrameProbeDatagram,
}

func TestFramesOfTheSharedVectorsReadAndEncodeByteForByte(t *testing.T) {
	for _, v := range load(t).Frames {
		t.Run(v.Name, func(t *testing.T) {
			raw := unhex(t, v.Hex)
			typ, body, err := NewReader(bytes.NewReader(raw)).Next()
			if err != nil || typ != frameTypes[v.Type] {
				t.Fatalf("type %d err %v, want %s", typ, err, v.Type)
			}
			switch v.Type {
			case "request", "response", "event":
				var compact bytes.Buffer
				if err := json.Compact(&compact, v.JSON); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(body, compact.Bytes()) {
					t.Fatalf("body %s, want %s", body, v.JSON)
				}
				if v.Type == "request" {
					if _, perr := ParseRequest(body); perr != nil {
						t.Fatalf("vector request refused: %v", perr)
					}
				}
			case "send":
				s, perr := ParseSend(body)
				want := netip.AddrPortFrom(netip.MustParseAddr(v.Address.Host), v.Address.Port)
				if perr != nil || s.To != want || s.TTL != v.TTL || hex.EncodeToString(s.Payload) != v.PayloadHex {
					t.Fatalf("send %+v %v", s, perr)
				}
				if got := AppendSend(nil, want, v.TTL, unhex(t, v.PayloadHex)); !bytes.Equal(got, raw) {
					t.Fatalf("encoded %x, want %x", got, raw)
				}
			case "probe-send":
				s, perr := ParseProbeSend(body)
				want := netip.AddrPortFrom(netip.MustParseAddr(v.Address.Host), v.Address.Port)
				if perr != nil || s.Socket != v.Socket || s.To != want || s.TTL != v.TTL || hex.EncodeToString(s.Payload) != v.PayloadHex {
					t.Fatalf("probe-send %+v %v", s, perr)
				}
				if got := AppendProbeSend(nil, v.Socket, Send{To: want, TTL: v.TTL, Payload: unhex(t, v.PayloadHex)}); !bytes.Equal(got, raw) {
					t.Fatalf("encoded %x, want %x", got, raw)
				}
			case "probe-datagram":
				from := netip.AddrPortFrom(netip.MustParseAddr(v.Address.Host), v.Address.Port)
				if got := AppendProbeDatagram(nil, v.Socket, from, unhex(t, v.PayloadHex)); !bytes.Equal(got, raw) {
					t.Fatalf("encoded %x, want %x", got, raw)
				}
			case "datagram":
				from := netip.AddrPortFrom(netip.MustParseAddr(v.Address.Host), v.Address.Port)
				if got := AppendDatagram(nil, from, unhex(t, v.PayloadHex)); !bytes.Equal(got, raw) {
					t.Fatalf("encoded %x, want %x", got, raw)
				}
			}
		})
	}
}

func TestResponsesAreEncodedAsTheVectorsShow(t *testing.T) {
	hello := HelloResult{Version: 2, Helper: "lanrage-helper 0.1.0", PID: 4242}
	got := ResponseFrame(1, hello, nil)
	for _, v := range load(t).Frames {
		if v.Name == "hello answered" && !bytes.Equal(got, unhex(t, v.Hex)) {
			t.Fatalf("got %s, want the vector's %x", got[5:], v.Hex)
		}
	}
	refused := ResponseFrame(3, nil, Errorf(CodeUnknownPeer, "no peer with that key"))
	if string(refused[5:]) != `{"id":3,"ok":false,"error":{"code":"unknown-peer","message":"no peer with that key"}}` {
		t.Fatalf("got %s", refused[5:])
	}
	if string(ResponseFrame(4, nil, nil)[5:]) != `{"id":4,"ok":true,"result":{}}` {
		t.Fatal("empty result is not {}")
	}
	event := ErrorEventFrame(Errorf(CodeBadSend, "port 0"))
	if string(event[5:]) != `{"event":"error","code":"bad-send","message":"port 0"}` || event[4] != FrameEvent {
		t.Fatalf("got %s", event)
	}
}

func TestBadFramesAreRefusedWithTheirCode(t *testing.T) {
	for _, v := range load(t).BadFrames {
		t.Run(v.Name, func(t *testing.T) {
			typ, body, err := NewReader(bytes.NewReader(unhex(t, v.Hex))).Next()
			if v.Fatal {
				if !errors.Is(err, ErrFatalFrame) {
					t.Fatalf("err %v, want fatal", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var code string
			switch typ {
			case FrameRequest:
				if _, perr := ParseRequest(body); perr != nil {
					code = perr.Code
				}
			case FrameSend:
				if _, perr := ParseSend(body); perr != nil {
					code = perr.Code
				}
			default:
				code = CodeBadFrame // the server refuses every other type from the core
			}
			if code != v.Error {
				t.Fatalf("code %q, want %q", code, v.Error)
			}
		})
	}
}

func TestRequestsOfTheSharedVectorsAreAcceptedOrRefusedWithTheirCode(t *testing.T) {
	for _, v := range load(t).Requests {
		t.Run(v.Name, func(t *testing.T) {
			req, err := ParseRequest(v.JSON)
			if v.Valid {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if req.Args == nil {
					t.Fatal("no args")
				}
				return
			}
			if err == nil || err.Code != v.Error {
				t.Fatalf("err %v, want %s", err, v.Error)
			}
		})
	}
}

func TestParsedArgumentsCarryTheValuesSent(t *testing.T) {
	req, err := ParseRequest([]byte(`{"id":7,"op":"set-path","peer":"ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=","path":{"kind":"relay","host":"203.0.113.7","port":7401,"routeId":"0011223344556677"}}`))
	if err != nil {
		t.Fatal(err)
	}
	a := req.Args.(SetPathArgs)
	if req.ID != 7 || a.Peer[0] != 32 || a.Peer[31] != 63 || a.Path.Kind != PathRelay ||
		a.Path.To != netip.MustParseAddrPort("203.0.113.7:7401") || a.Path.Route != [8]byte{0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77} {
		t.Fatalf("%+v", a)
	}
	req, err = ParseRequest([]byte(`{"id":2,"op":"open","interface":"lanrage0","privateKey":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=","listenPort":0}`))
	o := req.Args.(OpenArgs)
	if err != nil || o.MTU != 1420 || o.ListenHost != netip.MustParseAddr("0.0.0.0") || o.Interface != "lanrage0" {
		t.Fatalf("%+v %v", o, err)
	}
	req, err = ParseRequest([]byte(`{"id":3,"op":"set-address","address":"10.66.0.5","prefixLength":16}`))
	if err != nil || req.Args.(SetAddressArgs).Prefix != netip.MustParsePrefix("10.66.0.5/16") {
		t.Fatalf("%+v %v", req, err)
	}
}

func TestARefusedRequestStillNamesItsID(t *testing.T) {
	req, err := ParseRequest([]byte(`{"id":42,"op":"set-peer","peer":"x","allowedIps":[],"persistentKeepalive":0}`))
	if err == nil || req.ID != 42 || err.Message != "peer is not a WireGuard key (32 bytes of base64)" {
		t.Fatalf("%+v %v", req, err)
	}
}

func TestReaderReportsATruncatedFrame(t *testing.T) {
	_, _, err := NewReader(bytes.NewReader([]byte{0, 0, 0, 5, 1, '{'})).Next()
	if err != io.ErrUnexpectedEOF {
		t.Fatalf("err %v", err)
	}
	_, _, err = NewReader(bytes.NewReader(nil)).Next()
	if err != io.EOF {
		t.Fatalf("err %v", err)
	}
}

func FuzzParseRequest(f *testing.F) {
	raw, err := os.ReadFile("../../testdata/protocol-vectors.json")
	if err != nil {
		f.Fatal(err)
	}
	var v vectorFile
	if err := json.Unmarshal(raw, &v); err != nil {
		f.Fatal(err)
	}
	for _, r := range v.Requests {
		f.Add([]byte(r.JSON))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req, perr := ParseRequest(body)
		if perr == nil && req.Args == nil {
			t.Fatal("accepted without args")
		}
		if perr != nil && perr.Code == "" {
			t.Fatal("error without a code")
		}
	})
}

func FuzzReadFrames(f *testing.F) {
	f.Add([]byte{0, 0, 0, 1, 9})
	f.Add([]byte{0, 0, 0, 2, 1, '{', 0, 0, 0, 1})
	f.Fuzz(func(t *testing.T, stream []byte) {
		r := NewReader(bytes.NewReader(stream))
		for i := 0; i < 64; i++ {
			typ, body, err := r.Next()
			if err != nil {
				return
			}
			if len(body)+1 > MaxFrameLength {
				t.Fatalf("frame of %d bytes", len(body))
			}
			switch typ {
			case FrameRequest:
				_, _ = ParseRequest(body)
			case FrameSend:
				_, _ = ParseSend(body)
			case FrameProbeSend:
				_, _ = ParseProbeSend(body)
			}
		}
	})
}

func FuzzParseSend(f *testing.F) {
	f.Add(AppendSend(nil, netip.MustParseAddrPort("192.0.2.1:9"), 4, []byte("x"))[5:])
	f.Add(AppendSend(nil, netip.MustParseAddrPort("[2001:db8::2]:51820"), 2, []byte("x"))[5:])
	f.Add(make([]byte, 20))
	f.Fuzz(func(t *testing.T, body []byte) {
		s, err := ParseSend(body)
		if err != nil {
			return
		}
		// Whatever is accepted re-encodes to the same bytes.
		if again := AppendSend(nil, s.To, s.TTL, s.Payload)[5:]; !bytes.Equal(again, body) {
			t.Fatalf("%x -> %x", body, again)
		}
	})
}

func FuzzParseProbeSend(f *testing.F) {
	to := netip.MustParseAddrPort("192.0.2.1:9")
	f.Add(AppendProbeSend(nil, 2, Send{To: to, TTL: 3, Payload: []byte("x")})[5:])
	f.Add(AppendProbeSend(nil, 0, Send{To: to, Payload: []byte("x")})[5:])
	f.Add(make([]byte, 22))
	f.Fuzz(func(t *testing.T, body []byte) {
		s, err := ParseProbeSend(body)
		if err != nil {
			if err.Code != CodeBadSend {
				t.Fatalf("code %s", err.Code)
			}
			return
		}
		if s.Socket == 0 {
			t.Fatal("socket 0 accepted")
		}
		// Whatever is accepted re-encodes to the same bytes.
		if again := AppendProbeSend(nil, s.Socket, s.Send)[5:]; !bytes.Equal(again, body) {
			t.Fatalf("%x -> %x", body, again)
		}
	})
}
