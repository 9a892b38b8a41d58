package wire

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"testing"
)

// The TypeScript codecs' vectors (src-shared/protocol/relay-frames.vectors.json): literal data,
// checked by src-shared/protocol/relay-frames.vectors.test.ts too.
type vectors struct {
	Data []struct {
		Name, RouteID, Payload, Frame, Header string
	} `json:"data"`
	Invalid []struct {
		Name         string `json:"name"`
		Frame        string `json:"frame"`
		ParsesAsData bool   `json:"parsesAsData"`
	} `json:"invalid"`
	Kinds []struct {
		Name, Packet, Kind string
	} `json:"kinds"`
}

func loadVectors(t *testing.T) vectors {
	t.Helper()
	raw, err := os.ReadFile("../../../src-shared/protocol/relay-frames.vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var v vectors
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Data) == 0 || len(v.Invalid) == 0 || len(v.Kinds) == 0 {
		t.Fatal("vector file has an empty section")
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

func TestRelayDataMatchesTheTypeScriptCodec(t *testing.T) {
	for _, v := range loadVectors(t).Data {
		t.Run(v.Name, func(t *testing.T) {
			route := RouteID(unhex(t, v.RouteID))
			frame, err := EncodeRelayData(route, unhex(t, v.Payload))
			if err != nil {
				t.Fatal(err)
			}
			if got := hex.EncodeToString(frame); got != v.Frame {
				t.Fatalf("frame %s, want %s", got, v.Frame)
			}
			if got := hex.EncodeToString(AppendRelayDataHeader(nil, route)); got != v.Header {
				t.Fatalf("header %s, want %s", got, v.Header)
			}
			gotRoute, payload, err := ParseRelayData(unhex(t, v.Frame))
			if err != nil || gotRoute != route || !bytes.Equal(payload, unhex(t, v.Payload)) {
				t.Fatalf("parse: %x %x %v", gotRoute, payload, err)
			}
		})
	}
}

func TestRelayDataRefusesWhatTheTypeScriptCodecRefuses(t *testing.T) {
	for _, v := range loadVectors(t).Invalid {
		t.Run(v.Name, func(t *testing.T) {
			_, _, err := ParseRelayData(unhex(t, v.Frame))
			if (err == nil) != v.ParsesAsData {
				t.Fatalf("err %v, want parses %v", err, v.ParsesAsData)
			}
		})
	}
}

func TestClassifyMatchesTheTypeScriptClassifier(t *testing.T) {
	for _, v := range loadVectors(t).Kinds {
		t.Run(v.Name, func(t *testing.T) {
			if got := Classify(unhex(t, v.Packet)).String(); got != v.Kind {
				t.Fatalf("kind %s, want %s", got, v.Kind)
			}
		})
	}
}

func TestParseRelayDataNamesWhyItRefuses(t *testing.T) {
	cases := []struct {
		name  string
		frame string
		want  error
	}{
		{"a BIND", "ff4c5252010100", ErrNotRelayData},
		{"version 2", "ff4c52520203001122334455667700", ErrRelayVersion},
		{"seven-byte route id", "ff4c52520103aabbccddeeff00", ErrRelayDataShort},
		{"STUN", "000100002112a442", ErrNotRelayData},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, _, err := ParseRelayData(unhex(t, c.frame)); err != c.want {
				t.Fatalf("err %v, want %v", err, c.want)
			}
		})
	}
}

func TestEncodeRelayDataRefusesAnOversizedPayload(t *testing.T) {
	if _, err := EncodeRelayData(RouteID{}, make([]byte, 65494)); err != ErrRelayPayloadBig {
		t.Fatalf("err %v", err)
	}
	if _, err := EncodeRelayData(RouteID{}, make([]byte, 65493)); err != nil {
		t.Fatalf("largest payload refused: %v", err)
	}
}

func TestClassifyAndParseDoNotAllocate(t *testing.T) {
	frame := unhex(t, "ff4c5252010300112233445566770400000011")
	allocs := testing.AllocsPerRun(100, func() {
		_ = Classify(frame)
		_, _, _ = ParseRelayData(frame)
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per packet", allocs)
	}
}

func FuzzParseRelayData(f *testing.F) {
	f.Add(unhexF("ff4c52520103001122334455667704000000"))
	f.Add(unhexF("ff4c5252010300"))
	f.Add(unhexF("ff4c5252"))
	f.Fuzz(func(t *testing.T, b []byte) {
		route, payload, err := ParseRelayData(b)
		if err != nil {
			return
		}
		// Whatever parses re-encodes to the same bytes.
		again, encErr := EncodeRelayData(route, payload)
		if encErr != nil || !bytes.Equal(again, b) {
			t.Fatalf("round trip %x -> %x (%v)", b, again, encErr)
		}
		if Classify(b) != KindRelay {
			t.Fatalf("DATA frame %x not classified as relay", b)
		}
	})
}

func FuzzClassify(f *testing.F) {
	f.Add(unhexF("01000000"))
	f.Add(unhexF("000100002112a442000000000000000000000000"))
	f.Add(unhexF("ff4c5250"))
	f.Fuzz(func(t *testing.T, b []byte) {
		k := Classify(b)
		if (k == KindWireGuard) != IsWireGuard(b) {
			t.Fatalf("Classify and IsWireGuard disagree on %x", b)
		}
	})
}

func unhexF(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}
